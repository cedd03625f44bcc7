// Progress of a run on the terminal: after each round, round k/N, simulated time, latest
// accuracy, and a bar with ETA (from the round budget, else from the simulated-time budget).
#pragma once
#include <memory>

#include "emulator/event.hpp"
#include "emulator/progress_bar.hpp"
#include "emulator/scenario.hpp"

namespace flemu {

class ProgressReporter final : public EventSink {
 public:
  ProgressReporter(const StopSpec& stop, bool enabled);
  void on_event(const Event& e) override;

 private:
  StopSpec stop_;
  std::unique_ptr<ProgressBar> bar_;  ///< null when disabled
  double accuracy_ = NAN;
};

}  // namespace flemu
