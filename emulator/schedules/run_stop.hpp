// How the actors of an asynchronous decentralized schedule end with the run: the rounds'
// bookkeeping actor decides the stop (StopRule); then no clock ticks again and every
// computation or transfer still in flight is cancelled at that instant, so the run ends exactly
// at its last round, and nothing half-done is recorded. Clock actors sleep and wait through
// this object. Single-threaded like every actor (SimGrid runs one at a time).
#pragma once
#include <algorithm>
#include <vector>

#include <simgrid/Exception.hpp>
#include <simgrid/s4u.hpp>

namespace flemu {

class RunStop {
 public:
  RunStop() : mutex_(simgrid::s4u::Mutex::create()), wake_(simgrid::s4u::ConditionVariable::create()) {}
  bool stopped() const { return stopped_; }

  /// Sleeps `seconds` unless the run stops first; false once it has stopped.
  bool sleep_for(double seconds) {
    std::unique_lock<simgrid::s4u::Mutex> lock(*mutex_);
    if (!stopped_) wake_->wait_for(lock, seconds);
    return !stopped_;
  }

  /// Waits for `activities` (all started), one after the other; false when the stop cancelled
  /// them. Other failures (a device that went off) cancel the rest and are rethrown.
  bool wait(const std::vector<simgrid::s4u::ActivityPtr>& activities) {
    if (stopped_) {
      for (const auto& a : activities) a->cancel();
      return false;
    }
    for (const auto& a : activities) inflight_.push_back(a);
    size_t done = 0;
    try {
      for (; done < activities.size(); ++done) activities[done]->wait();
    } catch (const simgrid::Exception&) {
      // A cancelled comm surfaces as a network failure on some sides: the stop decides.
      for (const auto& a : activities) forget(a);
      if (stopped_) return false;
      for (size_t k = done + 1; k < activities.size(); ++k) activities[k]->cancel();
      throw;
    }
    for (const auto& a : activities) forget(a);
    return true;
  }
  bool wait(const simgrid::s4u::ActivityPtr& activity) { return wait(std::vector<simgrid::s4u::ActivityPtr>{activity}); }

  /// The run is over: wakes every sleeper and cancels what is in flight.
  void stop() {
    stopped_ = true;
    // In the order they started (never by address: the trace must not depend on memory).
    for (const auto& a : std::vector<simgrid::s4u::ActivityPtr>(inflight_)) a->cancel();
    std::unique_lock<simgrid::s4u::Mutex> lock(*mutex_);
    wake_->notify_all();
  }

 private:
  void forget(const simgrid::s4u::ActivityPtr& activity) {
    auto it = std::find(inflight_.begin(), inflight_.end(), activity);
    if (it != inflight_.end()) inflight_.erase(it);
  }
  bool stopped_ = false;
  simgrid::s4u::MutexPtr mutex_;
  simgrid::s4u::ConditionVariablePtr wake_;
  std::vector<simgrid::s4u::ActivityPtr> inflight_;
};

}  // namespace flemu
