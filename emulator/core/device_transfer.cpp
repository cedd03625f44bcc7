#include "emulator/core/device_transfer.hpp"

#include <exception>
#include <memory>
#include <stdexcept>
#include <string>

namespace sg4 = simgrid::s4u;

namespace flemu {
namespace {

// A mailbox comm must carry a payload pointer, and a receive a place to store it; nobody
// reads either.
int g_token = 0;
int* g_sink = nullptr;

sg4::Mailbox* device_mailbox(int device, TransferWay way) {
  // by_name makes the mailbox on first use and SimGrid keeps it: one per device and way,
  // reused by each of its transfers (a device runs at most one client actor at a time). One
  // per way, so that a download posted by RoundTransfers can never match its own upload.
  return sg4::Mailbox::by_name((way == TransferWay::ToDevice ? "to-device-" : "to-server-") + std::to_string(device));
}

// The helper's end of one transfer. It only ever completes a comm the device has already
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

void transfer_bytes(TransferWay way, sg4::Host* server, int device, uint64_t bytes, ServerEnd server_end) {
  sg4::Mailbox* mailbox = device_mailbox(device, way);
  // The device's side first, then (if needed) the helper that completes it (serve_transfer).
  sg4::CommPtr mine =
      way == TransferWay::ToDevice ? mailbox->get_async<int>(&g_sink) : mailbox->put_async(&g_token, bytes);
  if (server_end == ServerEnd::Helper)
    sg4::Actor::create(mailbox->get_name(), server, [mailbox, way, bytes] { serve_transfer(mailbox, way, bytes); });
  mine->wait();
}

RoundTransfers::RoundTransfers(sg4::Host* server, std::vector<int> devices, std::vector<uint64_t> download_bytes)
    : posted_(std::make_shared<std::vector<sg4::CommPtr>>()) {
  if (download_bytes.size() != devices.size())
    throw std::logic_error("RoundTransfers: one download size per device");
  auto posted = posted_;
  actor_ = sg4::Actor::create("round-transfers", server,
                              [posted, devices = std::move(devices), bytes = std::move(download_bytes)] {
    sg4::Actor::self()->daemonize();
    posted->reserve(2 * devices.size());
    for (size_t i = 0; i < devices.size(); ++i) {
      const int d = devices[i];
      posted->push_back(device_mailbox(d, TransferWay::ToDevice)->put_async(&g_token, bytes[i]));
      posted->push_back(device_mailbox(d, TransferWay::ToServer)->get_async<int>(&g_sink));
    }
    // Wait until the round is over and kills this actor. Not suspend(): a suspended actor's
    // comms are suspended with it.
    sg4::Semaphore::create(0)->acquire();
  });
}

RoundTransfers::~RoundTransfers() {
  // Killing the actor cancels its comms still waiting in a mailbox (their devices were lost or
  // killed) and takes them out, so the next round's transfers match only their own. Not while
  // the server itself is being killed (no simcalls then): the daemon dies with the simulation.
  if (std::uncaught_exceptions() == 0) actor_->kill();
}

}  // namespace flemu
