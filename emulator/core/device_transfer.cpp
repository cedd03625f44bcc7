#include "emulator/core/device_transfer.hpp"

#include "emulator/core/fluid_transfers.hpp"

#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include <xbt/config.hpp>

#include "emulator/core/fleet.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {
namespace {

// A mailbox comm must carry a payload pointer, and a receive a place to store it; nobody
// reads either.
int g_token = 0;
int* g_sink = nullptr;

/// The installed rules with what is derived from them once.
struct Rules {
  TransferRules given;
  double latency_factor = 1;
  std::vector<double> latency_to_server, latency_to_device;  ///< route latency per device, s
  bool managed(int device) const {
    const auto& changes = given.platform->links_change;
    return (!changes.empty() && changes[device]) || (given.fleet && given.fleet->wants_activity(device));
  }
};
std::unique_ptr<Rules> g_rules;

sg4::Mailbox* device_mailbox(int device, TransferWay way) {
  // by_name makes the mailbox on first use and SimGrid keeps it: one per device and way,
  // reused by each of its transfers (a device runs at most one client actor at a time). One
  // per way, so that a download posted by RoundTransfers can never match its own upload.
  return sg4::Mailbox::by_name((way == TransferWay::ToDevice ? "to-device-" : "to-server-") + std::to_string(device));
}

/// The end of a managed flow's latency if it starts now (as SimGrid computes it).
double latency_end(int device, TransferWay way) {
  const auto& lat = way == TransferWay::ToDevice ? g_rules->latency_to_device : g_rules->latency_to_server;
  return sg4::Engine::get_clock() + lat[device] * g_rules->latency_factor;
}

/// Lifts the links of `route` below their peak to it for the instant a flow starts (see
/// device_transfer.hpp); restores them when destroyed.
class LiftedLinks {
 public:
  void lift(sg4::Link* link, double peak) {
    const double now_rate = link->get_bandwidth();
    if (now_rate >= peak) return;
    link->set_bandwidth(peak);
    lifted_.emplace_back(link, now_rate);
  }
  ~LiftedLinks() {
    for (auto it = lifted_.rbegin(); it != lifted_.rend(); ++it) it->first->set_bandwidth(it->second);
  }

 private:
  std::vector<std::pair<sg4::Link*, double>> lifted_;
};

/// Resumes a managed flow at the end of its latency, sharing as SimGrid shares a flow whose
/// latency it paid itself. SimGrid 3.32's Action::resume() gives the flow's LMM variable
/// Action::sharing_penalty_, a field that NetworkCm02Action shadows with its own (the route's
/// latency, plus weight-S / bandwidth per link under LV08): the base field still holds its
/// default 1.0, so a resumed flow competed on a contended link as if its penalty were 1, and
/// a flow with a short route got less than SimGrid gives it (tests/test_shared_link.cpp:
/// up to 8% on a transfer's duration behind a shared server link, and anarchic runs that
/// made a different number of transfers). NetworkCm02Link::set_latency puts each flow of the
/// link back at its own penalty (and recomputes the same TCP-gamma bound): setting
/// `own_link`'s latency to itself repairs it. `own_link` is a link of the managed device on
/// the flow's route: every flow on it involves that device, so all are managed and any of
/// them still paying its latency is suspended, which set_latency leaves alone. Not for a
/// route without latency: SimGrid never applies the penalty to those (they keep 1.0).
void resume_flow(const sg4::CommPtr& comm, sg4::Link* own_link, double route_latency) {
  comm->resume();  // on the s4u object that suspended it; a no-op once the flow failed
  if (route_latency > 0 && own_link) own_link->set_latency(own_link->get_latency());
}

/// The link resume_flow repairs for a transfer between the server and `device`: the device's
/// own link the transfer crosses, where a shared server link makes flows compete; none
/// without one: each flow is then alone on its links (one transfer per device at a time),
/// its penalty changes nothing, and a repair would only move the last bits of rounding.
sg4::Link* access_link(int device, TransferWay way) {
  const StarPlatform& p = *g_rules->given.platform;
  if (!p.server_link) return nullptr;
  return way == TransferWay::ToDevice ? p.downlinks[device] : p.uplinks[device];
}

double route_latency(int device, TransferWay way) {
  return (way == TransferWay::ToDevice ? g_rules->latency_to_device : g_rules->latency_to_server)[device];
}

/// Starts a managed flow: `post` must match the other side's posted comm (so that the flow
/// starts in it). See device_transfer.hpp for the why of each step.
sg4::CommPtr start_suspended(int device, TransferWay way, const std::function<sg4::CommPtr()>& post) {
  const StarPlatform& p = *g_rules->given.platform;
  LiftedLinks lifted;
  if (way == TransferWay::ToDevice)
    lifted.lift(p.downlinks[device], p.downlink_peak[device]);
  else
    lifted.lift(p.uplinks[device], p.uplink_peak[device]);
  sg4::CommPtr comm = post();
  comm->suspend();
  return comm;
}

// The helper's end of one transfer. It only ever completes a comm the device has already
// posted: if the device's actor was killed before this helper ran, SimGrid cancelled its comm
// and took it out of the mailbox, and the helper must not leave a comm of its own there for
// the device's next transfer to match. For a managed flow the helper starts it (its post
// matches), so it also resumes it once the latency is paid: a resume only acts on the s4u
// object that suspended.
void serve_transfer(sg4::Mailbox* mailbox, TransferWay way, uint64_t bytes, int device, double managed_latency_end) {
  sg4::Actor::self()->daemonize();  // never keeps a finished simulation alive
  if (mailbox->empty()) return;
  try {
    auto post = [&]() -> sg4::CommPtr {
      return way == TransferWay::ToDevice ? mailbox->put_async(&g_token, bytes) : mailbox->get_async<int>(&g_sink);
    };
    if (managed_latency_end < 0) {
      post()->wait();
      return;
    }
    sg4::CommPtr comm = start_suspended(device, way, post);
    sg4::this_actor::sleep_until(managed_latency_end);
    resume_flow(comm, access_link(device, way), route_latency(device, way));
    comm->wait();
  } catch (const simgrid::Exception&) {
    // The device went off or its actor was killed mid-transfer, or a link went off: the
    // device's side sees it too and handles it; the server's end has nothing to do.
  }
}

/// Tells the fleet's meter about the device's flows, also when its actor is killed.
class FlowBooking {
 public:
  FlowBooking(Fleet* fleet, int device) : fleet_(fleet), device_(device) {
    if (fleet_) fleet_->flow_started(device_);
  }
  ~FlowBooking() {
    if (fleet_) fleet_->flow_ended(device_);
  }
  FlowBooking(const FlowBooking&) = delete;
  FlowBooking& operator=(const FlowBooking&) = delete;

