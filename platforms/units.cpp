// Quantity parsing: "<number>[spaces]<unit>", number in plain decimal or scientific notation,
// unit case-sensitive (b = bit, B = byte, m = milli, M = mega). See units.hpp for the contract.
#include "platforms/units.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flemu::units {
namespace {

struct Unit {
  std::string_view name;
  double factor;  ///< SI base units per one of this unit
};

struct QuantityInfo {
  std::string_view noun;     ///< "rate"
  std::string_view example;  ///< "10Mbps"
  std::vector<Unit> units;   ///< listed in messages in this order
};

const QuantityInfo& info(Quantity q) {
  // Rates: lowercase b counts bits, hence the /8. Binary prefixes exist for bytes only, as
  // nobody writes "Mibps".
  static const QuantityInfo rate{"rate",
                                 "10Mbps",
                                 {{"bps", 1.0 / 8},
                                  {"kbps", 1e3 / 8},
                                  {"Mbps", 1e6 / 8},
                                  {"Gbps", 1e9 / 8},
                                  {"Tbps", 1e12 / 8},
                                  {"Bps", 1},
                                  {"kBps", 1e3},
                                  {"MBps", 1e6},
                                  {"GBps", 1e9},
                                  {"TBps", 1e12},
                                  {"KiBps", 1024.0},
                                  {"MiBps", 1024.0 * 1024},
                                  {"GiBps", 1024.0 * 1024 * 1024}}};
  static const QuantityInfo duration{
      "duration",
      "50ms",
      {{"us", 1e-6}, {"ms", 1e-3}, {"s", 1}, {"min", 60}, {"h", 3600}, {"d", 86400}}};
  static const QuantityInfo flops{
      "flops value",
      "2Gf",
      {{"f", 1}, {"kf", 1e3}, {"Mf", 1e6}, {"Gf", 1e9}, {"Tf", 1e12}, {"Pf", 1e15}}};
  static const QuantityInfo energy{
      "energy",
      "5Wh",
      {{"J", 1}, {"kJ", 1e3}, {"MJ", 1e6}, {"Wh", 3600}, {"mWh", 3.6}, {"kWh", 3.6e6}}};
  static const QuantityInfo power{"power", "2W", {{"mW", 1e-3}, {"W", 1}, {"kW", 1e3}}};
  static const QuantityInfo bytes{"size",
                                  "10MB",
                                  {{"B", 1},
                                   {"kB", 1e3},
                                   {"MB", 1e6},
                                   {"GB", 1e9},
                                   {"KiB", 1024.0},
                                   {"MiB", 1024.0 * 1024},
                                   {"GiB", 1024.0 * 1024 * 1024}}};
  switch (q) {
    case Quantity::Rate:
      return rate;
    case Quantity::Duration:
      return duration;
    case Quantity::Flops:
      return flops;
    case Quantity::Energy:
      return energy;
    case Quantity::Power:
      return power;
    case Quantity::Bytes:
      return bytes;
  }
  return rate;  // unreachable: every enumerator is handled above
}

bool is_space(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Length of the longest prefix of `s` that is an unsigned decimal or scientific number
/// ("12", "1.5", ".5", "3.", "1e9", "2.5E-3"); 0 if there is none. Signs, "inf" and "nan"
/// are deliberately not numbers here.
size_t number_length(std::string_view s) {
  size_t i = 0, digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  }
  if (digits == 0) return 0;
  // An exponent counts only when digits follow, so "3eMf" leaves "eMf" to the unit check.
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    if (j < s.size() && is_digit(s[j])) {
      while (j < s.size() && is_digit(s[j])) ++j;
      i = j;
    }
  }
  return i;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// %g drops trailing zeros, so 10 prints "10" and 12.5 prints "12.5".
std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

/// Picks the largest unit whose value is >= 1 (the smallest unit for tiny values and 0).
std::string format_with(double value, const std::vector<Unit>& ascending) {
  const Unit* best = &ascending.front();
  for (const Unit& u : ascending)
    if (std::fabs(value) >= u.factor) best = &u;
  return format_number(value / best->factor) + " " + std::string(best->name);
}

}  // namespace

std::string describe(Quantity q, bool positive) {
  const QuantityInfo& qi = info(q);
  const bool vowel = std::string_view("aeiou").find(qi.noun.front()) != std::string_view::npos;
  std::string text = positive ? "a positive " : vowel ? "an " : "a ";
  text += std::string(qi.noun) + " like \"" + std::string(qi.example) + "\" (units: ";
  for (size_t i = 0; i < qi.units.size(); ++i) {
    if (i) text += ", ";
    text += qi.units[i].name;
  }
  return text + ")";
}

double parse(Quantity q, const std::string& text, bool positive) {
  const auto fail = [&]() -> double { throw UnitError("expected " + describe(q, positive)); };
  const std::string_view s = trim(text);
  const size_t n = number_length(s);
  if (n == 0) return fail();
  double value = 0;
  // from_chars, unlike strtod, ignores the locale: "1.5" means 1.5 under any LC_NUMERIC.
  const auto [end, ec] = std::from_chars(s.data(), s.data() + n, value);
  if (ec != std::errc() || end != s.data() + n) return fail();
  const std::string_view unit = trim(s.substr(n));
  for (const Unit& u : info(q).units) {
    if (u.name != unit) continue;
    const double si = value * u.factor;
    if (!std::isfinite(si) || (positive && si <= 0)) return fail();
    return si;
  }
  return fail();
}

double parse_rate(const std::string& text) { return parse(Quantity::Rate, text); }
double parse_duration(const std::string& text) { return parse(Quantity::Duration, text); }
double parse_flops(const std::string& text) { return parse(Quantity::Flops, text); }
double parse_energy(const std::string& text) { return parse(Quantity::Energy, text); }
double parse_power(const std::string& text) { return parse(Quantity::Power, text); }
double parse_bytes(const std::string& text) { return parse(Quantity::Bytes, text); }

std::string format_rate(double bytes_per_s) {
  // People quote link rates in bits per second.
  static const std::vector<Unit> bits{
      {"bps", 1}, {"kbps", 1e3}, {"Mbps", 1e6}, {"Gbps", 1e9}, {"Tbps", 1e12}};
  return format_with(bytes_per_s * 8, bits);
}

std::string format_duration(double seconds) {
  static const std::vector<Unit> times{{"us", 1e-6}, {"ms", 1e-3}, {"s", 1},
                                       {"min", 60},  {"h", 3600},  {"d", 86400}};
  return seconds == 0 ? "0 s" : format_with(seconds, times);
}

std::string format_flops(double flops) { return format_with(flops, info(Quantity::Flops).units); }

}  // namespace flemu::units
