#include "emulator/core/host_transfer.hpp"

#include "emulator/core/device_transfer.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {
namespace {

int g_token = 0;
int* g_sink = nullptr;

// The helper's end: it only completes a comm the caller already posted (if the caller was
// killed first, SimGrid took its comm out of the mailbox and there is nothing to do).
void complete(sg4::Mailbox* mailbox, int from, int to, bool helper_sends, uint64_t bytes) {
  sg4::Actor::self()->daemonize();
  if (mailbox->empty()) return;
  try {
    sg4::CommPtr c = start_peer_flow(from, to, [&] {
      return helper_sends ? mailbox->put_async(&g_token, bytes) : mailbox->get_async<int>(&g_sink);
    });
    c->wait();
  } catch (const simgrid::Exception&) {
    // The caller's device went off or a link failed: the caller's side sees it and handles it.
  }
}

void transfer(const StarPlatform& platform, int self, int other, bool self_sends, const std::string& channel,
              uint64_t bytes) {
  sg4::Mailbox* mailbox = sg4::Mailbox::by_name(channel);
  const int from = self_sends ? self : other, to = self_sends ? other : self;
  sg4::CommPtr mine = start_peer_flow(from, to, [&] {
    return self_sends ? mailbox->put_async(&g_token, bytes) : mailbox->get_async<int>(&g_sink);
  });
  sg4::Actor::create(channel, platform.devices[static_cast<size_t>(other)],
                     [mailbox, from, to, self_sends, bytes] { complete(mailbox, from, to, !self_sends, bytes); });
  try {
    mine->wait();
  } catch (const simgrid::Exception&) {  // a link failed (a killed caller just dies)
    peer_flow_ended(from, to);
    throw;
  }
  peer_flow_ended(from, to);
}

}  // namespace

void send_to_device(const StarPlatform& platform, int self, int to, const std::string& channel, uint64_t bytes) {
  transfer(platform, self, to, true, channel, bytes);
}

void receive_from_device(const StarPlatform& platform, int self, int from, const std::string& channel, uint64_t bytes) {
  transfer(platform, self, from, false, channel, bytes);
}

}  // namespace flemu
