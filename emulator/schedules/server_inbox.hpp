// The server's inbox: messages in the order their transfers completed.
//
// A client moves the bytes of its message to the server (transfer_bytes: simulated time, link
// sharing and energy as any transfer), then hands the message over here and wakes the server
// through a semaphore. Why not one server mailbox that all uploads go to: a mailbox delivers
// in the order sends were posted, so one slow upload at the head hides every later one (and
// matching N senders on one mailbox is O(N^2), ../shared/FACTS.md).
#pragma once
#include <deque>
#include <memory>

#include <simgrid/s4u.hpp>

#include "emulator/schedules/client_actor.hpp"

namespace flemu {

class ServerInbox {
 public:
  /// `fluid`: the run's fluid shared link, if any (device_transfer.hpp).
  explicit ServerInbox(simgrid::s4u::Host* server, FluidTransfers* fluid = nullptr);
  /// Client side, on device `device`: transfers `bytes` to the server (`server_end` completes
  /// the transfer, device_transfer.hpp), then delivers `message`. If the device goes off
  /// meanwhile, SimGrid kills the caller: nothing arrives.
  void deliver(int device, std::unique_ptr<ServerMessage> message, double bytes, ServerEnd server_end);
  /// Server side: the next delivered message, or nullptr if none within `timeout_s`.
  std::unique_ptr<ServerMessage> next(double timeout_s);

 private:
  simgrid::s4u::Host* server_;
  FluidTransfers* fluid_;
  simgrid::s4u::SemaphorePtr arrived_;
  std::deque<std::unique_ptr<ServerMessage>> queue_;
};

}  // namespace flemu
