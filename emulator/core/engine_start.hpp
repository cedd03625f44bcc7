#pragma once
// The one way a run driver starts SimGrid's engine (learning, analytics, zeroth order), so that
// what makes large fleets fit (no guard pages, mmapped stacks) and quiet logging cannot drift
// between them.
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <simgrid/s4u/Engine.hpp>

#include "platforms/star_platform.hpp"

namespace flemu {

class StagedOutput;

/// A started engine and the command line it was given (kept alive as long as the engine, which
/// may point into it).
class StartedEngine {
 public:
  struct CommandLine {
    int argc = 2;
    char program[6] = "flemu";
    char quiet_log[26] = "--log=root.thres:critical";
    char* argv[3] = {program, quiet_log, nullptr};
  };
  StartedEngine(std::unique_ptr<CommandLine> command_line, std::unique_ptr<simgrid::s4u::Engine> engine)
      : command_line_(std::move(command_line)), engine_(std::move(engine)) {}
  simgrid::s4u::Engine& engine() { return *engine_; }

 private:
  std::unique_ptr<CommandLine> command_line_;      // destroyed after the engine
  std::unique_ptr<simgrid::s4u::Engine> engine_;
};

/// Starts the engine for a run of `device_count` devices on `network`, applies the run's extra
/// SimGrid settings (`simgrid_config`, "key:value", applied last so an expert can override
/// ours) and gives SIGINT/SIGTERM back to `output` (the engine takes SIGINT when it starts).
StartedEngine start_engine(NetworkModel network, std::size_t device_count,
                           const std::vector<std::string>& simgrid_config, const StagedOutput& output);

}  // namespace flemu
