#include "emulator/core/engine_start.hpp"

#include <malloc.h>

#include "emulator/core/staged_output.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

StartedEngine start_engine(NetworkModel network, std::size_t device_count,
                           const std::vector<std::string>& simgrid_config, const StagedOutput& output) {
  // SimGrid: quiet its own logging (ours goes through spdlog).
  auto command_line = std::make_unique<StartedEngine::CommandLine>();
  auto engine = std::make_unique<sg4::Engine>(&command_line->argc, command_line->argv);
  output.reinstall_signal_handlers();  // the engine took SIGINT (it prints its actors and exits 1)
  // Small actor stacks are safe because LibTorch runs only on pool threads (../shared/FACTS.md).
  engine->set_config("contexts/stack-size:512");
  // Each stack's guard page splits its memory mapping; beyond ~30k live actors they exceed
  // vm.max_map_count (65530) and SimGrid aborts ("Failed to protect stack", FACTS.md). A
  // working device has up to two live actors (its client and a transfer's server end).
  if (device_count > 10000) {
    engine->set_config("contexts/guard-size:0");
    // Without guard pages SimGrid callocs the stacks; past glibc's adaptive mmap threshold
    // they come zeroed from the heap and every page counts. Keep them mmapped (lazily
    // backed): 25k devices went from 3.8 GB to 0.68 GB. glibc also stops mmapping after
    // 65,536 live mmapped chunks (M_MMAP_MAX): 100k exec-only actors took 6.0 GB with that
    // cap, 1.7 GB without. Large runs only: a fixed threshold slows LibTorch's allocations.
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    mallopt(M_MMAP_MAX, 1 << 24);
  }
  configure_network_model(*engine, network);
  for (const auto& c : simgrid_config) engine->set_config(c);
  return StartedEngine(std::move(command_line), std::move(engine));
}

}  // namespace flemu
