#include "analysis/run_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include <xxhash.h>

namespace flemu::analysis {

namespace fs = std::filesystem;

const std::vector<std::string> kRequiredMetricsColumns = {
    "round", "time_s",     "duration_s", "selected", "updates",      "bytes_down", "bytes_up",
    "flops", "train_loss", "accuracy",   "loss",     "eval_samples", "cum_bytes"};

namespace {

[[noreturn]] void fail_at(const std::string& file, int line_no, const std::string& what) {
  throw std::runtime_error(file + ":" + std::to_string(line_no) + ": " + what);
}

/// xxh64 of a file's bytes as 16 hex digits (what a run writes into summary.json).
std::string hash_of_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot open (is this a flemu run output directory?)");
  XXH64_state_t* st = XXH64_createState();
  XXH64_reset(st, 0);
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    XXH64_update(st, buf.data(), static_cast<size_t>(in.gcount()));
  }
  const unsigned long long h = XXH64_digest(st);
  XXH64_freeState(st);
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", h);
  return text;
}

/// A run folder whose trace or metrics are not the ones its summary.json recorded (edited,
/// truncated, mixed with another run) would be shown as if flemu had written it: refuse.
void check_recorded_hashes(const fs::path& dir, const nlohmann::json& summary) {
  for (const auto& [file, key] : {std::pair{"events.jsonl", "events_hash"}, std::pair{"metrics.csv", "metrics_hash"}}) {
    const auto it = summary.find(key);
    if (it == summary.end()) continue;  // written before flemu recorded hashes
    if (!it->is_string())
      fail_at((dir / "summary.json").string(), 1, std::string("expected \"") + key + "\" to be a string, got " + it->dump());
    const std::string found = hash_of_file(dir / file);
    if (found != it->get<std::string>())
      throw std::runtime_error((dir / file).string() + ": expected the file whose hash summary.json records (" + key +
                               " " + it->get<std::string>() + "), got one hashing to " + found +
                               ": it changed after the run (run it again, or restore the file)");
  }
}

std::ifstream open_or_throw(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open (is this a flemu run output directory?)");
  return in;
}

void strip_cr(std::string& line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
}

// Typed getters: a key that is absent or null leaves the default; a key of the wrong type is
// an error, since silently dropping it would draw a wrong chart.
void get_number(const nlohmann::json& j, const char* key, double& out, const std::string& file, int line_no) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  if (!it->is_number()) fail_at(file, line_no, std::string("expected \"") + key + "\" to be a number, got " + it->dump());
  out = it->get<double>();
}

void get_int(const nlohmann::json& j, const char* key, int& out, const std::string& file, int line_no) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  if (!it->is_number_integer())
    fail_at(file, line_no, std::string("expected \"") + key + "\" to be an integer, got " + it->dump());
  out = it->get<int>();
}

void get_string(const nlohmann::json& j, const char* key, std::string& out, const std::string& file, int line_no) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  if (!it->is_string()) fail_at(file, line_no, std::string("expected \"") + key + "\" to be a string, got " + it->dump());
  out = it->get<std::string>();
}

std::vector<std::string> split_csv_line(const std::string& line) {
  // metrics.csv holds numbers and empty cells only, so no quoting to handle.
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream ss(line);
  while (std::getline(ss, cell, ',')) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

/// Parses a whole cell as a double; false if it is not exactly one number.
bool parse_double(const std::string& s, double& out) {
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return errno == 0 && end == s.c_str() + s.size();
}

}  // namespace

int MetricsTable::index_of(const std::string& column) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == column) return static_cast<int>(i);
  return -1;
}

double MetricsTable::at(size_t row, const std::string& column) const {
  const int i = index_of(column);
  return i < 0 ? NAN : value.at(row)[i];
}

