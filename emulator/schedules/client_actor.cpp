#include "emulator/schedules/client_actor.hpp"

#include <simgrid/s4u.hpp>

#include "emulator/schedules/server_inbox.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

TrainJob make_train_job(const Federation& fed, int device, const TrainOrder& order) {
  TrainJob job;
  job.client = device;
  job.round = order.round;
  job.seed = order.seed;
  job.start = order.global;
  job.indices = fed.partitions[device];
  job.local = order.local;
  return job;
}

void download_train_upload(Federation& fed, int device, const TrainOrder& order) {
  const std::string actor = "client-" + std::to_string(device);
  const std::string& host = fed.devices[device].name;
  const ModelInfo& model = fed.trainer.model();

  const int64_t down_bytes = order.wire.down.bytes(), up_bytes = order.wire.up.bytes();
  const double download_start = sg4::Engine::get_clock();
  transfer_bytes(TransferWay::ToDevice, fed.platform.server, device, static_cast<uint64_t>(down_bytes),
                 order.server_end);
  const double downloaded = sg4::Engine::get_clock();
  Event dl{downloaded, download_start, EventKind::Download, actor, host, order.round, device};
  dl.bytes = static_cast<double>(down_bytes);
  fed.bus.emit(dl);

  const TrainJob job = make_train_job(fed, device, order);
  // The flops the job's spec implies; a job whose real work depends on what it learns
  // (a sparse sub-model) reports more, and the device executes the rest once it is known.
  double flops = training_flops(model, job.local, static_cast<int64_t>(job.indices->size()));
  // The real job runs on a worker thread while the device spends its simulated time (or it
  // already runs as part of the round's stacked group).
  Trainer& trainer = fed.trainer;
  std::future<TrainResult> own;
  if (order.group_index < 0) own = fed.pool.submit([&trainer, job] { return trainer.train(job); });
  // SimGrid's flops amount is per thread: split the job over all the device's cores.
  const int cores = fed.devices[device].cores;
  sg4::ExecPtr exec = sg4::this_actor::exec_init(flops / cores)->set_thread_count(cores);
  exec->start();
  const bool metered = fed.fleet.wants_activity(device);
  if (metered) fed.fleet.activity_changed(device);  // the host's draw goes up
  exec->wait();
  if (metered) fed.fleet.activity_changed(device);
  TrainResult trained = order.group_index < 0 ? own.get() : order.group.get()[order.group_index];
  if (trained.flops > flops) {
    sg4::ExecPtr rest = sg4::this_actor::exec_init((trained.flops - flops) / cores)->set_thread_count(cores);
    rest->start();
    if (metered) fed.fleet.activity_changed(device);
    rest->wait();
    if (metered) fed.fleet.activity_changed(device);
    flops = trained.flops;
  }
  Event tr{sg4::Engine::get_clock(), downloaded, EventKind::Train, actor, host, order.round, device};
  tr.flops = flops;
  tr.steps = static_cast<int>(trained.steps);
  fed.bus.emit(tr);

  auto msg = std::make_unique<ServerMessage>();
  msg->update.client = device;
  msg->update.round = order.round;
  msg->update.base_version = order.base_version;
  msg->update.num_samples = static_cast<int64_t>(job.indices->size());
  msg->update.local_steps = static_cast<int>(trained.steps);
  msg->update.local_lr = job.local.lr;
  msg->update.train_loss = trained.mean_loss;
  msg->update.start = order.global;
  msg->update.params = std::make_shared<const Params>(std::move(trained.params));
  if (!trained.momentum.empty()) msg->update.momentum = std::make_shared<const Params>(std::move(trained.momentum));
  if (!trained.ascent_sum.empty())
    msg->update.ascent_sum = std::make_shared<const Params>(std::move(trained.ascent_sum));
  const double upload_start = sg4::Engine::get_clock();
  fed.inbox->send(device, static_cast<double>(up_bytes), order.server_end);
  // The upload event before the message: what the server does with it comes after in the trace.
  Event up{sg4::Engine::get_clock(), upload_start, EventKind::Upload, actor, host, order.round, device};
  up.bytes = static_cast<double>(up_bytes);
  up.loss = trained.mean_loss;
  if (fed.model_version >= 0) up.staleness = fed.model_version - order.base_version;
  fed.bus.emit(up);
  fed.inbox->post(std::move(msg));
}

void ClientActor::operator()() {
  auto status = status_;
  sg4::this_actor::on_exit([status](bool failed) { status->failed = status->failed || failed; });
  try {
    download_train_upload(fed_, device_, *order_);
  } catch (const std::exception& e) {  // not SimGrid's kill, which is no std::exception
    report_failure(fed_, device_, order_->round, e);
  }
}

void report_failure(Federation& fed, int device, int round, const std::exception& e) {
  fed.inbox->fail("client " + std::to_string(device) + " (" + fed.devices[device].name + ") failed in round " +
                  std::to_string(round) + ": " + e.what());
}

}  // namespace flemu
