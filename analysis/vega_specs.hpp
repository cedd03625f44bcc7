// The report's interactive charts as Vega-Lite v5 specs. Each spec reads named datasets (see
// analysis/report_data.hpp) that the page passes in at embed time, so the data is embedded in
// the HTML once however many charts use it. A chart whose data no run has becomes a note
// saying what would make it appear.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/report_data.hpp"

namespace flemu::analysis {

struct ChartSpec {
  std::string id;                 ///< HTML id stem, e.g. "accuracy-time"
  std::string title;              ///< section heading
  std::string caption;            ///< how to read it (plain text)
  bool available = true;          ///< false: show `note` instead of a chart
  std::string note;               ///< why it is absent (plain text)
  std::string renderer = "svg";   ///< "svg", or "canvas" for charts with very many marks
  std::vector<std::string> uses;  ///< dataset names the spec reads
  nlohmann::json spec;            ///< Vega-Lite spec, null when not available
};

/// The charts, in page order: accuracy vs time, vs bytes, vs energy, mean and spread over
/// seeds (sweeps with seeds), round breakdown (synchronous runs), device activity over time,
/// per device class, device timeline, battery, staleness. Colours: every chart that tells runs apart gives a run the same colour
/// (RunData::color), and its legend shows whole names (analysis/vega_common.hpp).
std::vector<ChartSpec> report_charts(const ReportData& data);

// Chart modules, one concern per file; report_charts() calls each in page order.
/// Per device class, runs side by side: energy, updates accepted and dropped, staleness,
/// time spent in each state (analysis/chart_per_class.cpp; data: analysis/class_view.hpp).
ChartSpec per_class_chart(const ReportData& data);
/// Share of the devices' time in each state, window by window of simulated time, one panel
/// per run (analysis/chart_activity.cpp; data: analysis/activity.hpp).
ChartSpec activity_chart(const ReportData& data);
/// Accuracy of each variant as the mean over its seeds with a +-1 standard deviation band
/// (analysis/chart_seeds.cpp; data: analysis/seed_groups.hpp).
ChartSpec seed_spread_chart(const ReportData& data);

/// Colours shared with the gnuplot figures so both read alike.
struct Palette {
  static const std::vector<std::string> states;        ///< device states, in legend order
  static const std::vector<std::string> state_colors;  ///< same order
  static const std::vector<std::string> phases;        ///< download, compute, upload, waiting
  static const std::vector<std::string> phase_colors;
};

}  // namespace flemu::analysis
