#include "platforms/availability_trace.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "platforms/units.hpp"
#include "workloads/rng.hpp"

namespace flemu {

bool AvailabilityTrace::on_at(double t) const {
  if (changes.empty()) return true;
  // The last change with time <= t.
  auto it = std::upper_bound(changes.begin(), changes.end(), t,
                             [](double x, const std::pair<double, bool>& c) { return x < c.first; });
  if (it == changes.begin()) return changes.front().second;
  return std::prev(it)->second;
}

double AvailabilityTrace::on_fraction(double horizon_s) const {
  if (!(horizon_s > 0)) throw std::invalid_argument("AvailabilityTrace::on_fraction: horizon must be > 0");
  if (changes.empty()) return 1.0;
  double on = 0;
  for (size_t i = 0; i < changes.size() && changes[i].first < horizon_s; ++i) {
    const double end = i + 1 < changes.size() ? std::min(changes[i + 1].first, horizon_s) : horizon_s;
    if (changes[i].second) on += end - std::max(changes[i].first, 0.0);
  }
  return on / horizon_s;
}

// --- CSV ----------------------------------------------------------------------------------

namespace {

const char* const kHeader = "device,time,state";

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split_commas(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ',')) out.push_back(trim(field));
  if (!line.empty() && line.back() == ',') out.push_back("");
  return out;
}

/// Seconds from "1800", "2.5" or "30min"; throws std::runtime_error with `where` prefixed.
double parse_time(const std::string& text, const std::string& where) {
  if (!text.empty() && text[0] == '-')
    throw std::runtime_error(where + "expected a non-negative time, got \"" + text + "\"");
  if (!text.empty()) {
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str() + text.size()) {
      if (!std::isfinite(v)) throw std::runtime_error(where + "expected a finite time, got \"" + text + "\"");
      return v;
    }
  }
  try {
    return units::parse_duration(text);
  } catch (const units::UnitError&) {
    throw std::runtime_error(where + "expected a time in seconds (\"1800\") or a duration like \"30min\", got \"" +
                             text + "\"");
  }
}

/// Shortest decimal text that reads back to exactly `v` ("1800", "0.001", "12345.678").
std::string format_seconds(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

}  // namespace

std::map<std::string, AvailabilityTrace> read_availability_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::map<std::string, AvailabilityTrace> traces;
  std::map<std::string, double> last_time;  // time of each device's previous row
  std::string raw;
  int line_no = 0;
  bool header_seen = false;
  while (std::getline(in, raw)) {
    ++line_no;
    const std::string where = path + ":" + std::to_string(line_no) + ": ";
    const std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    if (!header_seen) {
      const auto names = split_commas(line);
      if (names != std::vector<std::string>{"device", "time", "state"})
        throw std::runtime_error(where + "expected the header \"" + kHeader + "\", got \"" + line + "\"");
      header_seen = true;
      continue;
    }
    const auto fields = split_commas(line);
    if (fields.size() != 3)
      throw std::runtime_error(where + "expected 3 columns (device,time,state), got " +
                               std::to_string(fields.size()));
    const std::string& device = fields[0];
    if (device.empty()) throw std::runtime_error(where + "expected a device name, got an empty field");
    const double t = parse_time(fields[1], where);
    const std::string& s = fields[2];
    bool on;
    if (s == "on" || s == "1") on = true;
    else if (s == "off" || s == "0") on = false;
    else throw std::runtime_error(where + "expected a state on, off, 1 or 0, got \"" + s + "\"");

    auto& changes = traces[device].changes;
    if (auto prev = last_time.find(device); prev != last_time.end() && !(t > prev->second))
      throw std::runtime_error(where + "expected a time after " + format_seconds(prev->second) +
                               " s (the previous row of device \"" + device + "\"), got \"" + fields[1] + "\"");
    last_time[device] = t;
    if (changes.empty() && t > 0) {
      // On before its first row.
      changes.emplace_back(0.0, true);
      if (on) continue;
    }
    changes.emplace_back(t, on);
  }
  if (!header_seen)
    throw std::runtime_error(path + ":" + std::to_string(line_no + 1) + ": expected the header \"" + kHeader + "\"");
  return traces;
}

void write_availability_csv(const std::string& path, const std::map<std::string, AvailabilityTrace>& traces) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error(path + ": cannot write");
  out << kHeader << "\n";
  for (const auto& [device, trace] : traces)
    for (const auto& [t, on] : trace.changes) out << device << "," << format_seconds(t) << "," << (on ? "on" : "off") << "\n";
  if (!out) throw std::runtime_error(path + ": cannot write");
}

// --- generators ---------------------------------------------------------------------------

