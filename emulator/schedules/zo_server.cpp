#include "emulator/schedules/zo_server.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "emulator/schedules/zo_client.hpp"
#include "workloads/rng.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

namespace {
constexpr uint64_t kZoStream = 187;
constexpr uint64_t kValueBytes = 4;
}  // namespace

std::vector<ZoReply> ZoServer::run_phase(int round,
                                         const std::vector<std::pair<int, std::shared_ptr<const ZoOrder>>>& orders) {
  std::map<int, std::shared_ptr<ZoClientStatus>> engaged;
  for (const auto& [c, order] : orders) {
    auto status = std::make_shared<ZoClientStatus>();
    engaged[c] = status;
    sg4::Actor::create("client-" + std::to_string(c), fed_.platform.devices[static_cast<size_t>(c)],
                       ZoClient(fed_, c, order, status));
  }
  std::vector<ZoReply> replies;
  const double heartbeat = fed_.scenario.platform.server.heartbeat_s;
  while (!engaged.empty()) {
    if (auto reply = fed_.inbox.pop(heartbeat)) {
      if (engaged.erase(reply->client)) replies.push_back(std::move(*reply));
      continue;
    }
    for (auto it = engaged.begin(); it != engaged.end();) {
      if (it->second->failed || !fed_.fleet.can_participate(it->first)) {
        Event e{sg4::Engine::get_clock(), NAN, EventKind::UpdateDropped, "server", "server", round, it->first};
        e.reason = fed_.fleet.off_reason(it->first);
        fed_.bus.emit(e);
        it = engaged.erase(it);
      } else {
        ++it;
      }
    }
  }
  std::sort(replies.begin(), replies.end(), [](const ZoReply& a, const ZoReply& b) { return a.client < b.client; });
  return replies;
}

void ZoServer::operator()() {
  const Scenario& sc = fed_.scenario;
  const AlgorithmSpec& spec = sc.algorithm;
  const bool fzoos = fed_.is_fzoos();
  const uint64_t d = static_cast<uint64_t>(fed_.problem.dimension());
  const uint64_t m = fzoos ? static_cast<uint64_t>(spec.fzoos.rff_features) : 0;
  auto x = std::make_shared<const zo::Vec>(fed_.problem.initial_point(derive_seed(sc.seed, {kZoStream, 0})));
  std::shared_ptr<const zo::Vec> global_weights;
  const double optimum = fed_.problem.optimum_value();
  {
    Event e{sg4::Engine::get_clock(), NAN, EventKind::Evaluate, "server", "server", 0};
    e.value = fed_.problem.global_value(*x);
    e.loss = e.value - optimum;
    fed_.bus.emit(e);
  }
  int round = 0;
  double idle_since = -1;
  for (;;) {
    const double now = sg4::Engine::get_clock();
    if (sc.stop.max_rounds > 0 && round >= sc.stop.max_rounds) {
      outcome_.stop_reason = "rounds";
      break;
    }
    if (sc.stop.max_time_s > 0 && now >= sc.stop.max_time_s) {
      outcome_.stop_reason = "time";
      break;
    }
    std::vector<int> available;
    for (int c = 0; c < fed_.clients(); ++c)
      if (fed_.fleet.can_participate(c)) available.push_back(c);
    if (available.empty()) {
      if (idle_since < 0) idle_since = now;
      if (now - idle_since > 7 * 86400.0) {
        outcome_.stop_reason = "no_devices";
        break;
      }
      sg4::this_actor::sleep_for(sc.platform.server.heartbeat_s);
      continue;
    }
    idle_since = -1;
    const int r = round + 1;
    Event start{now, NAN, EventKind::RoundStart, "server", "server", r};
    start.count = static_cast<int>(available.size());
    fed_.bus.emit(start);

    // Local phase.
    std::vector<std::pair<int, std::shared_ptr<const ZoOrder>>> orders;
    for (int c : available) {
      auto o = std::make_shared<ZoOrder>();
      o->phase = ZoOrder::Local, o->round = r, o->x = x, o->global_weights = global_weights;
      o->seed = derive_seed(sc.seed, {kZoStream, 1, static_cast<uint64_t>(r), static_cast<uint64_t>(c)});
      o->download_bytes = kValueBytes * (d + (global_weights ? m + 1 : 0));
      o->upload_bytes = kValueBytes * (d + (spec.accept_if_improved ? 1 : 0));
      orders.emplace_back(c, o);
    }
    const auto locals = run_phase(r, orders);
    if (locals.empty()) {  // everyone was lost: try again later
      sg4::this_actor::sleep_for(sc.platform.server.heartbeat_s);
      continue;
    }
    std::vector<zo::Vec> xs;
    for (const auto& rep : locals) xs.push_back(rep.x);
    auto next = std::make_shared<const zo::Vec>(zo::average_step(*x, xs, spec.server_lr));
    std::vector<int> answered;
    for (const auto& rep : locals) answered.push_back(rep.client);

    if (spec.accept_if_improved) {
      orders.clear();
      for (int c : answered) {
        auto o = std::make_shared<ZoOrder>();
        o->phase = ZoOrder::Accept, o->round = r, o->x = next;
        o->download_bytes = kValueBytes * d, o->upload_bytes = kValueBytes;
        orders.emplace_back(c, o);
      }
      const auto values = run_phase(r, orders);
      // Compare on the clients that answered both times.
      double before = 0, after = 0;
      int both = 0;
      for (const auto& v : values)
        for (const auto& l : locals)
          if (l.client == v.client) before += l.value, after += v.value, ++both;
      if (both == 0 || !(after < before)) next = x;
    }
    if (fzoos) {
      orders.clear();
      for (const auto& rep : locals) {
        auto o = std::make_shared<ZoOrder>();
        o->phase = ZoOrder::Surrogate, o->round = r, o->x = next;
        o->local_end = std::make_shared<const zo::Vec>(rep.x);
        o->seed = derive_seed(sc.seed, {kZoStream, 2, static_cast<uint64_t>(r), static_cast<uint64_t>(rep.client)});
        o->download_bytes = kValueBytes * d, o->upload_bytes = kValueBytes * (m + 2);
        orders.emplace_back(rep.client, o);
      }
      const auto surrogates = run_phase(r, orders);
      std::vector<zo::Vec> uploads;
      for (const auto& s : surrogates) uploads.push_back(s.weights);
      if (!uploads.empty()) global_weights = std::make_shared<const zo::Vec>(zo::fzoos_global_weights(uploads));
    }
    x = next;
    round = r;
    Event agg{sg4::Engine::get_clock(), NAN, EventKind::Aggregate, "server", "server", r};
    agg.count = static_cast<int>(locals.size());
    fed_.bus.emit(agg);
    if (r % sc.evaluation.every_rounds == 0) {
      Event e{sg4::Engine::get_clock(), NAN, EventKind::Evaluate, "server", "server", r};
      e.value = fed_.problem.global_value(*x);
      e.loss = e.value - optimum;
      fed_.bus.emit(e);
      outcome_.final_loss = e.value;
    }
    Event end{sg4::Engine::get_clock(), NAN, EventKind::RoundEnd, "server", "server", r};
    end.count = static_cast<int>(locals.size());
    fed_.bus.emit(end);
  }
  if (round % sc.evaluation.every_rounds != 0 || round == 0) {
    Event e{sg4::Engine::get_clock(), NAN, EventKind::Evaluate, "server", "server", round};
    e.value = fed_.problem.global_value(*x);
    e.loss = e.value - optimum;
    fed_.bus.emit(e);
    outcome_.final_loss = e.value;
  }
  outcome_.rounds = round;
}

}  // namespace flemu
