// Quantities as people write them in scenario files, parsed in one place.
//
// Every parser returns SI base units (bytes/s, seconds, flop, joules, watts, bytes) and throws
// UnitError, whose message says what was expected, on anything else. The scenario loader adds
// the file and JSON path to that message.
#pragma once
#include <stdexcept>
#include <string>

namespace flemu::units {

struct UnitError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// "10Mbps", "1.5 Gbps", "200kbps" (bits/s, decimal) or "2MBps", "1MiBps" (bytes/s) -> bytes/s.
double parse_rate(const std::string& text);
/// "50ms", "1.5s", "2min", "3h", "1d", "250us" -> seconds.
double parse_duration(const std::string& text);
/// "2Gf", "500Mf", "1.2Tf", "800kf", "1e9f" -> flop (a speed "2Gf" means 2e9 flop/s).
double parse_flops(const std::string& text);
/// "5Wh", "12.5kJ", "100J", "3mWh" -> joules.
double parse_energy(const std::string& text);
/// "2W", "500mW", "1.5kW" -> watts.
double parse_power(const std::string& text);
/// "10MB", "1MiB", "512kB", "100B" -> bytes.
double parse_bytes(const std::string& text);

/// The kinds of quantity above, for callers that pick the parser at run time (the scenario
/// schema's "format" keywords).
enum class Quantity { Rate, Duration, Flops, Energy, Power, Bytes };

/// Parses `text` as `q`, exactly like parse_rate() and friends; with `positive`, zero is
/// rejected too (a bandwidth or speed of 0 would stall the emulation).
double parse(Quantity q, const std::string& text, bool positive = false);
/// What a well-formed `q` looks like, e.g. `a positive rate like "10Mbps" (units: bps, ...)`.
/// UnitError messages are "expected " + this text, so callers can quote it without parsing.
std::string describe(Quantity q, bool positive = false);

/// Inverse helpers for human-readable output (describe, logs): "10 Mbps", "2 Gf", "50 ms".
std::string format_rate(double bytes_per_s);
std::string format_duration(double seconds);
std::string format_flops(double flops);

}  // namespace flemu::units
