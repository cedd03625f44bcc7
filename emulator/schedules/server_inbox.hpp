// The server's inbox: messages in the order their transfers completed, and the fleet's news of
// devices switched on or off, in one queue the server waits on.
//
// A client moves the bytes of its message to the server (transfer_bytes: simulated time, link
// sharing and energy as any transfer), then hands the message over here and wakes the server
// through a semaphore. Why not one server mailbox that all uploads go to: a mailbox delivers
// in the order sends were posted, so one slow upload at the head hides every later one (and
// matching N senders on one mailbox is O(N^2), ../shared/FACTS.md). Why the fleet's news come
// here too: a server then sleeps until something it cares about happens (an update, a device
// lost or back, its own deadline), never polling, so the wall time of a run follows its
// number of events, not its simulated span.
#pragma once
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <simgrid/s4u.hpp>

#include "emulator/core/fleet.hpp"
#include "emulator/schedules/client_actor.hpp"

namespace flemu {

class ServerInbox : public FleetObserver {
 public:
  /// `fluid`: the run's fluid shared link, if any (device_transfer.hpp).
  explicit ServerInbox(simgrid::s4u::Host* server, FluidTransfers* fluid = nullptr);

  /// One thing for the server: a client's message, or (message == nullptr) the news that
  /// `device` went on or off.
  struct Item {
    std::unique_ptr<ServerMessage> message;
    int device = -1;
    bool on = false;
    std::string error;  ///< a client's failure (fail()); next() throws it
  };

  /// Client side, on device `device`: transfers `bytes` to the server (`server_end` completes
  /// the transfer, device_transfer.hpp). If the device goes off meanwhile, SimGrid kills the
  /// caller: nothing arrives.
  void send(int device, double bytes, ServerEnd server_end);
  /// Client side, once its bytes are in (send): hands `message` to the server and wakes it.
  void post(std::unique_ptr<ServerMessage> message);
  /// Client side, when its work failed (a job threw): the server's next() throws
  /// std::runtime_error(`what`), which ends the run with that error.
  void fail(const std::string& what);
  /// Server side: the next item, or false when none came before the simulated time `until_s`
  /// (+inf: wait for the next item, however long). Throws what a client reported with fail().
  bool next(double until_s, Item& item);

  void on_device_state(int device, bool on, const std::string& reason) override;
  /// Called by next() on each client message, in the server actor, before it is returned:
  /// compressed runs decode the payload there (emulator/core/update_compression.hpp).
  void set_decoder(std::function<void(ServerMessage&)> decoder) { decoder_ = std::move(decoder); }

 private:
  simgrid::s4u::Host* server_;
  FluidTransfers* fluid_;
  simgrid::s4u::SemaphorePtr arrived_;
  std::deque<Item> queue_;
  std::function<void(ServerMessage&)> decoder_;
};

}  // namespace flemu
