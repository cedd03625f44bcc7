// Reads one run's output directory (events.jsonl, metrics.csv, summary.json and, if present,
// scenario.resolved.json and devices.csv) into plain structs for the report.
//
// analysis/ depends on the *files* a run writes, never on engine code: the contracts are the
// comments in emulator/core/trace_writer.hpp (events.jsonl) and emulator/core/round_metrics.hpp
// (metrics.csv). Keys and kinds this reader does not know are kept or ignored, never errors,
// so a newer engine's outputs still load. Malformed input throws std::runtime_error naming
// the file, the 1-based line and what was expected.
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace flemu::analysis {

/// One line of events.jsonl. Absent numeric keys are NaN (doubles) or -1 (integers).
struct TraceEvent {
  double t = 0;            ///< simulated time of the event, or end of a span, s
  double t0 = NAN;         ///< spans (download, train, upload): start, s
  std::string kind;        ///< round_start, download, ..., device_off, battery, update_dropped, or newer
  std::string actor;       ///< "server", "client-3"
  std::string host;        ///< device name
  int round = -1;          ///< 1-based round
  int client = -1;         ///< device index
  double bytes = NAN;      ///< payload bytes (download, upload)
  double flops = NAN;      ///< flops simulated (train)
  int count = -1;          ///< round_start: selected; aggregate/round_end: updates; evaluate: samples
  double accuracy = NAN;   ///< evaluate: test accuracy in [0,1]
  double loss = NAN;       ///< evaluate: test loss; upload: client's mean training loss
  std::string reason;      ///< device_off/on: availability|battery; update_dropped: deadline|failure|offline
  double charge_j = NAN;   ///< battery: remaining charge, J
  double fraction = NAN;   ///< battery: remaining charge as a fraction of capacity, [0,1]
  int staleness = -1;      ///< upload (async runs): rounds the update lags the global model

  bool is_span() const { return !std::isnan(t0); }
};

/// metrics.csv as read: the header's column names, and per row both the exact cell text (what
/// the report prints, so shown numbers equal the file's) and its value (NaN for an empty cell).
struct MetricsTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> text;
  std::vector<std::vector<double>> value;

  bool has(const std::string& column) const { return index_of(column) >= 0; }
  /// Column index, or -1 when the file has no such column.
  int index_of(const std::string& column) const;
  /// The value in row `row` of `column`; NaN for an empty cell or a missing column.
  double at(size_t row, const std::string& column) const;
  size_t rows() const { return value.size(); }
};

/// One row of devices.csv (emulator/core/device_table.hpp). Empty cells are NaN.
struct DeviceRow {
  int device = -1;           ///< index, as "client" in events.jsonl
  std::string name;          ///< host name
  std::string class_name;    ///< "" for explicit devices without a class
  double compute_energy_j = NAN, radio_energy_j = NAN, energy_j = NAN;
  double battery_fraction = NAN;
};

struct RunData {
  std::string dir;                  ///< the directory as given
  std::string label;                ///< legend name; set by the report, not the reader
  std::string group;                ///< runs differing only by seed share it; set by the report
  std::string color;                ///< "#rrggbb", the run's colour in every chart; set by the report
  nlohmann::json summary;           ///< summary.json (an object)
  nlohmann::json scenario;          ///< scenario.resolved.json, or null when absent
  std::vector<TraceEvent> events;   ///< in file order
  MetricsTable metrics;
  std::vector<DeviceRow> devices;   ///< devices.csv, empty when the run has none (older runs)
};

/// Columns metrics.csv must have; later columns (energy_j, cum_energy_j, ...) are optional.
extern const std::vector<std::string> kRequiredMetricsColumns;

TraceEvent parse_event_line(const std::string& line, const std::string& file, int line_no);
std::vector<TraceEvent> read_events(const std::string& path);
MetricsTable read_metrics(const std::string& path);
nlohmann::json read_json_object(const std::string& path);
/// devices.csv: a header naming at least device, name and class; other known columns are read
/// when present. Throws std::runtime_error naming the file and line.
std::vector<DeviceRow> read_devices(const std::string& path);
/// The class of device `client` (host `host`) of `run`: from devices.csv, else from the
/// resolved scenario (explicit devices' "class", class devices named "<class>-<i>"); "" when
/// it has none.
std::string device_class(const RunData& run, int client, const std::string& host);
/// Reads all of a run directory; throws std::runtime_error for a missing or malformed file.
RunData read_run(const std::string& dir);

}  // namespace flemu::analysis
