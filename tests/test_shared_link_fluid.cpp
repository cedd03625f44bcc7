// The fluid model of a shared link (platforms/shared_link_fluid.hpp): hand-computed sharing,
// and every completion time equal to a brute-force replay that re-solves the water-filling
// from scratch at each event.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <vector>

#include "emulator/core/fluid_transfers.hpp"
#include "platforms/shared_link_fluid.hpp"

using flemu::FluidFlow;
using flemu::SharedLinkFluid;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

FluidFlow flow(double bytes, double latency = 0, double penalty = 1, double cap = kInf) {
  FluidFlow f;
  f.bytes = bytes;
  f.latency_s = latency;
  f.penalty = penalty;
  f.cap = cap;
  return f;
}

/// Runs the model until every flow ended; returns each flow's end time by id.
std::map<int, double> run_to_end(SharedLinkFluid& m) {
  std::map<int, double> end;
  for (int guard = 0; guard < 100000; ++guard) {
    const double t = m.next_event();
    if (std::isinf(t)) break;
    for (int id : m.advance(t)) end[id] = t;
  }
  return end;
}

// --- the reference: water-filling from scratch at every event ---------------------------------
struct RefFlow {
  double start, latency, bytes, penalty, cap, withdraw_at;
  double remaining;
  bool active = false, done = false;
  double end = NAN;
};

/// Rates of the active flows: x_i = min(cap_i, L / p_i) with sum x_i = capacity, found by
/// sorting the active flows by cap_i * p_i (O(N log N) per call, no incremental state).
std::vector<double> water_fill(const std::vector<RefFlow>& f, double capacity) {
  std::vector<int> act;
  for (size_t i = 0; i < f.size(); ++i)
    if (f[i].active && !f[i].done) act.push_back(static_cast<int>(i));
  std::sort(act.begin(), act.end(), [&](int a, int b) { return f[a].cap * f[a].penalty < f[b].cap * f[b].penalty; });
  double weight = 0, capped = 0;
  for (int i : act) weight += 1 / f[i].penalty;
  std::vector<double> rate(f.size(), 0);
  double level = kInf;
  for (size_t k = 0; k <= act.size(); ++k) {
    // The first k flows capped, the others share what is left.
    if (k == act.size()) {
      if (capped > capacity) throw std::logic_error("reference: inconsistent");
      level = kInf;
      break;
    }
    const double l = (capacity - capped) / weight;
    const int i = act[k];
    if (f[i].cap * f[i].penalty > l) {
      level = l;
      break;
    }
    capped += f[i].cap;
    weight -= 1 / f[i].penalty;
  }
  for (int i : act) rate[i] = std::min(f[i].cap, level / f[i].penalty);
  return rate;
}

void replay(std::vector<RefFlow>& f, double capacity, double factor) {
  double now = 0;
  for (int guard = 0; guard < 100000; ++guard) {
    const auto rate = water_fill(f, capacity);
    double next = kInf;
    for (const auto& x : f) {
      if (x.done) continue;
      if (x.withdraw_at >= x.start) next = std::min(next, x.withdraw_at);
      if (!x.active) next = std::min(next, std::max(now, x.start + x.latency));
    }
    for (size_t i = 0; i < f.size(); ++i)
      if (f[i].active && !f[i].done) next = std::min(next, now + f[i].remaining / (factor * rate[i]));
    if (std::isinf(next)) return;
    for (size_t i = 0; i < f.size(); ++i)
      if (f[i].active && !f[i].done) f[i].remaining -= factor * rate[i] * (next - now);
    now = next;
    for (auto& x : f) {
      if (x.done) continue;
      if (x.withdraw_at >= x.start && x.withdraw_at <= now + 1e-12) {
        x.done = true;  // withdrawn: no end time
        continue;
      }
      if (!x.active && x.start + x.latency <= now + 1e-12) x.active = true;
      if (x.active && x.remaining <= 1e-9 * x.bytes + 1e-12) {
        x.done = true;
        x.end = now;
      }
    }
  }
}

}  // namespace

TEST_CASE("fluid shared link: one flow alone takes latency + bytes / (factor x cap)", "[fluid]") {
  SharedLinkFluid m(1e9, 0.97);
  const int id = m.start(0, flow(1e6, 0.26, 1, 1e6));
  const auto end = run_to_end(m);
  REQUIRE(end.count(id));
  CHECK(end.at(id) == Approx(0.26 + 1e6 / (0.97 * 1e6)).epsilon(1e-12));
}

