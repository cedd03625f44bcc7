// What the actors of one run share: read-only facts about the platform and the data, the
// trainer and job pool that run real work, and the event bus. Owned by run_scenario(); the
// actors hold a reference. No FL maths and no output code live here.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "emulator/core/event.hpp"
#include "emulator/core/fleet.hpp"
#include "emulator/core/job_pool.hpp"
#include "emulator/config/scenario.hpp"
#include "platforms/star_platform.hpp"
#include "workloads/data/partition.hpp"
#include "workloads/models/trainer.hpp"

namespace flemu {

class ServerInbox;
class UpdateCompression;
class FluidTransfers;
struct TrainTest;
struct NetworkGraph;
struct RegressionProblem;

struct Federation {
  const Scenario& scenario;
  std::vector<DeviceSpec> devices;
  StarPlatform platform;
  std::vector<std::shared_ptr<const std::vector<int32_t>>> partitions;  ///< per device: its training samples
  Trainer& trainer;
  JobPool& pool;
  EventBus& bus;
  std::vector<int32_t> eval_subset;  ///< fixed-seed test subset for intermediate evaluations
  Fleet& fleet;
  /// The server's current model version, for async staleness; -1 for sync schedules.
  int model_version = -1;
  /// Where clients deliver updates to the server (created before any actor runs).
  std::shared_ptr<ServerInbox> inbox;
  /// algorithm.compression: the codecs and clients' codec state (nullptr: dense transfers).
  std::shared_ptr<UpdateCompression> compression;
  /// Real runs: the data set (schedules that train without the Trainer's jobs read it:
  /// pipelines); nullptr in analytic runs.
  std::shared_ptr<const TrainTest> data;
  /// What a schedule's actors share for the run (cluster, pipeline); held here so that it goes
  /// before the engine does.
  std::shared_ptr<void> schedule_state;
  /// Decentralized schedules: the graph, its mixing matrix and spectra (nullptr otherwise).
  std::shared_ptr<const NetworkGraph> graph;
  /// The synthetic-regression workload's problem, for schedules that compute on it directly
  /// (DADAO); nullptr for other workloads.
  std::shared_ptr<const RegressionProblem> regression;
  /// Per device: its held-out samples for per-client evaluation (evaluation.per_client), kept
  /// out of its partition; empty when not asked for.
  std::vector<std::shared_ptr<const std::vector<int32_t>>> holdouts;
  /// Set when the shared server link is a fluid model (fluid_transfers.hpp): every transfer
  /// goes through it.
  FluidTransfers* fluid = nullptr;

  int num_devices() const { return static_cast<int>(devices.size()); }
};

}  // namespace flemu
