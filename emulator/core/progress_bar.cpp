#include "emulator/core/progress_bar.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace flemu {

ProgressBar::ProgressBar(std::string label, int total)
    : label_(std::move(label)), total_(total), tty_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() { finish(); }

std::string ProgressBar::bar(double fraction, int width) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  const int full = static_cast<int>(std::floor(fraction * width + 1e-9));
  return "[" + std::string(full, '#') + std::string(width - full, '.') + "] " +
         fmt::format("{:3.0f}%", fraction * 100);
}

std::string ProgressBar::format_eta(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = std::lround(seconds);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

void ProgressBar::update(int done, const std::string& status, double fraction) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (fraction < 0 && total_ > 0) fraction = static_cast<double>(done) / total_;
  std::string line = label_ + " ";
  if (fraction >= 0) {
    const double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : NAN;
    line += bar(fraction) + "  " + status + fmt::format("  elapsed {}  ETA {}", format_eta(elapsed), format_eta(eta));
  } else {
    line += status + fmt::format("  elapsed {}", format_eta(elapsed));
  }
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
    open_line_ = true;
  } else {
    spdlog::info("{}", line);
  }
}

void ProgressBar::finish() {
  if (open_line_) {
    std::fputc('\n', stderr);
    open_line_ = false;
  }
}

}  // namespace flemu
