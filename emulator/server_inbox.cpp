#include "emulator/server_inbox.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

ServerInbox::ServerInbox() : mailbox_(sg4::Mailbox::by_name(Federation::server_mailbox)) {
  mailbox_->set_receiver(sg4::Actor::self());
}

std::unique_ptr<ServerMessage> ServerInbox::next(double timeout_s) {
  if (!pending_) pending_ = mailbox_->get_async<ServerMessage>(&slot_);
  try {
    if (sg4::Comm::wait_any_for({pending_}, timeout_s) < 0) return nullptr;
  } catch (const simgrid::NetworkFailureException&) {
    pending_ = nullptr;  // the sender's device went off mid-upload: its update is lost
    return nullptr;
  }
  pending_ = nullptr;
  return std::unique_ptr<ServerMessage>(slot_);
}

}  // namespace flemu
