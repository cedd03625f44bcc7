// Everything the report draws, derived from the runs' output files: the per-run summary rows,
// and the tables (datasets) the charts plot, one row per mark, tagged with the run's label.
//
// Datasets (the names the Vega-Lite specs and the gnuplot figures use):
//   metrics    every metrics.csv row + "run"; cells as numbers, empty cells null. When a run
//              has energy_j but no cum_energy_j, cum_energy_j is its running sum.
//              accuracy_smooth: the centred rolling mean of accuracy over the run's evaluated
//              rows (window ReportData::smooth_window; = accuracy for short runs); dense: the
//              run has more evaluations than a line can show point by point
//   breakdown  run, round, start_s, split ("critical path" | "mean of participants"), phase
//              ("download" | "compute" | "upload" | "waiting"), phase_order, seconds,
//              critical_client (analysis/round_breakdown.hpp says how splits are made)
//   timeline   run, client, host, class, row, state, t0, t1, round (analysis/device_timeline.hpp);
//              row: the device's row, devices ordered by class (scenario order), then index
//   timeline_rows  run, row, host, class, class_order: one per row of the timeline
//   drops      run, client, host, class, row, t, round, reason (update_dropped events)
//   battery    run, client, host, class, t, fraction, charge_j (battery events)
//   staleness  run, staleness, updates (upload events carrying staleness, counted)
//              (synchronous runs only: analysis/round_breakdown.hpp, has_synchronous_rounds)
//   activity   analysis/activity.hpp
//   per_class, per_class_states   analysis/class_view.hpp
//   seed_groups                   analysis/seed_groups.hpp
// Every run has one colour (RunData::color) used by every chart that tells runs apart.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/device_timeline.hpp"
#include "analysis/round_breakdown.hpp"
#include "analysis/run_reader.hpp"
#include "analysis/seed_groups.hpp"

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
  std::vector<RunData> runs;  ///< labels (unique), groups and colours set
  std::vector<RoundBreakdown> breakdowns;
  std::vector<DeviceTimeline> timelines;
  std::vector<RunSummaryRow> summary;
  bool has_accuracy = false;   ///< some run has an evaluated accuracy (analytic runs have none)
  bool has_energy = false;     ///< some run's metrics.csv has energy_j or cum_energy_j
  bool has_battery = false;    ///< some run has battery events
  bool has_staleness = false;  ///< some run has uploads with staleness
  std::vector<bool> synchronous;  ///< per run: has_synchronous_rounds (its breakdown is drawn)
  bool has_classes = false;    ///< some run has devices of more than one class, or any class at all
  int max_devices = 0;         ///< most devices in one run
  int max_rounds = 0;          ///< most rounds of one synchronous run's breakdown
  int max_classes = 0;         ///< most device classes in one run
  int smooth_window = 1;       ///< evaluations averaged by accuracy_smooth in dense runs (1 = none)
  std::vector<std::vector<std::string>> row_hosts;  ///< per run: host of each timeline row
  std::vector<GroupSummary> groups;  ///< groups of runs that differ only by seed (2+ runs each)
  nlohmann::json datasets;     ///< dataset name -> array of row objects (see above)
};

/// The run colours, in order: run i gets kRunColors[i % size].
extern const std::vector<std::string> kRunColors;

/// What a run's resolved scenario records about how it was made (its "overrides": a sweep
/// variant's label and group, or --set/--seed given on the command line).
struct RunOrigin {
  std::string base;   ///< the sweep's name, else the scenario's
  std::string label;  ///< the variant's label, else the overrides as "key=value ..."; "" when none
  std::string group;  ///< the variant's group (label without seed); "" when none
};
RunOrigin run_origin(const RunData& run);

/// Legend names: `labels` if given (one per run), else what the run's overrides say (a sweep
/// variant's label, "uplink=1Mbps", also when its folder is passed alone), else summary.json
/// "scenario", else the directory name; names that would repeat are prefixed with their
/// sweep or scenario name, then fall back to the directory name, then get " (n)".
std::vector<std::string> run_labels(const std::vector<RunData>& runs, const std::vector<std::string>& labels);

ReportData build_report_data(std::vector<RunData> runs, const std::vector<std::string>& labels);

}  // namespace flemu::analysis