TraceEvent parse_event_line(const std::string& line, const std::string& file, int line_no) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception& e) {  // a syntax error, a number out of range
    fail_at(file, line_no, std::string("expected a JSON object with \"t\" and \"kind\" (") + e.what() + ")");
  }
  if (!j.is_object() || !j.contains("t") || !j.contains("kind"))
    fail_at(file, line_no, "expected a JSON object with \"t\" and \"kind\"");
  TraceEvent e;
  get_number(j, "t", e.t, file, line_no);
  get_string(j, "kind", e.kind, file, line_no);
  get_number(j, "t0", e.t0, file, line_no);
  get_string(j, "actor", e.actor, file, line_no);
  get_string(j, "host", e.host, file, line_no);
  get_int(j, "round", e.round, file, line_no);
  get_int(j, "client", e.client, file, line_no);
  get_number(j, "bytes", e.bytes, file, line_no);
  get_number(j, "flops", e.flops, file, line_no);
  get_int(j, "count", e.count, file, line_no);
  get_number(j, "accuracy", e.accuracy, file, line_no);
  get_number(j, "loss", e.loss, file, line_no);
  get_string(j, "reason", e.reason, file, line_no);
  get_number(j, "charge_j", e.charge_j, file, line_no);
  get_number(j, "fraction", e.fraction, file, line_no);
  get_int(j, "staleness", e.staleness, file, line_no);
  if (e.is_span() && e.t0 > e.t)
    fail_at(file, line_no, "expected \"t0\" <= \"t\" for a span, got t0=" + j["t0"].dump() + " t=" + j["t"].dump());
  return e;
}

std::vector<TraceEvent> read_events(const std::string& path) {
  auto in = open_or_throw(path);
  std::vector<TraceEvent> events;
  std::string line;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    strip_cr(line);
    if (line.empty()) continue;  // a trailing blank line is harmless
    events.push_back(parse_event_line(line, path, line_no));
  }
  return events;
}

MetricsTable read_metrics(const std::string& path) {
  auto in = open_or_throw(path);
  MetricsTable m;
  std::string line;
  if (!std::getline(in, line)) fail_at(path, 1, "expected a header line starting with \"round,time_s\", got an empty file");
  strip_cr(line);
  m.columns = split_csv_line(line);
  for (const auto& c : kRequiredMetricsColumns)
    if (!m.has(c)) fail_at(path, 1, "expected a header with column \"" + c + "\", got \"" + line + "\"");

  std::vector<bool> required(m.columns.size(), false);
  for (const auto& c : kRequiredMetricsColumns) required[m.index_of(c)] = true;
  for (int line_no = 2; std::getline(in, line); ++line_no) {
    strip_cr(line);
    if (line.empty()) continue;
    auto cells = split_csv_line(line);
    if (cells.size() != m.columns.size())
      fail_at(path, line_no,
              "expected " + std::to_string(m.columns.size()) + " cells like the header, got " + std::to_string(cells.size()));
    std::vector<double> values(cells.size(), NAN);
    for (size_t i = 0; i < cells.size(); ++i) {
      if (cells[i].empty()) continue;
      // Columns past the contract may one day hold text; only the known ones must be numbers.
      if (!parse_double(cells[i], values[i]) && required[i])
        fail_at(path, line_no, "expected column \"" + m.columns[i] + "\" to be a number or empty, got \"" + cells[i] + "\"");
    }
    if (std::isnan(values[m.index_of("round")])) fail_at(path, line_no, "expected a round number in column \"round\"");
    m.text.push_back(std::move(cells));
    m.value.push_back(std::move(values));
  }
  return m;
}

nlohmann::json read_json_object(const std::string& path) {
  auto in = open_or_throw(path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann reports a byte offset; turn it into a line for the message.
    std::ifstream again(path);
    std::string text((std::istreambuf_iterator<char>(again)), std::istreambuf_iterator<char>());
    int line_no = 1;
    for (size_t i = 0; i < std::min(text.size(), e.byte > 0 ? e.byte - 1 : 0); ++i)
      if (text[i] == '\n') ++line_no;
    fail_at(path, line_no, std::string("expected a JSON object (") + e.what() + ")");
  } catch (const nlohmann::json::exception& e) {  // a number out of range, say
    fail_at(path, 1, std::string("expected a JSON object (") + e.what() + ")");
  }
  if (!j.is_object()) fail_at(path, 1, "expected a JSON object, got " + std::string(j.type_name()));
  return j;
}

