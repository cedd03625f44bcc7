#include "platforms/shared_link_fluid.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace flemu {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

SharedLinkFluid::SharedLinkFluid(double capacity, double rate_factor) : capacity_(capacity), factor_(rate_factor) {
  if (!(capacity > 0) || !std::isfinite(capacity))
    throw std::invalid_argument("SharedLinkFluid: capacity must be positive and finite");
  if (!(rate_factor > 0) || !std::isfinite(rate_factor))
    throw std::invalid_argument("SharedLinkFluid: rate factor must be positive and finite");
}

int SharedLinkFluid::start(double now, const FluidFlow& flow) {
  if (!(flow.bytes >= 0) || !(flow.latency_s >= 0) || !(flow.penalty > 0) || !(flow.cap > 0))
    throw std::invalid_argument("SharedLinkFluid::start: bytes and latency >= 0, penalty and cap > 0");
  sync(now);
  int id;
  if (!free_ids_.empty()) {
    id = free_ids_.back();
    free_ids_.pop_back();
  } else {
    id = static_cast<int>(flows_.size());
    flows_.emplace_back();
  }
  Flow& f = flows_[id];
  f = Flow{};
  f.state = State::Latency;
  f.penalty = flow.penalty;
  f.cap = flow.cap;
  f.theta = flow.cap * flow.penalty;
  f.remaining = flow.bytes;
  f.key = now_ + flow.latency_s;
  latency_.insert({f.key, id});
  ++live_;
  return id;
}

void SharedLinkFluid::withdraw(double now, int id) {
  if (!running(id)) return;
  sync(now);
  leave(id);
  flows_[id].state = State::Free;
  free_ids_.push_back(id);
  --live_;
  solve();
}

void SharedLinkFluid::reshape(double now, int id, double penalty, double cap) {
  if (!running(id)) return;
  if (!(penalty > 0) || !(cap > 0)) throw std::invalid_argument("SharedLinkFluid::reshape: penalty and cap > 0");
  sync(now);
  Flow& f = flows_[id];
  if (f.state == State::Latency) {
    f.penalty = penalty;
    f.cap = cap;
    f.theta = cap * penalty;
    return;
  }
  leave(id);
  f.penalty = penalty;
  f.cap = cap;
  f.theta = cap * penalty;
  if (std::isfinite(f.theta) && f.theta <= level_)
    make_capped(id);
  else
    make_uncapped(id);
  solve();
}

bool SharedLinkFluid::running(int id) const {
  return id >= 0 && id < static_cast<int>(flows_.size()) && flows_[id].state != State::Free;
}

double SharedLinkFluid::rate(int id) const {
  if (!running(id)) return 0;
  const Flow& f = flows_[id];
  switch (f.state) {
    case State::Capped: return factor_ * f.cap;
    case State::Uncapped: return factor_ * level_ / f.penalty;
    default: return 0;
  }
}

double SharedLinkFluid::remaining(int id) const { return running(id) ? remaining_now(flows_[id]) : 0.0; }

double SharedLinkFluid::remaining_now(const Flow& f) const {
  switch (f.state) {
    case State::Capped: return std::max(0.0, f.remaining - factor_ * f.cap * (now_ - f.since));
    case State::Uncapped: return std::max(0.0, (f.key - virtual_) / f.penalty);
    default: return f.remaining;
  }
}

double SharedLinkFluid::uncapped_finish_time(double v_finish) const {
  return now_ + std::max(0.0, v_finish - virtual_) / (factor_ * level_);
}

void SharedLinkFluid::sync(double t) {
  if (!(t > now_)) return;
  if (!uncapped_theta_.empty()) virtual_ += factor_ * level_ * (t - now_);
  now_ = t;
}

void SharedLinkFluid::leave(int id) {
  Flow& f = flows_[id];
  f.remaining = remaining_now(f);
  switch (f.state) {
    case State::Latency: latency_.erase({f.key, id}); break;
    case State::Capped:
      capped_theta_.erase({f.theta, id});
      capped_finish_.erase({f.key, id});
      capped_sum_ = capped_theta_.empty() ? 0 : capped_sum_ - f.cap;
      break;
    case State::Uncapped:
      uncapped_theta_.erase({f.theta, id});
      uncapped_finish_.erase({f.key, id});
      uncapped_weight_ = uncapped_theta_.empty() ? 0 : uncapped_weight_ - 1.0L / f.penalty;
      if (uncapped_theta_.empty()) virtual_ = 0;  // no virtual finish refers to it any more
      break;
    case State::Free: break;
  }
}

