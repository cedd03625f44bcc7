#include "emulator/schedules/zo_client.hpp"

#include <stdexcept>

#include "emulator/core/device_transfer.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

void ZoClient::operator()() {
  auto status = status_;
  sg4::this_actor::on_exit([status](bool failed) { status->failed = status->failed || failed; });
  const ZoOrder& order = *order_;
  const std::string actor = "client-" + std::to_string(client_);
  const std::string& host = fed_.devices[static_cast<size_t>(client_)].name;
  const size_t d = static_cast<size_t>(fed_.problem.dimension());

  const double t0 = sg4::Engine::get_clock();
  transfer_bytes(TransferWay::ToDevice, fed_.platform.server, client_, order.download_bytes);
  Event dl{sg4::Engine::get_clock(), t0, EventKind::Download, actor, host, order.round, client_};
  dl.bytes = static_cast<double>(order.download_bytes);
  fed_.bus.emit(dl);

  // The work, known before it runs; the real computation on the pool, after the client's
  // previous job (its state moves on one phase at a time).
  const AlgorithmSpec& spec = fed_.scenario.algorithm;
  const bool fzoos = fed_.is_fzoos();
  zo::FzoosClient& state = fed_.fzoos[static_cast<size_t>(client_)];
  zo::Work work;
  switch (order.phase) {
    case ZoOrder::Local:
      work = fzoos ? zo::fzoos_local_work(spec.fzoos, state, d, order.global_weights != nullptr)
                   : zo::fedzo_local_work(spec.fedzo, d);
      break;
    case ZoOrder::Accept: work = {1, 0}; break;
    case ZoOrder::Surrogate: work = zo::fzoos_surrogate_work(spec.fzoos, state, d); break;
  }
  const BlackBoxProblem& problem = fed_.problem;
  const int i = client_;
  zo::QueryFn f = [&problem, i](const zo::Vec& x) { return problem.value(i, x); };
  auto previous = fed_.last_job[static_cast<size_t>(i)];
  auto reply = std::make_shared<ZoReply>();
  reply->client = i, reply->round = order.round, reply->phase = order.phase;
  auto order_ptr = order_;
  const zo::RffFeatures& features = fed_.features;
  std::shared_future<void> job =
      fed_.pool
          .submit([previous, order_ptr, reply, &state, &spec, &features, f, fzoos, work] {
            if (previous.valid()) previous.wait();
            const ZoOrder& o = *order_ptr;
            int64_t queries = 0;
            switch (o.phase) {
              case ZoOrder::Local: {
                const zo::LocalResult r =
                    fzoos ? zo::fzoos_local(spec.fzoos, state, f, *o.x, o.global_weights.get(), features, o.seed)
                          : zo::fedzo_local(spec.fedzo, f, *o.x, o.seed);
                reply->x = r.x;
                reply->value = r.start_value;
                queries = r.queries;
                break;
              }
              case ZoOrder::Accept:
                reply->value = f(*o.x);
                queries = 1;
                break;
              case ZoOrder::Surrogate: {
                const zo::SurrogateResult s = zo::fzoos_surrogate(spec.fzoos, state, f, *o.x, *o.local_end, features, o.seed);
                reply->weights = s.weights;
                queries = s.queries;
                break;
              }
            }
            if (queries != work.queries) throw std::logic_error("zeroth-order client: queries differ from the work model");
          })
          .share();
  fed_.last_job[static_cast<size_t>(i)] = job;
  const double flops = static_cast<double>(work.queries) * fed_.problem.spec().flops_per_query + work.flops;
  const double train_start = sg4::Engine::get_clock();
  const int cores = fed_.devices[static_cast<size_t>(i)].cores;
  if (flops > 0) {
    const bool metered = fed_.fleet.wants_activity(i);
    sg4::ExecPtr exec = sg4::this_actor::exec_init(flops / cores)->set_thread_count(cores);
    exec->start();
    if (metered) fed_.fleet.activity_changed(i);  // the host's draw goes up
    exec->wait();
    if (metered) fed_.fleet.activity_changed(i);
  }
  job.get();
  Event tr{sg4::Engine::get_clock(), train_start, EventKind::Train, actor, host, order.round, client_};
  tr.flops = flops;
  tr.value = static_cast<double>(work.queries);
  tr.steps = order.phase == ZoOrder::Local ? spec.fedzo.local_iters : 0;
  fed_.bus.emit(tr);

  const double t1 = sg4::Engine::get_clock();
  transfer_bytes(TransferWay::ToServer, fed_.platform.server, client_, order.upload_bytes);
  Event up{sg4::Engine::get_clock(), t1, EventKind::Upload, actor, host, order.round, client_};
  up.bytes = static_cast<double>(order.upload_bytes);
  fed_.bus.emit(up);
  fed_.inbox.push(std::move(*reply));
}

}  // namespace flemu