std::vector<DeviceRow> read_devices(const std::string& path) {
  auto in = open_or_throw(path);
  std::string line;
  if (!std::getline(in, line)) fail_at(path, 1, "expected a header line starting with \"device,name,class\", got an empty file");
  strip_cr(line);
  const auto header = split_csv_line(line);
  auto col = [&](const char* name) {
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return static_cast<int>(i);
    return -1;
  };
  const int device = col("device"), name = col("name"), cls = col("class");
  if (device < 0 || name < 0 || cls < 0)
    fail_at(path, 1, "expected a header with columns \"device\", \"name\" and \"class\", got \"" + line + "\"");
  const int compute = col("compute_energy_j"), radio = col("radio_energy_j"), energy = col("energy_j"),
            battery = col("battery_fraction");
  std::vector<DeviceRow> rows;
  for (int line_no = 2; std::getline(in, line); ++line_no) {
    strip_cr(line);
    if (line.empty()) continue;
    const auto cells = split_csv_line(line);
    if (cells.size() != header.size())
      fail_at(path, line_no,
              "expected " + std::to_string(header.size()) + " cells like the header, got " + std::to_string(cells.size()));
    DeviceRow r;
    double index = NAN;
    if (!parse_double(cells[device], index) || index < 0 || index != std::floor(index))
      fail_at(path, line_no, "expected a device index in column \"device\", got \"" + cells[device] + "\"");
    r.device = static_cast<int>(index);
    r.name = cells[name];
    r.class_name = cells[cls];
    auto number = [&](int c, double& out, const char* what) {
      if (c < 0 || cells[c].empty()) return;
      if (!parse_double(cells[c], out))
        fail_at(path, line_no, std::string("expected column \"") + what + "\" to be a number or empty, got \"" + cells[c] + "\"");
    };
    number(compute, r.compute_energy_j, "compute_energy_j");
    number(radio, r.radio_energy_j, "radio_energy_j");
    number(energy, r.energy_j, "energy_j");
    number(battery, r.battery_fraction, "battery_fraction");
    rows.push_back(std::move(r));
  }
  return rows;
}

std::string device_class(const RunData& run, int client, const std::string& host) {
  for (const auto& d : run.devices)
    if (d.device == client) return d.class_name;
  const nlohmann::json& sc = run.scenario;
  if (!sc.is_object() || !sc.contains("platform") || !sc["platform"].is_object()) return "";
  const nlohmann::json& p = sc["platform"];
  if (p.contains("devices") && p["devices"].is_array())
    for (const auto& d : p["devices"])
      if (d.is_object() && d.value("name", "") == host) return d.value("class", "");
  if (p.contains("classes") && p["classes"].is_array()) {
    const size_t dash = host.rfind('-');
    if (dash != std::string::npos)
      for (const auto& c : p["classes"])
        if (c.is_object() && c.value("name", "") == host.substr(0, dash)) return host.substr(0, dash);
  }
  return "";
}

RunData read_run(const std::string& dir) {
  if (!fs::is_directory(dir)) throw std::runtime_error(dir + ": not a directory (expected a flemu run output directory)");
  RunData run;
  run.dir = dir;
  const fs::path d(dir);
  run.summary = read_json_object((d / "summary.json").string());
  check_recorded_hashes(d, run.summary);
  if (fs::exists(d / "scenario.resolved.json")) run.scenario = read_json_object((d / "scenario.resolved.json").string());
  run.events = read_events((d / "events.jsonl").string());
  run.metrics = read_metrics((d / "metrics.csv").string());
  if (fs::exists(d / "devices.csv")) run.devices = read_devices((d / "devices.csv").string());
  return run;
}

}  // namespace flemu::analysis