void SharedLinkFluid::make_capped(int id) {
  Flow& f = flows_[id];
  f.state = State::Capped;
  f.since = now_;
  f.key = now_ + f.remaining / (factor_ * f.cap);
  capped_theta_.insert({f.theta, id});
  capped_finish_.insert({f.key, id});
  capped_sum_ += f.cap;
}

void SharedLinkFluid::make_uncapped(int id) {
  Flow& f = flows_[id];
  f.state = State::Uncapped;
  f.key = virtual_ + f.remaining * f.penalty;
  uncapped_theta_.insert({f.theta, id});
  uncapped_finish_.insert({f.key, id});
  uncapped_weight_ += 1.0L / f.penalty;
}

void SharedLinkFluid::solve() {
  // Find the partition {capped: theta <= L} that agrees with its own level L. Each move raises
  // the candidate level and never passes the true one, so this ends; a move is a flow that
  // crosses sides, which its bookkeeping needs anyway.
  const long double capacity = capacity_;
  for (int64_t moves = 0;; ++moves) {
    if (moves > 4 * (static_cast<int64_t>(live_) + 1))
      throw std::logic_error("SharedLinkFluid::solve: no consistent level after " + std::to_string(moves) + " moves");
    if (uncapped_theta_.empty()) {
      if (capped_theta_.empty() || capped_sum_ <= capacity) {
        level_ = kInf;  // every flow at its cap: the shared link is not saturated
        return;
      }
      const int id = std::prev(capped_theta_.end())->second;
      leave(id);
      make_uncapped(id);
      continue;
    }
    const long double level = (capacity - capped_sum_) / uncapped_weight_;
    if (!capped_theta_.empty() && std::prev(capped_theta_.end())->first > level) {
      const int id = std::prev(capped_theta_.end())->second;  // below its cap at this level
      leave(id);
      make_uncapped(id);
      continue;
    }
    if (uncapped_theta_.begin()->first <= level) {
      const int id = uncapped_theta_.begin()->second;  // would pass its cap at this level
      leave(id);
      make_capped(id);
      continue;
    }
    level_ = static_cast<double>(level);
    return;
  }
}

double SharedLinkFluid::next_event() const {
  double t = kInf;
  if (!latency_.empty()) t = latency_.begin()->first;
  if (!capped_finish_.empty()) t = std::min(t, capped_finish_.begin()->first);
  if (!uncapped_finish_.empty()) t = std::min(t, uncapped_finish_time(uncapped_finish_.begin()->first));
  return t;
}

std::vector<int> SharedLinkFluid::advance(double now) {
  std::vector<int> done;
  for (;;) {
    const double t = next_event();
    if (!(t <= now + kTimeEps)) break;
    sync(t);
    const double horizon = now_ + kTimeEps;
    bool moved = false;
    while (!latency_.empty() && latency_.begin()->first <= horizon) {
      const int id = latency_.begin()->second;
      latency_.erase(latency_.begin());
      // Its side at the current level; solve() settles the level with it.
      if (std::isfinite(flows_[id].theta) && flows_[id].theta <= level_)
        make_capped(id);
      else
        make_uncapped(id);
      moved = true;
    }
    if (moved) solve();
    std::vector<std::pair<double, int>> finished;
    while (!capped_finish_.empty() && capped_finish_.begin()->first <= horizon) {
      finished.push_back(*capped_finish_.begin());
      leave(capped_finish_.begin()->second);
    }
    while (!uncapped_finish_.empty() && uncapped_finish_time(uncapped_finish_.begin()->first) <= horizon) {
      const int id = uncapped_finish_.begin()->second;
      finished.emplace_back(uncapped_finish_time(uncapped_finish_.begin()->first), id);
      leave(id);
    }
    if (!moved && finished.empty()) {
      // Rounding put the earliest event a hair past the horizon it defined: finish it now.
      const int id = !capped_finish_.empty() && capped_finish_.begin()->first <= t + kTimeEps
                         ? capped_finish_.begin()->second
                         : uncapped_finish_.begin()->second;
      finished.emplace_back(now_, id);
      leave(id);
    }
    std::sort(finished.begin(), finished.end());
    for (const auto& [when, id] : finished) {
      flows_[id].state = State::Free;
      free_ids_.push_back(id);
      --live_;
      done.push_back(id);
    }
    solve();
  }
  sync(now);
  return done;
}

}  // namespace flemu