AvailabilityTrace exponential_on_off(double mean_on_s, double mean_off_s, double horizon_s, uint64_t seed,
                                     bool start_on) {
  if (!(horizon_s >= 0 && std::isfinite(horizon_s)))
    throw std::invalid_argument("exponential_on_off: horizon must be finite and >= 0 s");
  auto stream = AvailabilityStream::exponential(mean_on_s, mean_off_s, seed, start_on);
  AvailabilityTrace trace;
  for (auto change = stream.next(); change.first == 0 || change.first < horizon_s; change = stream.next())
    trace.changes.push_back(change);
  return trace;
}

AvailabilityTrace diurnal(double period_s, double on_fraction, double phase_s, double horizon_s) {
  if (!(horizon_s >= 0 && std::isfinite(horizon_s)))
    throw std::invalid_argument("diurnal: horizon must be finite and >= 0 s");
  auto stream = AvailabilityStream::diurnal(period_s, on_fraction, phase_s);
  AvailabilityTrace trace;
  for (auto change = stream.next(); change.first == 0 || change.first < horizon_s; change = stream.next())
    trace.changes.push_back(change);
  return trace;
}

AvailabilityStream AvailabilityStream::of_trace(AvailabilityTrace trace) {
  AvailabilityStream s;
  s.kind_ = Kind::Trace;
  s.trace_ = std::move(trace);
  if (s.trace_.changes.empty()) s.trace_.changes.emplace_back(0.0, true);
  return s;
}

AvailabilityStream AvailabilityStream::exponential(double mean_on_s, double mean_off_s, uint64_t seed, bool start_on) {
  if (!(mean_on_s > 0) || !(mean_off_s > 0))
    throw std::invalid_argument("exponential_on_off: mean on and off times must be > 0 s");
  AvailabilityStream s;
  s.kind_ = Kind::Exponential;
  s.rng_ = Rng(seed);
  s.mean_on_ = mean_on_s;
  s.mean_off_ = mean_off_s;
  s.on_ = start_on;
  return s;
}

AvailabilityStream AvailabilityStream::diurnal(double period_s, double on_fraction, double phase_s) {
  if (!(period_s > 0)) throw std::invalid_argument("diurnal: period must be > 0 s");
  if (!(on_fraction >= 0 && on_fraction <= 1)) throw std::invalid_argument("diurnal: on_fraction must be in [0, 1]");
  if (!std::isfinite(phase_s)) throw std::invalid_argument("diurnal: phase must be finite");
  AvailabilityStream s;
  s.kind_ = Kind::Diurnal;
  s.period_ = period_s;
  s.on_len_ = on_fraction * period_s;
  s.phase_ = phase_s;
  if (on_fraction == 0 || on_fraction == 1) {  // one state for ever
    s.kind_ = Kind::Trace;
    s.trace_.changes.emplace_back(0.0, on_fraction == 1);
  }
  return s;
}

AvailabilityStream AvailabilityStream::diurnal_with_jitter(double period_s, double on_fraction, uint64_t seed) {
  if (!(period_s > 0)) throw std::invalid_argument("diurnal_with_jitter: period must be > 0 s");
  Rng rng(seed);
  return diurnal(period_s, on_fraction, rng.uniform(0.0, period_s));
}

std::pair<double, bool> AvailabilityStream::next() {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  switch (kind_) {
    case Kind::Trace:
      if (index_ < trace_.changes.size()) return trace_.changes[index_++];
      return {kInf, trace_.changes.back().second};
    case Kind::Exponential:
      if (started_) {
        t_ += rng_.exponential(on_ ? mean_on_ : mean_off_);
        on_ = !on_;
      }
      started_ = true;
      return {t_, on_};
    case Kind::Diurnal:
      if (!started_) {
        // Cycle k starts (switches on) at phase + k*period and switches off on_len later.
        started_ = true;
        k_ = std::floor(-phase_ / period_);  // the cycle containing t = 0
        const double into = -phase_ - k_ * period_;
        t_ = 0;
        on_ = into < on_len_;
        half_ = 0;
        return {0.0, on_};
      }
      for (;;) {
        const double start = phase_ + k_ * period_;
        const double t = half_ == 0 ? start : start + on_len_;
        const bool on = half_ == 0;
        if (half_ == 1) k_ += 1;
        half_ = 1 - half_;
        if (t > 0 && on != on_ && t > t_) {
          t_ = t;
          on_ = on;
          return {t, on};
        }
      }
  }
  return {kInf, on_};
}

AvailabilityTrace diurnal_with_jitter(double period_s, double on_fraction, double horizon_s, uint64_t seed) {
  if (!(period_s > 0)) throw std::invalid_argument("diurnal_with_jitter: period must be > 0 s");
  Rng rng(seed);
  return diurnal(period_s, on_fraction, rng.uniform(0.0, period_s), horizon_s);
}

std::string to_simgrid_profile(const AvailabilityTrace& trace) {
  if (trace.changes.empty()) return "0 1\n";
  std::string text;
  for (const auto& [t, on] : trace.changes) text += format_seconds(t) + (on ? " 1\n" : " 0\n");
  return text;
}

}  // namespace flemu
