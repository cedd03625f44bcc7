// An exact fluid model of flows that share one bottleneck link, each also capped on its own:
// the transfers of a star platform whose every flow crosses the server's shared link.
//
// The allocation is SimGrid's (LMM, src/kernel/lmm/maxmin.cpp in 3.32): weighted max-min
// fairness. A flow i has a sharing penalty p_i and a cap B_i (the tightest of its own
// constraints: its access link, the reverse access link under cross-traffic, TCP-gamma), all in
// the solver's units. On the shared link of capacity K, at water level L, flow i gets
//     x_i(L) = min(B_i, L / p_i),
// and L is the level at which sum_i x_i(L) = K, or unbounded when sum_i B_i <= K (every flow at
// its cap). With one shared constraint plus private ones this water-filling IS the max-min
// fair allocation, whatever the caps: no processor-sharing shortcut that ignores the caps.
// Bytes move at rate_factor * x_i (SimGrid's bandwidth factor). A flow first spends its latency
// phase, sharing nothing, then competes until its last byte.
//
// Cost: O((1 + s) log N) per event (a flow starts, activates, ends or is withdrawn), s the
// number of flows that cross between capped and uncapped at that event. Flows are split by
// theta_i = B_i * p_i, the level at which flow i reaches its cap: capped flows (theta_i <= L)
// keep a real-time finish date; uncapped ones move with one virtual clock V (dV/dt =
// rate_factor * L, a flow's bytes are dV / p_i) and keep a virtual finish, so a change of L
// touches no flow that stays on its side.
//
// Pure: no SimGrid, no I/O. The SimGrid side is emulator/core/fluid_transfers.hpp.
#pragma once
#include <cstdint>
#include <limits>
#include <set>
#include <utility>
#include <vector>

namespace flemu {

/// One flow, in the solver's units (bytes/s before the rate factor).
struct FluidFlow {
  double bytes = 0;      ///< bytes to move
  double latency_s = 0;  ///< latency phase before the first byte moves, s
  double penalty = 1;    ///< sharing penalty: at level L the flow gets L / penalty (> 0)
  double cap = std::numeric_limits<double>::infinity();  ///< largest rate its own constraints allow (> 0)
};

class SharedLinkFluid {
 public:
  /// Two events closer than this (s) are one (SimGrid's surf/precision).
  static constexpr double kTimeEps = 1e-9;

  /// `capacity`: the shared link's capacity in solver units (sum of rates <= capacity);
  /// `rate_factor`: bytes move at rate_factor x the solved rate.
  SharedLinkFluid(double capacity, double rate_factor);

  /// Flow `flow` starts at `now` (not before the model's time). Returns its id (ids of
  /// finished or withdrawn flows are reused).
  int start(double now, const FluidFlow& flow);
  /// Withdraws flow `id` at `now`: it moves no more bytes. Nothing happens if it finished.
  void withdraw(double now, int id);
  /// From `now` on, flow `id` has this penalty and cap (a link on its way changed).
  void reshape(double now, int id, double penalty, double cap);

  /// When the next flow activates or finishes; +infinity if none will.
  double next_event() const;
  /// Brings the model to `now`, processing in time order every activation and completion due
  /// by then. Returns the flows that finished, in order of completion (ties by id).
  std::vector<int> advance(double now);

  bool running(int id) const;
  int flows() const { return live_; }
  /// Bytes/s flow `id` moves now (0 in its latency phase).
  double rate(int id) const;
  /// Bytes flow `id` still has to move, as of the model's time.
  double remaining(int id) const;
  /// The water level L (+infinity when the shared link is not saturated).
  double level() const { return level_; }
  double time() const { return now_; }

 private:
  enum class State : uint8_t { Free, Latency, Capped, Uncapped };
  struct Flow {
    State state = State::Free;
    double penalty = 1, cap = 0, theta = 0;
    double remaining = 0;  ///< Latency: bytes; Capped: bytes left at `since`; Uncapped: unused
    double since = 0;      ///< Capped: the time `remaining` refers to
    double key = 0;        ///< Latency: activation time; Capped: finish time; Uncapped: virtual finish
  };
  using Keyed = std::set<std::pair<double, int>>;

  void sync(double t);
  void make_capped(int id);
  void make_uncapped(int id);
  void leave(int id);  ///< out of every set, remaining brought up to date
  void solve();
  double remaining_now(const Flow& f) const;
  double uncapped_finish_time(double v_finish) const;

  double capacity_, factor_;
  double now_ = 0;
  double virtual_ = 0;  ///< V
  double level_ = std::numeric_limits<double>::infinity();
  long double capped_sum_ = 0;       ///< sum of caps of the capped flows
  long double uncapped_weight_ = 0;  ///< sum of 1 / penalty of the uncapped flows
  std::vector<Flow> flows_;
  std::vector<int> free_ids_;
  int live_ = 0;
  Keyed latency_;          ///< (activation time, id)
  Keyed capped_theta_, uncapped_theta_;
  Keyed capped_finish_;    ///< (finish time, id)
  Keyed uncapped_finish_;  ///< (virtual finish, id)
};

}  // namespace flemu