 private:
  Fleet* fleet_;
  int device_;
};

}  // namespace

sg4::CommPtr start_peer_flow(int from, int to, const std::function<sg4::CommPtr()>& post) {
  if (!g_rules || !(g_rules->managed(from) || g_rules->managed(to))) return post();
  const StarPlatform& p = *g_rules->given.platform;
  sg4::CommPtr comm;
  {
    LiftedLinks lifted;
    if (!p.uplinks.empty()) {  // access links: the sender's uplink, the receiver's downlink
      lifted.lift(p.uplinks[from], p.uplink_peak[from]);
      lifted.lift(p.downlinks[to], p.downlink_peak[to]);
    }
    comm = post();
    if (comm->get_source() == nullptr) return comm;  // the other side's post will start it
    comm->suspend();
  }
  std::vector<sg4::Link*> links;
  double latency = 0;
  p.devices[from]->route_to(p.devices[to], links, &latency);
  const double latency_end_s = sg4::Engine::get_clock() + latency * g_rules->latency_factor;
  // A link of a managed end: its access link on a star, else the direct link (which only
  // carries flows from `from` to `to`).
  sg4::Link* own_link = !p.uplinks.empty() ? (g_rules->managed(from) ? p.uplinks[from] : p.downlinks[to])
                                           : (links.empty() ? nullptr : links.front());
  Fleet* fleet = g_rules->given.fleet;
  sg4::Actor::create("peer-flow", p.server, [comm, latency_end_s, fleet, from, to, own_link, latency] {
    sg4::Actor::self()->daemonize();
    sg4::this_actor::sleep_until(latency_end_s);
    resume_flow(comm, own_link, latency);
    if (fleet && fleet->wants_activity(from)) fleet->activity_changed(from);
    if (fleet && fleet->wants_activity(to)) fleet->activity_changed(to);
  });
  return comm;
}

void peer_flow_ended(int from, int to) {
  Fleet* fleet = g_rules ? g_rules->given.fleet : nullptr;
  if (!fleet) return;
  if (fleet->wants_activity(from)) fleet->activity_changed(from);
  if (fleet->wants_activity(to)) fleet->activity_changed(to);
}

