#include "emulator/device_transfer.hpp"

#include <string>

namespace sg4 = simgrid::s4u;

namespace flemu {
namespace {

// A mailbox comm must carry a payload pointer; nobody reads it.
int g_token = 0;

// The server's end of one transfer. It only ever completes a comm the device has already
// posted: if the device's actor was killed before this helper ran, SimGrid cancelled its comm
// and took it out of the mailbox, and the helper must not leave a comm of its own there for
// the device's next transfer to match.
void serve_transfer(sg4::Mailbox* mailbox, TransferWay way, uint64_t bytes) {
  sg4::Actor::self()->daemonize();  // never keeps a finished simulation alive
  if (mailbox->empty()) return;
  try {
    if (way == TransferWay::ToDevice) {
      mailbox->put(&g_token, bytes);
    } else {
      mailbox->get<int>();
    }
  } catch (const simgrid::Exception&) {
    // The device went off or its actor was killed mid-transfer, or a link went off: the
    // device's side sees it too and handles it; the server's end has nothing to do.
  }
}

}  // namespace

void transfer_bytes(TransferWay way, sg4::Host* server, int device, uint64_t bytes) {
  // by_name makes the mailbox on first use and SimGrid keeps it: one per device, reused by
  // each of its transfers (a device runs at most one client actor at a time).
  const std::string name = "device-" + std::to_string(device);
  sg4::Mailbox* mailbox = sg4::Mailbox::by_name(name);
  int* received = nullptr;
  // The device's side first, then the helper that completes it (see serve_transfer).
  sg4::CommPtr mine =
      way == TransferWay::ToDevice ? mailbox->get_async<int>(&received) : mailbox->put_async(&g_token, bytes);
  sg4::Actor::create(name, server, [mailbox, way, bytes] { serve_transfer(mailbox, way, bytes); });
  mine->wait();
}

}  // namespace flemu
