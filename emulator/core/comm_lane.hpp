// A second lane of work on one device, beside its compute: what a CUDA communication stream
// (or NCCL's proxy thread, or CO2's all-reduce thread) is to a GPU.
//
// launch() returns at once; the operation runs as its own actor on the device's host, after
// every operation launched before it on the same lane (in-order, like a stream). wait() is
// the join point: it blocks the calling actor until that operation is over. Compute and
// communication then overlap in simulated time; whatever both execute on the host (flops of
// the compute, of a reduction) is shared among its cores as SimGrid shares any two
// executions on one host.
//
// Operations are daemons: a run ends when its schedule's main actors end, whatever is still on
// a lane (an all-reduce in flight when the last round closes). Operations that raise abort the
// run (a lane is for collectives of a run without failures).
#pragma once
#include <functional>
#include <string>

#include <simgrid/s4u.hpp>

namespace flemu {

class CommLane {
 public:
  /// A launched operation; copyable, cheap.
  using Ticket = simgrid::s4u::ActorPtr;

  CommLane(simgrid::s4u::Host* host, std::string name) : host_(host), name_(std::move(name)) {}

  /// Starts `op` after the lane's previous operations; returns without waiting.
  Ticket launch(std::function<void()> op) {
    Ticket before = last_;
    last_ = simgrid::s4u::Actor::create(name_ + "-" + std::to_string(launched_++), host_,
                                        [before, op = std::move(op)]() mutable {
                                          // Never keeps a finished run alive (like the
                                          // device's own actor, which waits for what matters).
                                          simgrid::s4u::Actor::self()->daemonize();
                                          // Let go of the previous operation once it is
                                          // over, so that a long lane is not a long chain.
                                          if (before) before->join();
                                          before = nullptr;
                                          op();
                                        });
    return last_;
  }
  /// Blocks until `ticket`'s operation (hence every earlier one of its lane) is over.
  static void wait(const Ticket& ticket) {
    if (ticket) ticket->join();
  }
  /// Blocks until every operation launched so far is over.
  void drain() { wait(last_); }
  /// Operations launched so far.
  int launched() const { return launched_; }

 private:
  simgrid::s4u::Host* host_;
  std::string name_;
  Ticket last_;
  int launched_ = 0;
};

}  // namespace flemu
