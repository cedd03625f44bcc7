#include "emulator/schedules/client_actor.hpp"

#include <simgrid/s4u.hpp>

#include <optional>

#include "emulator/core/update_compression.hpp"
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

namespace {

/// A codec span (encode or decode) executed on the calling actor's host.
// Spends a codec's operations on the calling actor's host; on a device (not the server), its
// energy meter sees the busy spell like any training compute.
void run_codec(Federation& fed, EventKind kind, double ops, const std::string& actor, int round, int device,
               bool on_device = true) {
  const double t0 = sg4::Engine::get_clock();
  if (ops > 0) {
    sg4::ExecPtr exec = sg4::this_actor::exec_init(ops);
    exec->start();
    const bool metered = on_device && fed.fleet.wants_activity(device);
    if (metered) fed.fleet.activity_changed(device);
    exec->wait();
    if (metered) fed.fleet.activity_changed(device);
  }
  Event e{sg4::Engine::get_clock(), t0, kind, actor, sg4::this_actor::get_host()->get_name(), round, device};
  e.flops = ops;
  fed.bus.emit(e);
}

}  // namespace

std::string client_actor_name(int device) { return "client-" + std::to_string(device); }

Received receive_download(Federation& fed, int device, const TrainOrder& order) {
  const std::string actor = client_actor_name(device);
  const std::string& host = fed.devices[device].name;
  UpdateCompression* comp = fed.compression.get();
  // What the client downloads and trains from: the model as the algorithm declares it, or its
  // encoded broadcast (update_compression.hpp).
  std::shared_ptr<UpdateCompression::Broadcast> broadcast;
  WireMessage down = order.wire.down;
  Received received;
  received.start = order.global;
  if (comp && comp->encodes_down()) {
    broadcast = comp->broadcast(order.global, order.base_version);
    comp->wait_for_broadcast(broadcast, order.round, fed.platform.server, fed.bus);
    down = with_model_bytes(down, broadcast->bytes);
    received.start = broadcast->model;
  }
  const int64_t down_bytes = down.bytes();
  const double download_start = sg4::Engine::get_clock();
  transfer_bytes(TransferWay::ToDevice, fed.platform.server, device, static_cast<uint64_t>(down_bytes),
                 order.server_end, fed.fluid);
  const double downloaded = sg4::Engine::get_clock();
  Event dl{downloaded, download_start, EventKind::Download, actor, host, order.round, device};
  dl.bytes = static_cast<double>(down_bytes);
  if (comp) {
    dl.dense_bytes = static_cast<double>(order.wire.down.bytes());
    dl.paper_bytes = broadcast ? broadcast->paper_bytes : dl.dense_bytes;
  }
  fed.bus.emit(dl);
  if (broadcast) run_codec(fed, EventKind::Decode, broadcast->decode_ops, actor, order.round, device);
  received.done = sg4::Engine::get_clock();
  return received;
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
  const std::string actor = client_actor_name(device);
  const std::string& host = fed.devices[device].name;
  UpdateCompression* comp = fed.compression.get();
  auto msg = std::make_unique<ServerMessage>();
  TrainResult& r = trained.result;
  msg->update.client = device;
  msg->update.round = order.round;
  msg->update.base_version = order.base_version;
  msg->update.num_samples = static_cast<int64_t>(job.indices->size());
  msg->update.local_steps = static_cast<int>(r.steps);
  msg->update.local_lr = job.local.lr;
  msg->update.train_loss = r.mean_loss;
  msg->update.start = job.start;  // the global model, or what the client decoded of it
  if (!r.momentum.empty()) msg->update.momentum = std::make_shared<const Params>(std::move(r.momentum));
  if (!r.ascent_sum.empty()) msg->update.ascent_sum = std::make_shared<const Params>(std::move(r.ascent_sum));
  if (!r.gate_state.empty()) msg->update.gate_state = std::make_shared<const Params>(std::move(r.gate_state));
  if (!r.gate_momentum.empty())
    msg->update.gate_momentum = std::make_shared<const Params>(std::move(r.gate_momentum));
  msg->update.payload = trained.payload;
  const int64_t up_declared = order.wire.up.bytes();
  WireMessage up = order.wire.up;
  double paper_up = 0;
  std::optional<compression::CodecState> codec_state;
  if (comp && comp->encodes_up()) {
    // Encode start - trained with the client's codec state (a pool job: real work off the
    // simulation's thread), then spend its operations on the device.
    auto trained_params = std::make_shared<const Params>(std::move(r.params));
    auto state = comp->state_of(device);
    auto start = job.start;
    auto encoded = fed.pool
                       .submit([comp, device, round = order.round, start, trained_params, state]() mutable {
                         return comp->encode_up(device, round, *start, *trained_params, std::move(state));
                       })
                       .get();
    run_codec(fed, EventKind::Encode, encoded.payload.ops, actor, order.round, device);
    up = with_model_bytes(up, static_cast<int64_t>(encoded.payload.bytes.size()));
    paper_up = encoded.payload.paper_bytes + static_cast<double>(up.bytes() - encoded.payload.bytes.size());
    msg->payload = std::move(encoded.payload.bytes);
    codec_state = std::move(encoded.state);
  } else {
    msg->update.params = std::make_shared<const Params>(std::move(r.params));
  }
  // An algorithm's own encoding (Ferret's seed counts, FLASC's top-k) sets the upload's size.
  const int64_t up_bytes = trained.payload ? static_cast<int64_t>(trained.payload->wire_bytes) : up.bytes();
  const double upload_start = sg4::Engine::get_clock();
  fed.inbox->send(device, static_cast<double>(up_bytes), order.server_end);
  // Arrived: the client's codec state moves on (a lost upload leaves it as it was).
  if (codec_state) comp->commit(device, std::move(*codec_state));
  // The upload event before the message: what the server does with it comes after in the trace.
  Event upe{sg4::Engine::get_clock(), upload_start, EventKind::Upload, actor, host, order.round, device};
  upe.bytes = static_cast<double>(up_bytes);
  if (comp) {
    upe.dense_bytes = static_cast<double>(up_declared);
    upe.paper_bytes = comp->encodes_up() ? paper_up : upe.dense_bytes;
  }
  upe.loss = r.mean_loss;
  if (fed.model_version >= 0) upe.staleness = fed.model_version - order.base_version;
  fed.bus.emit(upe);
  fed.inbox->post(std::move(msg));
}

