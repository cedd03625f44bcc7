// Progress on the terminal while a run goes: one line per round through spdlog (info level):
// round k/N, simulated time, latest accuracy, and wall time elapsed.
#pragma once
#include <chrono>

#include "emulator/event.hpp"
#include "emulator/scenario.hpp"

namespace flemu {

class ProgressReporter final : public EventSink {
 public:
  ProgressReporter(const StopSpec& stop, bool enabled)
      : stop_(stop), enabled_(enabled), wall_start_(std::chrono::steady_clock::now()) {}
  void on_event(const Event& e) override;

 private:
  StopSpec stop_;
  bool enabled_;
  std::chrono::steady_clock::time_point wall_start_;
  double accuracy_ = NAN;
};

}  // namespace flemu
