#include "emulator/schedules/client_actor.hpp"

#include <simgrid/s4u.hpp>

#include <optional>

#include "emulator/core/update_compression.hpp"
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

void download_train_upload(Federation& fed, int device, const TrainOrder& order) {
  const std::string actor = "client-" + std::to_string(device);
  const std::string& host = fed.devices[device].name;
  const ModelInfo& model = fed.trainer.model();
  UpdateCompression* comp = fed.compression.get();

  // What the client downloads and trains from: the model as the algorithm declares it, or its
  // encoded broadcast (update_compression.hpp).
  std::shared_ptr<UpdateCompression::Broadcast> broadcast;
  WireMessage down = order.wire.down;
  std::shared_ptr<const Params> start = order.global;
  if (comp && comp->encodes_down()) {
    broadcast = comp->broadcast(order.global, order.base_version);
    comp->wait_for_broadcast(broadcast, order.round, fed.platform.server, fed.bus);
    down = with_model_bytes(down, broadcast->bytes);
    start = broadcast->model;
  }
  const int64_t down_bytes = down.bytes(), up_declared = order.wire.up.bytes();
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
  const double train_start = sg4::Engine::get_clock();

  TrainOrder from_decoded;
  const TrainOrder* effective = &order;
  if (start != order.global) {
    from_decoded = order;
    from_decoded.global = start;
    effective = &from_decoded;
  }
  const TrainJob job = make_train_job(fed, device, *effective);
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
  Event tr{sg4::Engine::get_clock(), train_start, EventKind::Train, actor, host, order.round, device};
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
  msg->update.start = start;
  if (!trained.momentum.empty()) msg->update.momentum = std::make_shared<const Params>(std::move(trained.momentum));
  if (!trained.ascent_sum.empty())
    msg->update.ascent_sum = std::make_shared<const Params>(std::move(trained.ascent_sum));
  if (!trained.gate_state.empty())
    msg->update.gate_state = std::make_shared<const Params>(std::move(trained.gate_state));
  if (!trained.gate_momentum.empty())
    msg->update.gate_momentum = std::make_shared<const Params>(std::move(trained.gate_momentum));
  WireMessage up = order.wire.up;
  double paper_up = 0;
  std::optional<compression::CodecState> codec_state;
  if (comp && comp->encodes_up()) {
    // Encode start - trained with the client's codec state (a pool job: real work off the
    // simulation's thread), then spend its operations on the device.
    auto trained_params = std::make_shared<const Params>(std::move(trained.params));
    auto state = comp->state_of(device);
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
    msg->update.params = std::make_shared<const Params>(std::move(trained.params));
  }
  const int64_t up_bytes = up.bytes();
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
  upe.loss = trained.mean_loss;
  if (fed.model_version >= 0) upe.staleness = fed.model_version - order.base_version;
  fed.bus.emit(upe);
  fed.inbox->post(std::move(msg));
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
