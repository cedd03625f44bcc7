#include "emulator/core/host_transfer.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {
namespace {

int g_token = 0;
int* g_sink = nullptr;

// The helper's end: it only completes a comm the caller already posted (if the caller was
// killed first, SimGrid took its comm out of the mailbox and there is nothing to do).
void complete(sg4::Mailbox* mailbox, bool helper_sends, uint64_t bytes) {
  sg4::Actor::self()->daemonize();
  if (mailbox->empty()) return;
  try {
    if (helper_sends)
      mailbox->put(&g_token, bytes);
    else
      mailbox->get<int>();
  } catch (const simgrid::Exception&) {
    // The caller's host went off or a link failed: the caller's side sees it and handles it.
  }
}

}  // namespace

void send_to_host(sg4::Host* to, const std::string& channel, uint64_t bytes) {
  sg4::Mailbox* mailbox = sg4::Mailbox::by_name(channel);
  sg4::CommPtr mine = mailbox->put_async(&g_token, bytes);
  sg4::Actor::create(channel, to, [mailbox, bytes] { complete(mailbox, false, bytes); });
  mine->wait();
}

void receive_from_host(sg4::Host* from, const std::string& channel, uint64_t bytes) {
  sg4::Mailbox* mailbox = sg4::Mailbox::by_name(channel);
  sg4::CommPtr mine = mailbox->get_async<int>(&g_sink);
  sg4::Actor::create(channel, from, [mailbox, bytes] { complete(mailbox, true, bytes); });
  mine->wait();
}

}  // namespace flemu
