// A typed queue of messages that have already crossed the network, with a semaphore to wake
// the one actor that reads it. The sender moves the message's bytes first (host_transfer.hpp or
// device_transfer.hpp: simulated time, link sharing), then pushes the message here; messages
// come out in the order their transfers completed (why not a mailbox: server_inbox.hpp).
#pragma once
#include <deque>
#include <optional>

#include <simgrid/s4u.hpp>

namespace flemu {

template <class T>
class MessageQueue {
 public:
  MessageQueue() : arrived_(simgrid::s4u::Semaphore::create(0)) {}
  void push(T message) {
    queue_.push_back(std::move(message));
    arrived_->release();
  }
  /// The next message, waiting for it; nullopt if none came within `timeout_s` (< 0: forever).
  std::optional<T> pop(double timeout_s = -1) {
    if (timeout_s < 0) {
      arrived_->acquire();
    } else if (arrived_->acquire_timeout(timeout_s)) {
      return std::nullopt;  // acquire_timeout returns true on timeout
    }
    T m = std::move(queue_.front());
    queue_.pop_front();
    return m;
  }
  bool empty() const { return queue_.empty(); }

 private:
  simgrid::s4u::SemaphorePtr arrived_;
  std::deque<T> queue_;
};

}  // namespace flemu