void install_transfer_rules(const TransferRules& rules) {
  g_rules = std::make_unique<Rules>();
  g_rules->given = rules;
  g_rules->latency_factor = simgrid::config::get_value<double>("network/latency-factor");
  const StarPlatform& p = *rules.platform;
  for (size_t d = 0; d < p.devices.size(); ++d) {
    std::vector<sg4::Link*> links;
    double up = 0, down = 0;
    p.devices[d]->route_to(p.server, links, &up);
    links.clear();
    p.server->route_to(p.devices[d], links, &down);
    g_rules->latency_to_server.push_back(up);
    g_rules->latency_to_device.push_back(down);
  }
}

void clear_transfer_rules() { g_rules.reset(); }

void transfer_bytes(TransferWay way, sg4::Host* server, int device, uint64_t bytes, ServerEnd server_end,
                    FluidTransfers* fluid) {
  // Fluid flows need no managing: choose_shared_link_model excludes link changes and radio
  // power, and the compute power the meter reads does not depend on flows.
  if (fluid) {
    fluid->transfer(way, device, bytes);
    return;
  }
  sg4::Mailbox* mailbox = device_mailbox(device, way);
  auto post = [&]() -> sg4::CommPtr {
    return way == TransferWay::ToDevice ? mailbox->get_async<int>(&g_sink) : mailbox->put_async(&g_token, bytes);
  };
  if (!g_rules || !g_rules->managed(device)) {
    // The device's side first, then (if needed) the helper that completes it (serve_transfer).
    sg4::CommPtr mine = post();
    if (server_end == ServerEnd::Helper)
      sg4::Actor::create(mailbox->get_name(), server,
                         [mailbox, way, bytes, device] { serve_transfer(mailbox, way, bytes, device, -1); });
    mine->wait();
    return;
  }
  Fleet* fleet = g_rules->given.fleet && g_rules->given.fleet->wants_activity(device) ? g_rules->given.fleet : nullptr;
  FlowBooking booking(fleet, device);
  const double latency_end_s = latency_end(device, way);
  sg4::CommPtr mine;
  if (server_end == ServerEnd::Posted) {
    mine = start_suspended(device, way, post);  // the server's end is posted: the flow starts here
  } else {
    mine = post();
    sg4::Actor::create(mailbox->get_name(), server, [mailbox, way, bytes, device, latency_end_s] {
      serve_transfer(mailbox, way, bytes, device, latency_end_s);
    });
  }
  if (sg4::Comm::wait_any_for({mine}, latency_end_s - sg4::Engine::get_clock()) < 0) {
    // The latency is paid: the bytes start to flow.
    if (server_end == ServerEnd::Posted) resume_flow(mine, access_link(device, way), route_latency(device, way));
    if (fleet) fleet->activity_changed(device);
  }
  mine->wait();
  if (fleet) fleet->activity_changed(device);
}

RoundTransfers::RoundTransfers(sg4::Host* server, std::vector<int> devices, std::vector<uint64_t> download_bytes)
    : posted_(std::make_shared<std::vector<sg4::CommPtr>>()) {
  if (download_bytes.size() != devices.size())
    throw std::logic_error("RoundTransfers: one download size per device expected");
  // The actor only borrows the list: were its code to own the comms, each comm (which holds
  // its actors) would keep the actor that holds it alive, and every round would leak one
  // actor with its stack (after ~30,000 rounds: "Failed to protect stack").
  std::weak_ptr<std::vector<sg4::CommPtr>> list = posted_;
  actor_ = sg4::Actor::create("round-transfers", server,
                              [list, devices = std::move(devices), bytes = std::move(download_bytes)] {
    sg4::Actor::self()->daemonize();
    auto posted = list.lock();
    posted->reserve(2 * devices.size());
    for (size_t i = 0; i < devices.size(); ++i) {
      posted->push_back(device_mailbox(devices[i], TransferWay::ToDevice)->put_async(&g_token, bytes[i]));
      posted->push_back(device_mailbox(devices[i], TransferWay::ToServer)->get_async<int>(&g_sink));
    }
    posted.reset();
    // Wait until the round is over and kills this actor. Not suspend(): a suspended actor's
    // comms are suspended with it.
    sg4::Semaphore::create(0)->acquire();
  });
}

RoundTransfers::~RoundTransfers() {
  // Killing the actor cancels its comms still waiting in a mailbox (their devices were lost or
  // killed) and takes them out, so the next round's transfers match only their own. Not while
  // the server itself is being killed (no simcalls then): the daemon dies with the simulation.
  if (std::uncaught_exceptions() > 0) {
    // A failing run: the comms die with it; destroying them while they run would have
    // SimGrid complain, so their handles are let go of without a release.
    for (auto& comm : *posted_) comm.detach();
    return;
  }
  actor_->kill();
  posted_->clear();
}

}  // namespace flemu