TEST_CASE("fluid shared link: equal flows share equally, weighted ones by 1/penalty", "[fluid]") {
  SECTION("four equal flows through 4 MB/s finish together after 4 s") {
    SharedLinkFluid m(4e6, 1.0);
    for (int i = 0; i < 4; ++i) m.start(0, flow(4e6));
    m.advance(0);
    CHECK(m.level() == Approx(1e6));
    const auto end = run_to_end(m);
    REQUIRE(end.size() == 4);
    for (const auto& [id, t] : end) CHECK(t == Approx(4.0).epsilon(1e-12));
  }
  SECTION("penalties 1 and 2 on 3 B/s: rates 2 and 1") {
    SharedLinkFluid m(3, 1.0);
    const int a = m.start(0, flow(100, 0, 1)), b = m.start(0, flow(100, 0, 2));
    m.advance(0);
    CHECK(m.rate(a) == Approx(2));
    CHECK(m.rate(b) == Approx(1));
  }
}

TEST_CASE("fluid shared link: capped flows keep their cap, the rest share what is left", "[fluid]") {
  // Capacity 10, caps 1, 2, 100, 100: the first two stay at their caps, the last two get 3.5.
  SharedLinkFluid m(10, 1.0);
  const int a = m.start(0, flow(1000, 0, 1, 1)), b = m.start(0, flow(1000, 0, 1, 2));
  const int c = m.start(0, flow(1000, 0, 1, 100)), d = m.start(0, flow(1000, 0, 1, 100));
  m.advance(0);
  CHECK(m.rate(a) == Approx(1));
  CHECK(m.rate(b) == Approx(2));
  CHECK(m.rate(c) == Approx(3.5));
  CHECK(m.rate(d) == Approx(3.5));
  CHECK(m.level() == Approx(3.5));
  // Not saturated: every flow at its cap.
  SharedLinkFluid free_link(100, 1.0);
  const int e = free_link.start(0, flow(10, 0, 1, 3)), g = free_link.start(0, flow(10, 0, 1, 4));
  free_link.advance(0);
  CHECK(std::isinf(free_link.level()));
  CHECK(free_link.rate(e) == Approx(3));
  CHECK(free_link.rate(g) == Approx(4));
}

TEST_CASE("fluid shared link: a withdrawn flow frees its share at once", "[fluid]") {
  SharedLinkFluid m(2, 1.0);
  const int a = m.start(0, flow(10)), b = m.start(0, flow(10));
  m.advance(0);
  m.advance(2);  // 2 bytes each moved
  CHECK(m.remaining(a) == Approx(8));
  m.withdraw(2, b);
  CHECK_FALSE(m.running(b));
  CHECK(m.rate(a) == Approx(2));
  const auto end = run_to_end(m);
  CHECK(end.at(a) == Approx(6.0));
  CHECK_FALSE(end.count(b));
}

