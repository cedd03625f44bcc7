#include "emulator/client_actor.hpp"

#include <simgrid/s4u.hpp>

namespace sg4 = simgrid::s4u;

namespace flemu {

void receive_train_and_upload(Federation& fed, int device, int round) {
  const std::string actor = "client-" + std::to_string(device);
  const std::string& host = fed.devices[device].name;
  const ModelInfo& model = fed.trainer.model();

  auto* mailbox = sg4::Mailbox::by_name(Federation::device_mailbox(device));
  std::unique_ptr<TrainOrder> order;
  do {
    order = mailbox->get_unique<TrainOrder>();
    if (order->stop) return;
  } while (order->round != round);
  const double downloaded = sg4::Engine::get_clock();
  Event dl{downloaded, order->sent_at, EventKind::Download, actor, host, order->round, device};
  dl.bytes = static_cast<double>(model.bytes);
  fed.bus.emit(dl);

  TrainJob job;
  job.client = device;
  job.round = order->round;
  job.seed = order->seed;
  job.start = order->global;
  job.indices = fed.partitions[device];
  job.local = order->local;
  const double flops =
      model.train_flops_per_sample * samples_processed(job.local, static_cast<int64_t>(job.indices->size()));
  // The real job runs on a worker thread while the device spends its simulated time.
  Trainer& trainer = fed.trainer;
  auto result = fed.pool.submit([&trainer, job] { return trainer.train(job); });
  // SimGrid's flops amount is per thread: split the job over all the device's cores.
  const int cores = fed.devices[device].cores;
  sg4::this_actor::exec_init(flops / cores)->set_thread_count(cores)->wait();
  TrainResult trained = result.get();
  Event tr{sg4::Engine::get_clock(), downloaded, EventKind::Train, actor, host, order->round, device};
  tr.flops = flops;
  tr.steps = static_cast<int>(trained.steps);
  fed.bus.emit(tr);

  auto msg = std::make_unique<ServerMessage>();
  msg->update.client = device;
  msg->update.round = order->round;
  msg->update.base_version = order->base_version;
  msg->update.num_samples = static_cast<int64_t>(job.indices->size());
  msg->update.local_steps = static_cast<int>(trained.steps);
  msg->update.local_lr = job.local.lr;
  msg->update.train_loss = trained.mean_loss;
  msg->update.start = order->global;
  msg->update.params = std::make_shared<const Params>(std::move(trained.params));
  const double upload_start = sg4::Engine::get_clock();
  sg4::Mailbox::by_name(Federation::server_mailbox)->put(msg.release(), model.bytes);
  Event up{sg4::Engine::get_clock(), upload_start, EventKind::Upload, actor, host, order->round, device};
  up.bytes = static_cast<double>(model.bytes);
  up.loss = trained.mean_loss;
  if (fed.model_version >= 0) up.staleness = fed.model_version - order->base_version;
  fed.bus.emit(up);
}

void ClientActor::operator()() {
  auto status = status_;
  sg4::this_actor::on_exit([status](bool failed) { status->failed = status->failed || failed; });
  receive_train_and_upload(fed_, device_, round_);
}

}  // namespace flemu
