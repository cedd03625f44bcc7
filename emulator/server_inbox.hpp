// The server's mailbox, read with timeouts that do not lose messages.
//
// SimGrid 3.32 kills a comm whose timed wait expires (../shared/FACTS.md); so the inbox keeps
// one receive posted and polls it with Comm::wait_any_for, which leaves it running. The
// mailbox has the server as permanent receiver, so uploads flow as soon as they are sent.
// Advances simulated time (next() waits).
#pragma once
#include <memory>

#include <simgrid/s4u.hpp>

#include "emulator/client_actor.hpp"

namespace flemu {

class ServerInbox {
 public:
  ServerInbox();
  /// The next message, or nullptr if none arrived within `timeout_s` simulated seconds (or
  /// the sender died mid-transfer).
  std::unique_ptr<ServerMessage> next(double timeout_s);

 private:
  simgrid::s4u::Mailbox* mailbox_;
  simgrid::s4u::CommPtr pending_;
  ServerMessage* slot_ = nullptr;
};

}  // namespace flemu
