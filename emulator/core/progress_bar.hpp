// A one-line progress bar with ETA for long runs and sweeps, on stderr.
//
// On a terminal the line redraws in place; elsewhere (CI logs, pipes) each update is a plain
// log line at info level, so logs stay readable. Wall-clock time only: never in outputs.
#pragma once
#include <chrono>
#include <string>

namespace flemu {

class ProgressBar {
 public:
  /// `total`: expected number of steps (0 = unknown: no bar, no ETA).
  ProgressBar(std::string label, int total);
  ~ProgressBar();
  /// Reports `done` steps finished, with a short status text. `fraction` (0..1), if given,
  /// overrides done/total for the bar and ETA (e.g. simulated time over a time budget).
  void update(int done, const std::string& status, double fraction = -1);
  /// Ends the in-place line (terminal only).
  void finish();

  /// "[#####.....]  50%" for `fraction`; exposed for tests.
  static std::string bar(double fraction, int width = 20);
  /// "1m05s" style.
  static std::string format_eta(double seconds);

 private:
  std::string label_;
  int total_;
  bool tty_;
  bool open_line_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace flemu
