// Transfers through a shared server link, carried by an exact fluid model instead of SimGrid
// comms where that model computes what SimGrid's solver would.
//
// Why: with N flows through one shared link, every flow's share changes at each start and
// end, and SimGrid 3.32's LMM re-solves all N flows each time (update_modified_cnst_set_rec and
// do_solve: O(N^2) per round; 10k devices took 83 s for one round, 100k did not finish in
// 180 s). platforms/shared_link_fluid.hpp computes the same max-min allocation in O(log N) per
// event for this one topology: a star whose every flow crosses the server's link.
//
// How: a device's actor registers its flow and waits on its own semaphore; one daemon actor on
// the server host sleeps until the model's next event (a flow activates after its latency, or
// ends) and wakes the actors whose flows ended. Simulated time still comes from SimGrid (the
// waits); only the network sharing is computed here. A device that goes off, or whose actor its
// server kills, loses its flow at that instant and the daemon re-plans (withdraw_device).
//
// When (choose_shared_link_model): only where every byte the run moves goes through
// transfer_bytes (the sync, async and anarchic schedules; each device moves one transfer at a
// time), no radio power is modelled (SimGrid's link energy plugin sees only its own comms), no
// link changes over time, and no --cfg touches the network model. Otherwise SimGrid, and
// summary.json says why.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <simgrid/s4u.hpp>

#include "emulator/config/scenario.hpp"
#include "emulator/core/device_transfer.hpp"
#include "platforms/shared_link_fluid.hpp"
#include "platforms/star_platform.hpp"

namespace flemu {

/// Which model moves the bytes through the shared server link, and why (summary.json).
struct SharedLinkChoice {
  std::string model;   ///< "none" (no shared server link), "fluid" or "simgrid"
  std::string reason;  ///< one sentence
  bool fluid() const { return model == "fluid"; }
};

/// "fluid" wherever the fluid model is exact for `sc`, else "simgrid" with the first reason it
/// is not. `simgrid_config`: the run's extra SimGrid settings (--cfg).
SharedLinkChoice choose_shared_link_model(const Scenario& sc, const std::vector<DeviceSpec>& devices,
                                          const std::vector<std::string>& simgrid_config);

/// The network model's parameters as SimGrid applies them to a comm (network_cm02.cpp, 3.32).
struct NetworkParams {
  double latency_factor = 1;    ///< the latency phase lasts route latency x this
  double bandwidth_factor = 1;  ///< bytes move at this x the solved rate
  double weight_s = 0;          ///< sharing penalty adds weight_s / bandwidth per route link
  double tcp_gamma = 0;         ///< rate bound gamma / (2 x route latency); 0: none
  bool crosstraffic = false;    ///< a flow also loads its reverse route at 5%
  /// What SimGrid's configuration says now (after the platform was built).
  static NetworkParams from_simgrid();
};

/// The fluid flow SimGrid's LMM would make of one transfer over the star: `access` is the
/// device's link in the transfer's direction, `reverse` the other one, `shared` the server's.
FluidFlow star_flow(const NetworkParams& net, double bytes, double shared_bw, double shared_latency, double access_bw,
                    double reverse_bw, double access_latency);
/// The shared link's capacity in the fluid model's units (every flow loads it once, and again
/// at 5% with cross-traffic).
double star_shared_capacity(const NetworkParams& net, double shared_bw);

class FluidTransfers {
 public:
  /// Reads SimGrid's network configuration: construct once the platform is built.
  explicit FluidTransfers(const StarPlatform& platform);
  ~FluidTransfers();
  FluidTransfers(const FluidTransfers&) = delete;
  FluidTransfers& operator=(const FluidTransfers&) = delete;

  /// Starts the daemon actor that ends flows on time; call before the engine runs.
  void start();
  /// From device `device`'s actor: moves `bytes` between it and the server, returns when the
  /// last byte has arrived. Advances simulated time. One transfer per device at a time.
  void transfer(TransferWay way, int device, uint64_t bytes);
  /// The transfer device `device` is making, if any, stops now. Whoever kills a device's actor
  /// calls this right after (a device going off is caught here by itself): the dying actor
  /// cannot wake the daemon, and the other flows' shares grow at that instant.
  void withdraw_device(int device);

 private:
  struct Waiter {
    simgrid::s4u::SemaphorePtr done;  ///< released when the flow ends
    int device = -1;
  };
  void run();
  void poke();
  void forget(int id);

  const StarPlatform& platform_;
  NetworkParams net_;
  SharedLinkFluid model_;
  std::vector<Waiter> waiting_;  ///< by flow id
  simgrid::s4u::SemaphorePtr wake_;
  bool poked_ = false;
  std::vector<int> flow_of_device_;  ///< flow id, or -1
  std::unordered_map<const simgrid::s4u::Host*, int> device_of_host_;
  static FluidTransfers* live_;  ///< the run's instance, for SimGrid's process-wide signals
};

}  // namespace flemu
