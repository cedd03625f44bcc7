#include "emulator/schedules/split_client.hpp"

#include <simgrid/s4u.hpp>

#include "algorithms/llm/split_learning.hpp"
#include "workloads/models/lm_trainer.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

std::vector<int64_t> cycling_batch_sizes(int64_t n, int64_t b, int64_t steps) {
  std::vector<int64_t> sizes;
  int64_t pos = n;
  for (int64_t s = 0; s < steps; ++s) {
    if (pos >= n) pos = 0;
    const int64_t end = std::min(pos + b, n);
    sizes.push_back(end - pos);
    pos = end;
  }
  return sizes;
}

namespace {

/// One message of split learning over the device's link.
void split_message(Federation& fed, int device, int round, TransferWay way, double bytes, const char* what) {
  const double start = sg4::Engine::get_clock();
  transfer_bytes(way, fed.platform.server, device, static_cast<uint64_t>(bytes), ServerEnd::Helper);
  Event e{sg4::Engine::get_clock(), start, way == TransferWay::ToServer ? EventKind::SplitUp : EventKind::SplitDown,
          client_actor_name(device), fed.devices[device].name, round, device};
  e.bytes = bytes;
  e.reason = what;
  fed.bus.emit(e);
}

/// The server's share for this client: one core of the server host.
void server_compute(Federation& fed, double flops) {
  if (flops > 0) sg4::this_actor::exec_init(flops)->set_host(fed.platform.server)->wait();
}

}  // namespace

void download_split_train_upload(Federation& fed, int device, const TrainOrder& order) {
  const SplitPlan& plan = *order.split;
  const std::string actor = client_actor_name(device);
  const std::string& host = fed.devices[device].name;
  const double downloaded = receive_download(fed, device, order).done;
  const TrainJob job = make_train_job(fed, device, order);
  auto running = start_training(fed, job, order);

  // SFPrompt's phases A and B: the device alone.
  const int64_t n = static_cast<int64_t>(job.indices->size());
  const double local = plan.local_loss_passes * static_cast<double>(samples_processed(job.local, n)) *
                           plan.local_loss_per_window +
                       (plan.prunes() ? static_cast<double>(n) * plan.prune_per_window : 0.0);
  double split_start = downloaded;
  if (local > 0) {
    device_compute(fed, device, order.download_flops + local);
    Event tr{sg4::Engine::get_clock(), downloaded, EventKind::Train, actor, host, order.round, device};
    tr.flops = order.download_flops + local;
    tr.reason = "local_phases";
    fed.bus.emit(tr);
    split_start = sg4::Engine::get_clock();
  }

  // Phase C: split training, batch by batch.
  const int64_t kept = plan.prunes() ? split_prompt_kept(plan.keep_fraction, n) : n;
  const auto batches = cycling_batch_sizes(kept, job.local.batch_size, steps_taken(job.local, kept));
  double device_flops = local > 0 ? 0.0 : order.download_flops, server_flops = 0;
  double server_first = -1;
  for (const int64_t b : batches) {
    const double w = static_cast<double>(b), msg = w * static_cast<double>(plan.message_bytes_per_window);
    device_compute(fed, device, w * plan.head_forward);
    split_message(fed, device, order.round, TransferWay::ToServer, msg, "activations");
    if (server_first < 0) server_first = sg4::Engine::get_clock();
    server_compute(fed, w * plan.body_forward);
    split_message(fed, device, order.round, TransferWay::ToDevice, msg, "activations");
    device_compute(fed, device, w * (plan.tail_forward + plan.tail_backward));
    split_message(fed, device, order.round, TransferWay::ToServer, msg, "gradients");
    server_compute(fed, w * plan.body_backward);
    split_message(fed, device, order.round, TransferWay::ToDevice, msg, "gradients");
    device_compute(fed, device, w * plan.head_backward);
    device_flops += w * (plan.head_forward + plan.tail_forward + plan.tail_backward + plan.head_backward);
    server_flops += w * (plan.body_forward + plan.body_backward);
  }
  if (server_flops > 0) {
    Event sc{sg4::Engine::get_clock(), server_first, EventKind::ServerCompute, "server", "server", order.round, device};
    sc.flops = server_flops;
    fed.bus.emit(sc);
  }
  TrainedUpdate trained = running.get();
  Event tr{sg4::Engine::get_clock(), split_start, EventKind::Train, actor, host, order.round, device};
  tr.flops = device_flops;
  tr.steps = static_cast<int>(trained.result.steps);
  tr.reason = "split";
  fed.bus.emit(tr);
  send_update(fed, device, order, job, std::move(trained));
}

}  // namespace flemu
