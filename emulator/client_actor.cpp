#include "emulator/client_actor.hpp"

#include <simgrid/s4u.hpp>

namespace sg4 = simgrid::s4u;

namespace flemu {

void ClientActor::operator()() {
  const std::string actor = "client-" + std::to_string(device_);
  const std::string& host = fed_.devices[device_].name;
  const ModelInfo& model = fed_.trainer.model();

  auto order = sg4::Mailbox::by_name(Federation::device_mailbox(device_))->get_unique<TrainOrder>();
  const double downloaded = sg4::Engine::get_clock();
  Event dl{downloaded, order->sent_at, EventKind::Download, actor, host, order->round, device_};
  dl.bytes = static_cast<double>(model.bytes);
  fed_.bus.emit(dl);

  TrainJob job;
  job.client = device_;
  job.round = order->round;
  job.seed = order->seed;
  job.start = order->global;
  job.indices = fed_.partitions[device_];
  job.local = order->local;
  const double flops =
      model.train_flops_per_sample * samples_processed(job.local, static_cast<int64_t>(job.indices->size()));
  // The real job runs on a worker thread while the device spends its simulated time.
  Trainer& trainer = fed_.trainer;
  auto result = fed_.pool.submit([&trainer, job] { return trainer.train(job); });
  // SimGrid's flops amount is per thread: split the job over all the device's cores.
  const int cores = fed_.devices[device_].cores;
  sg4::this_actor::exec_init(flops / cores)->set_thread_count(cores)->wait();
  TrainResult trained = result.get();
  Event tr{sg4::Engine::get_clock(), downloaded, EventKind::Train, actor, host, order->round, device_};
  tr.flops = flops;
  fed_.bus.emit(tr);

  auto msg = std::make_unique<UpdateMessage>();
  msg->update.client = device_;
  msg->update.round = order->round;
  msg->update.num_samples = static_cast<int64_t>(job.indices->size());
  msg->update.train_loss = trained.mean_loss;
  msg->update.params = std::make_shared<const Params>(std::move(trained.params));
  const double upload_start = sg4::Engine::get_clock();
  sg4::Mailbox::by_name(Federation::server_mailbox)->put(msg.release(), model.bytes);
  Event up{sg4::Engine::get_clock(), upload_start, EventKind::Upload, actor, host, order->round, device_};
  up.bytes = static_cast<double>(model.bytes);
  up.loss = trained.mean_loss;
  fed_.bus.emit(up);
}

}  // namespace flemu
