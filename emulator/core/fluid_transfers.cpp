#include "emulator/core/fluid_transfers.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>

#include <xbt/config.hpp>

namespace sg4 = simgrid::s4u;

namespace flemu {

FluidTransfers* FluidTransfers::live_ = nullptr;

SharedLinkChoice choose_shared_link_model(const Scenario& sc, const std::vector<DeviceSpec>& devices,
                                          const std::vector<std::string>& simgrid_config) {
  const PlatformSpec& p = sc.platform;
  if (p.server.bandwidth_bytes_per_s <= 0) return {"none", "no shared server link: each transfer has its own links"};
  if (p.server.link_solver == SharedLinkSolver::SimGrid)
    return {"simgrid", "platform.server.link_solver is \"simgrid\""};
  const std::string& family = sc.algorithm.family;
  if (family != "sync" && family != "async" && family != "anarchic")
    return {"simgrid", "the " + family + " schedule moves bytes outside the server's transfers"};
  for (const auto& d : devices)
    if (d.power.radio_idle_w > 0 || d.power.send_w > 0 || d.power.receive_w > 0)
      return {"simgrid",
              "devices model radio power, which flemu's energy meter reads from SimGrid's link usage (fluid flows "
              "load no SimGrid link)"};
  if (!p.link_changes.empty())
    return {"simgrid", "link bandwidths change over time (platform.link_changes)"};
  // Settings the fluid model reads back from SimGrid (NetworkParams) are fine; any other
  // network or solver setting might change what SimGrid computes.
  static const std::set<std::string> read_back = {"network/latency-factor", "network/bandwidth-factor",
                                                  "network/weight-S", "network/TCP-gamma", "network/crosstraffic"};
  for (const auto& c : simgrid_config) {
    const std::string key = c.substr(0, c.find(':'));
    const std::string value = c.find(':') == std::string::npos ? "" : c.substr(c.find(':') + 1);
    if (read_back.count(key) || (key == "network/model" && (value == "LV08" || value == "CM02"))) continue;
    if (key.rfind("network/", 0) == 0 || key.rfind("maxmin/", 0) == 0 || key.rfind("surf/", 0) == 0)
      return {"simgrid", "--cfg " + c + " changes SimGrid's network solver"};
  }
  return {"fluid",
          "every flow crosses the shared server link and nothing else shares a link with it: flemu's fluid model of "
          "SimGrid's max-min sharing, O(log N) per transfer"};
}

NetworkParams NetworkParams::from_simgrid() {
  namespace cfg = simgrid::config;
  NetworkParams n;
  n.latency_factor = cfg::get_value<double>("network/latency-factor");
  n.bandwidth_factor = cfg::get_value<double>("network/bandwidth-factor");
  n.weight_s = cfg::get_value<double>("network/weight-S");
  n.tcp_gamma = cfg::get_value<double>("network/TCP-gamma");
  n.crosstraffic = cfg::get_value<bool>("network/crosstraffic");
  return n;
}

// Mirrors NetworkCm02Model::communicate (SimGrid 3.32, src/surf/network_cm02.cpp) for a route
// {shared link, device's access link}, back route {device's reverse link, shared link}.
FluidFlow star_flow(const NetworkParams& net, double bytes, double shared_bw, double shared_latency, double access_bw,
                    double reverse_bw, double access_latency) {
  const double latency = shared_latency + access_latency;
  FluidFlow f;
  f.bytes = bytes;
  f.latency_s = latency * net.latency_factor;
  // The penalty is set when the latency is paid; a flow without latency keeps the 1.0 it
  // was created with.
  f.penalty = f.latency_s > 0 ? latency + (net.weight_s > 0 ? net.weight_s / shared_bw + net.weight_s / access_bw : 0)
                              : 1.0;
  // Variable bound: the route's narrowest link, and TCP-gamma over the round trip. A bound of
  // 0 (TCP-gamma 0) means none.
  double bound = std::min(shared_bw, access_bw);
  if (latency > 0) bound = std::min(bound, net.tcp_gamma / (2.0 * latency));
  // The device's own links carry this flow alone: each is a cap. The access link at weight 1;
  // under cross-traffic the reverse link at weight 0.05.
  double cap = access_bw;
  if (bound > 0) cap = std::min(cap, bound);
  if (net.crosstraffic) cap = std::min(cap, reverse_bw / 0.05);
  f.cap = cap;
  return f;
}

double star_shared_capacity(const NetworkParams& net, double shared_bw) {
  // One element per flow on the shared link, weight 1 forward plus 0.05 back (System::expand
  // adds the two weights of one variable on one constraint).
  return shared_bw / (net.crosstraffic ? 1.05 : 1.0);
}

FluidTransfers::FluidTransfers(const StarPlatform& platform)
    : platform_(platform),
      net_(NetworkParams::from_simgrid()),
      model_(star_shared_capacity(net_, platform.server_link->get_bandwidth()), net_.bandwidth_factor),
      wake_(sg4::Semaphore::create(0)),
      flow_of_device_(platform.devices.size(), -1) {
  for (size_t i = 0; i < platform.devices.size(); ++i) device_of_host_[platform.devices[i]] = static_cast<int>(i);
  // A device that goes off loses its transfer at that instant. SimGrid fires this signal inside
  // the simcall that switches the host, where waking the daemon is safe. SimGrid 3.32's signals
  // cannot be disconnected: one process-wide slot serves the live instance.
  static bool connected = false;
  if (!connected) {
    sg4::Host::on_state_change_cb([](const sg4::Host& host) {
      if (!live_ || host.is_on()) return;
      if (auto it = live_->device_of_host_.find(&host); it != live_->device_of_host_.end())
        live_->withdraw_device(it->second);
    });
    connected = true;
  }
  live_ = this;
}

FluidTransfers::~FluidTransfers() {
  if (live_ == this) live_ = nullptr;
}

void FluidTransfers::start() {
  sg4::Actor::create("shared-link", platform_.server, [this] { run(); });
}

void FluidTransfers::poke() {
  if (poked_) return;
  poked_ = true;
  wake_->release();
}

void FluidTransfers::run() {
  sg4::Actor::self()->daemonize();
  for (;;) {
    const double now = sg4::Engine::get_clock();
    for (int id : model_.advance(now)) {
      Waiter w = std::move(waiting_[id]);
      waiting_[id] = Waiter{};
      flow_of_device_[w.device] = -1;
      w.done->release();
    }
    poked_ = false;
    const double next = model_.next_event();
    if (std::isinf(next))
      wake_->acquire();
    else
      wake_->acquire_timeout(std::max(0.0, next - now));
  }
}

void FluidTransfers::transfer(TransferWay way, int device, uint64_t bytes) {
  const bool down = way == TransferWay::ToDevice;
  const sg4::Link* access = down ? platform_.downlinks[device] : platform_.uplinks[device];
  const sg4::Link* reverse = down ? platform_.uplinks[device] : platform_.downlinks[device];
  const sg4::Link* shared = platform_.server_link;
  const FluidFlow flow = star_flow(net_, static_cast<double>(bytes), shared->get_bandwidth(), shared->get_latency(),
                                   access->get_bandwidth(), reverse->get_bandwidth(), access->get_latency());
  if (flow_of_device_[device] >= 0)
    throw std::logic_error("fluid shared link: device " + std::to_string(device) +
                           " starts a transfer while another is in flight (the model assumes one at a time)");
  const int id = model_.start(sg4::Engine::get_clock(), flow);
  if (static_cast<size_t>(id) >= waiting_.size()) waiting_.resize(id + 1);
  sg4::SemaphorePtr done = sg4::Semaphore::create(0);
  waiting_[id] = Waiter{done, device};
  flow_of_device_[device] = id;
  poke();
  // Killed while waiting (ForcefulKillException unwinds this frame): normally its killer has
  // withdrawn the flow already (withdraw_device); at the end of the simulation nobody does.
  struct Unwind {
    FluidTransfers* self;
    int id;
    const sg4::Semaphore* mine;
    ~Unwind() {
      if (std::uncaught_exceptions() > 0 && self->waiting_[id].done.get() == mine) self->forget(id);
    }
  } unwind{this, id, done.get()};
  done->acquire();
}

void FluidTransfers::forget(int id) {
  // No simcall: an actor being unwound may not make one. Nothing needs waking: this happens
  // only once the simulation is over.
  flow_of_device_[waiting_[id].device] = -1;
  waiting_[id] = Waiter{};
  model_.withdraw(sg4::Engine::get_clock(), id);
}

void FluidTransfers::withdraw_device(int device) {
  const int id = flow_of_device_[device];
  if (id < 0) return;
  forget(id);
  poke();  // the others' shares grew: their ends come sooner
}

}  // namespace flemu
