// Progress of a run on the terminal: after each round, round k/N, simulated time, latest
// accuracy (with its round when it is an earlier round's), and a bar with ETA (from the round budget, else from the simulated-time budget).
// A round that takes long on the wall clock (100k devices) also reports, at most every
// few seconds, how many of its clients' updates are in.
#pragma once
#include <chrono>
#include <memory>

#include "emulator/core/event.hpp"
#include "emulator/core/progress_bar.hpp"
#include "emulator/config/scenario.hpp"

namespace flemu {

class ProgressReporter final : public EventSink {
 public:
  /// `in_round_period_s`: wall seconds between two reports inside one round.
  ProgressReporter(const StopSpec& stop, bool enabled, double in_round_period_s = 2.0);
  void on_event(const Event& e) override;

 private:
  void report_in_round(const Event& upload);

  StopSpec stop_;
  double in_round_period_s_;
  std::unique_ptr<ProgressBar> bar_;  ///< null when disabled
  double accuracy_ = NAN;  ///< latest evaluated test accuracy
  int accuracy_round_ = 0; ///< the round whose model it measured
  int round_ = 0;          ///< the round under way (RoundStart)
  int round_clients_ = 0;  ///< clients it engaged
  int round_uploads_ = 0;  ///< updates of it that arrived so far
  std::chrono::steady_clock::time_point last_report_ = std::chrono::steady_clock::now();
};

}  // namespace flemu
