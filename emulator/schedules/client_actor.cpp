#include "emulator/schedules/client_actor.hpp"

#include <simgrid/s4u.hpp>

#include "emulator/schedules/server_inbox.hpp"
#include "emulator/schedules/split_client.hpp"

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

std::string client_actor_name(int device) { return "client-" + std::to_string(device); }

double receive_download(Federation& fed, int device, const TrainOrder& order) {
  const int64_t down_bytes = order.wire.down.bytes();
  const double download_start = sg4::Engine::get_clock();
  transfer_bytes(TransferWay::ToDevice, fed.platform.server, device, static_cast<uint64_t>(down_bytes),
                 order.server_end);
  const double downloaded = sg4::Engine::get_clock();
  Event dl{downloaded, download_start, EventKind::Download, client_actor_name(device), fed.devices[device].name,
           order.round, device};
  dl.bytes = static_cast<double>(down_bytes);
  fed.bus.emit(dl);
  return downloaded;
}

std::future<TrainedUpdate> start_training(Federation& fed, const TrainJob& job, const TrainOrder& order) {
  Trainer& trainer = fed.trainer;
  const UpdateEncoder* encoder = order.encoder;
  if (order.group_index >= 0) {  // already running as part of the round's stacked group
    auto group = order.group;
    const int index = order.group_index;
    return std::async(std::launch::deferred, [group, index, encoder, job] {
      TrainedUpdate t{group.get()[index], nullptr};
      if (encoder) t.payload = encoder->encode_update(job, t.result);
      return t;
    });
  }
  return fed.pool.submit([&trainer, job, encoder] {
    TrainedUpdate t{trainer.train(job), nullptr};
    if (encoder) t.payload = encoder->encode_update(job, t.result);
    return t;
  });
}

void device_compute(Federation& fed, int device, double flops) {
  if (flops <= 0) return;
  // SimGrid's flops amount is per thread: split the work over all the device's cores.
  const int cores = fed.devices[device].cores;
  sg4::ExecPtr exec = sg4::this_actor::exec_init(flops / cores)->set_thread_count(cores);
  exec->start();
  const bool metered = fed.fleet.wants_activity(device);
  if (metered) fed.fleet.activity_changed(device);  // the host's draw goes up
  exec->wait();
  if (metered) fed.fleet.activity_changed(device);
}

void send_update(Federation& fed, int device, const TrainOrder& order, const TrainJob& job, TrainedUpdate trained) {
  const int64_t up_bytes =
      trained.payload ? static_cast<int64_t>(trained.payload->wire_bytes) : order.wire.up.bytes();
  auto msg = std::make_unique<ServerMessage>();
  TrainResult& r = trained.result;
  msg->update.client = device;
  msg->update.round = order.round;
  msg->update.base_version = order.base_version;
  msg->update.num_samples = static_cast<int64_t>(job.indices->size());
  msg->update.local_steps = static_cast<int>(r.steps);
  msg->update.local_lr = job.local.lr;
  msg->update.train_loss = r.mean_loss;
  msg->update.start = order.global;
  msg->update.params = std::make_shared<const Params>(std::move(r.params));
  if (!r.momentum.empty()) msg->update.momentum = std::make_shared<const Params>(std::move(r.momentum));
  if (!r.ascent_sum.empty()) msg->update.ascent_sum = std::make_shared<const Params>(std::move(r.ascent_sum));
  msg->update.payload = trained.payload;
  const double upload_start = sg4::Engine::get_clock();
  fed.inbox->send(device, static_cast<double>(up_bytes), order.server_end);
  // The upload event before the message: what the server does with it comes after in the trace.
  Event up{sg4::Engine::get_clock(), upload_start, EventKind::Upload, client_actor_name(device),
           fed.devices[device].name, order.round, device};
  up.bytes = static_cast<double>(up_bytes);
  up.loss = r.mean_loss;
  if (fed.model_version >= 0) up.staleness = fed.model_version - order.base_version;
  fed.bus.emit(up);
  fed.inbox->post(std::move(msg));
}

void download_train_upload(Federation& fed, int device, const TrainOrder& order) {
  const ModelInfo& model = fed.trainer.model();
  const double downloaded = receive_download(fed, device, order);
  const TrainJob job = make_train_job(fed, device, order);
  // The real job (and the algorithm's encoding of its result) runs on a worker thread while
  // the device spends its simulated time (or it already runs as part of the round's stacked
  // group). The flops the job's spec implies come first, with unpacking the download; a job
  // whose real work depends on what it learns (a sparse sub-model) reports more, and the
  // device executes the rest once it is known.
  auto running = start_training(fed, job, order);
  const double spec_flops = training_flops(model, job.local, static_cast<int64_t>(job.indices->size()));
  device_compute(fed, device, order.download_flops + spec_flops);
  TrainedUpdate trained = running.get();
  double flops = order.download_flops + spec_flops;
  if (trained.result.flops > spec_flops) {
    device_compute(fed, device, trained.result.flops - spec_flops);
    flops += trained.result.flops - spec_flops;
  }
  if (trained.payload && trained.payload->device_flops > 0) {  // encoding the update
    device_compute(fed, device, trained.payload->device_flops);
    flops += trained.payload->device_flops;
  }
  Event tr{sg4::Engine::get_clock(), downloaded, EventKind::Train, client_actor_name(device),
           fed.devices[device].name, order.round, device};
  tr.flops = flops;
  tr.steps = static_cast<int>(trained.result.steps);
  fed.bus.emit(tr);
  send_update(fed, device, order, job, std::move(trained));
}

void ClientActor::operator()() {
  auto status = status_;
  sg4::this_actor::on_exit([status](bool failed) { status->failed = status->failed || failed; });
  try {
    if (order_->split)
      download_split_train_upload(fed_, device_, *order_);
    else
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