TEST_CASE("fluid shared link: random flows end when a from-scratch water-filling replay says", "[fluid]") {
  for (uint64_t seed : {1u, 2u, 3u, 4u, 5u, 6u}) {
    std::mt19937_64 gen(seed);
    std::uniform_real_distribution<double> u(0, 1);
    const int n = 60;
    const double capacity = 50 + 100 * u(gen), factor = seed % 2 ? 0.97 : 1.0;
    std::vector<RefFlow> ref(n);
    for (auto& x : ref) {
      x.start = seed % 3 == 0 ? 0 : 20 * u(gen);  // some cases start all at once
      x.latency = u(gen) < 0.3 ? 0 : 0.5 * u(gen);
      x.bytes = u(gen) < 0.05 ? 0 : 50 + 500 * u(gen);
      x.penalty = 0.5 + 2 * u(gen);
      x.cap = u(gen) < 0.2 ? kInf : 1 + 20 * u(gen);
      x.withdraw_at = u(gen) < 0.1 ? x.start + 5 * u(gen) : -1;
      x.remaining = x.bytes;
    }
    replay(ref, capacity, factor);

    // The model, driven the way FluidTransfers drives it: starts and withdrawals at their
    // instants, the model's own events in between.
    SharedLinkFluid m(capacity, factor);
    std::vector<int> order(n);
    for (int i = 0; i < n; ++i) order[i] = i;
    std::vector<std::pair<double, int>> external;  // (time, +i start / -(i+1) withdraw)
    for (int i = 0; i < n; ++i) {
      external.emplace_back(ref[i].start, i);
      if (ref[i].withdraw_at >= ref[i].start) external.emplace_back(ref[i].withdraw_at, -(i + 1));
    }
    std::stable_sort(external.begin(), external.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::map<int, int> flow_of, id_owner;
    std::vector<double> end(n, NAN);
    size_t next_ext = 0;
    for (int guard = 0; guard < 100000; ++guard) {
      const double t_model = m.next_event();
      const double t_ext = next_ext < external.size() ? external[next_ext].first : kInf;
      if (std::isinf(t_model) && std::isinf(t_ext)) break;
      if (t_model <= t_ext) {
        for (int id : m.advance(t_model)) end[id_owner.at(id)] = t_model, id_owner.erase(id);
        continue;
      }
      const auto [t, what] = external[next_ext++];
      for (int id : m.advance(t)) end[id_owner.at(id)] = t, id_owner.erase(id);
      if (what >= 0) {
        const auto& x = ref[what];
        const int id = m.start(t, flow(x.bytes, x.latency, x.penalty, x.cap));
        flow_of[what] = id;
        id_owner[id] = what;
      } else {
        const int i = -what - 1;
        const int id = flow_of.at(i);
        if (id_owner.count(id) && id_owner.at(id) == i) {
          m.withdraw(t, id);
          id_owner.erase(id);
        }
      }
    }
    for (int i = 0; i < n; ++i) {
      INFO("seed " << seed << " flow " << i);
      if (std::isnan(ref[i].end)) {
        CHECK(std::isnan(end[i]));
      } else {
        REQUIRE_FALSE(std::isnan(end[i]));
        CHECK(end[i] == Approx(ref[i].end).epsilon(1e-9).margin(1e-9));
      }
    }
    CHECK(m.flows() == 0);
  }
}

TEST_CASE("fluid shared link: a star flow is what SimGrid's LV08 and CM02 make of a transfer", "[fluid]") {
  flemu::NetworkParams lv08;
  lv08.latency_factor = 13.01;
  lv08.bandwidth_factor = 0.97;
  lv08.weight_s = 20537;
  lv08.tcp_gamma = 4194304;
  lv08.crosstraffic = true;
  // Download: 1.25 GB/s shared link (1 ms), 5 MB/s downlink, 1.25 MB/s uplink, 20 ms.
  const FluidFlow f = flemu::star_flow(lv08, 8e5, 1.25e9, 0.001, 5e6, 1.25e6, 0.02);
  CHECK(f.latency_s == Approx(0.021 * 13.01));
  CHECK(f.penalty == Approx(0.021 + 20537 / 1.25e9 + 20537 / 5e6));
  // TCP-gamma 4194304 / (2 x 0.021) = 99.9 MB/s and 20 x the uplink = 25 MB/s are looser than
  // the downlink.
  CHECK(f.cap == Approx(5e6));
  CHECK(flemu::star_shared_capacity(lv08, 1.25e9) == Approx(1.25e9 / 1.05));
  // The reverse link at 5% binds when it is 20x slower.
  CHECK(flemu::star_flow(lv08, 1, 1e9, 0, 5e6, 1e5, 0.02).cap == Approx(2e6));

  flemu::NetworkParams exact;  // CM02, no cross-traffic, TCP-gamma 0
  const FluidFlow g = flemu::star_flow(exact, 8e5, 1.25e9, 0, 5e6, 1.25e6, 0.02);
  CHECK(g.latency_s == Approx(0.02));
  CHECK(g.penalty == Approx(0.02));
  CHECK(g.cap == Approx(5e6));
  CHECK(flemu::star_shared_capacity(exact, 1.25e9) == Approx(1.25e9));
  // No latency at all: SimGrid keeps the penalty of 1 it created the flow with.
  CHECK(flemu::star_flow(exact, 1, 1e9, 0, 5e6, 5e6, 0).penalty == 1.0);
}
