// What the actors of a zeroth-order run share: the black-box problem, each client's
// persistent state (FZooS's query history and surrogate), the shared random features, the job
// pool that runs the real computation, and the server's inbox. Owned by run_zeroth_order().
#pragma once
#include <future>
#include <memory>
#include <vector>

#include "algorithms/zeroth_order/fedzo.hpp"
#include "algorithms/zeroth_order/fzoos.hpp"
#include "emulator/config/scenario.hpp"
#include "emulator/core/event.hpp"
#include "emulator/core/fleet.hpp"
#include "emulator/core/job_pool.hpp"
#include "emulator/schedules/message_queue.hpp"
#include "platforms/star_platform.hpp"
#include "workloads/objectives/black_box.hpp"

namespace flemu {

/// What the server asks of a client in one phase of a round.
struct ZoOrder {
  enum Phase { Local, Accept, Surrogate } phase = Local;
  int round = 0;
  std::shared_ptr<const zo::Vec> x;               ///< the global point (Local), the candidate (Accept), the new point (Surrogate)
  std::shared_ptr<const zo::Vec> global_weights;  ///< FZooS mu_bar (Local; nullptr before any)
  std::shared_ptr<const zo::Vec> local_end;       ///< Surrogate: the client's x_{i,T}
  uint64_t seed = 0;
  uint64_t download_bytes = 0, upload_bytes = 0;
};

/// A client's answer.
struct ZoReply {
  int client = 0;
  int round = 0;
  ZoOrder::Phase phase = ZoOrder::Local;
  zo::Vec x;             ///< Local: x_{i,T}
  double value = 0;      ///< Local: f_i(x_r); Accept: f_i(candidate)
  zo::Vec weights;       ///< Surrogate: RFF weights times range
};

struct ZoFederation {
  const Scenario& scenario;
  std::vector<DeviceSpec> devices;
  StarPlatform platform;
  Fleet& fleet;
  EventBus& bus;
  JobPool& pool;
  BlackBoxProblem problem;
  zo::RffFeatures features;                         ///< FZooS: shared by everyone, never sent
  std::vector<zo::FzoosClient> fzoos;               ///< per client (device)
  std::vector<std::shared_future<void>> last_job;   ///< per client: its jobs run one after another
  MessageQueue<ZoReply> inbox;

  bool is_fzoos() const { return scenario.algorithm.name == "fzoos"; }
  int clients() const { return static_cast<int>(devices.size()); }
};

}  // namespace flemu
