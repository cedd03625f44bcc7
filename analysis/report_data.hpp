// Everything the report draws, derived from the runs' output files: the per-run summary rows,
// and the tables (datasets) the charts plot, one row per mark, tagged with the run's label.
//
// Datasets (the names the Vega-Lite specs and the gnuplot figures use):
//   metrics    every metrics.csv row + "run"; cells as numbers, empty cells null. When a run
//              has energy_j but no cum_energy_j, cum_energy_j is its running sum.
//   breakdown  run, round, split ("critical path" | "mean of participants"), phase
//              ("download" | "compute" | "upload" | "waiting"), phase_order, seconds,
//              critical_client (analysis/round_breakdown.hpp says how splits are made)
//   timeline   run, client, host, state, t0, t1, round (analysis/device_timeline.hpp)
//   drops      run, client, host, t, round, reason (update_dropped events)
//   battery    run, client, host, t, fraction, charge_j (battery events)
//   staleness  run, staleness, updates (upload events carrying staleness, counted)
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/device_timeline.hpp"
#include "analysis/round_breakdown.hpp"
#include "analysis/run_reader.hpp"

namespace flemu::analysis {

/// One line of the report's summary table. Text fields hold metrics.csv cells verbatim, so
/// the page shows exactly the file's numbers; "" = not measured.
struct RunSummaryRow {
  std::string label, dir, abs_dir;
  std::string scenario, scenario_hash, stop_reason;
  int rounds = 0;                 ///< metrics.csv rows
  double simulated_time_s = NAN;  ///< summary.json, else the last round's time_s
  std::string final_accuracy;     ///< last non-empty accuracy cell of metrics.csv
  int final_accuracy_round = -1;  ///< the round that cell belongs to
  std::string final_loss;         ///< loss cell of that same row
  std::string cum_bytes;          ///< last row's cum_bytes
  double bytes_down = NAN, bytes_up = NAN;  ///< summary.json
  double energy_j = NAN;          ///< last cum_energy_j, else the sum of energy_j; NaN without either
  int devices = 0;                ///< devices in the timeline
  int updates_dropped = 0;        ///< update_dropped events
  int device_offs = 0;            ///< device_off events
};

struct ReportData {
  std::vector<RunData> runs;  ///< labels set, unique
  std::vector<RoundBreakdown> breakdowns;
  std::vector<DeviceTimeline> timelines;
  std::vector<RunSummaryRow> summary;
  bool has_energy = false;     ///< some run's metrics.csv has energy_j or cum_energy_j
  bool has_battery = false;    ///< some run has battery events
  bool has_staleness = false;  ///< some run has uploads with staleness
  int max_devices = 0;         ///< most devices in one run
  nlohmann::json datasets;     ///< dataset name -> array of row objects (see above)
};

/// Legend names: `labels` if given (one per run), else summary.json "scenario", else the
/// directory name; names that would repeat fall back to the directory name, then get " (n)".
std::vector<std::string> run_labels(const std::vector<RunData>& runs, const std::vector<std::string>& labels);

ReportData build_report_data(std::vector<RunData> runs, const std::vector<std::string>& labels);

}  // namespace flemu::analysis