void download_train_upload(Federation& fed, int device, const TrainOrder& order) {
  const ModelInfo& model = fed.trainer.model();
  const Received received = receive_download(fed, device, order);
  TrainOrder from_decoded;
  const TrainOrder* effective = &order;
  if (received.start != order.global) {
    from_decoded = order;
    from_decoded.global = received.start;
    effective = &from_decoded;
  }
  const TrainJob job = make_train_job(fed, device, *effective);
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
  Event tr{sg4::Engine::get_clock(), received.done, EventKind::Train, client_actor_name(device),
           fed.devices[device].name, order.round, device};
  tr.flops = flops;
  tr.steps = static_cast<int>(trained.result.steps);
  fed.bus.emit(tr);
  send_update(fed, device, order, job, std::move(trained));
}

void decode_arrived_update(Federation& fed, ServerMessage& message) {
  if (message.payload.empty()) return;
  ClientUpdate& u = message.update;
  compression::Decoded d = fed.compression->decode_up(message.payload);
  Params params(*u.start);  // empty in analytic training: nothing to reconstruct
  for (size_t i = 0; i < params.size(); ++i) params[i] -= d.update[i];
  u.params = std::make_shared<const Params>(std::move(params));
  message.payload.clear();
  run_codec(fed, EventKind::Decode, d.ops, "server", u.round, u.client, /*on_device=*/false);
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
