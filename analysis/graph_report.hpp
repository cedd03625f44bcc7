// The report's decentralized part: the graph drawn with its nodes coloured by their own
// model's accuracy (or by state), the per-node accuracy curves beside the average model's, and
// the consensus distance against time. Reads only run outputs: topology.json (nodes, edges,
// lattice sides, spectra) and nodes.csv (emulator/core/node_metrics.hpp), metrics.csv's
// consensus_distance and accuracy columns.
//
// Layout: lattices (torus, grid) on their rows x cols grid; the star with its hub at the
// centre; every other family on a circle in node order (rings and exponential graphs read best
// so: a chord's length shows its offset).
//
// Datasets added to the report:
//   graph_nodes  run, node, name, x, y, round, time_s, accuracy, state (one row per node and
//                tested round; nodes never tested get one row with accuracy null)
//   graph_edges  run, a, b, x, y, x2, y2
//   node_curves  run, node, round, time_s, accuracy, bytes_sent
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/report_data.hpp"
#include "analysis/vega_specs.hpp"

namespace flemu::analysis {

/// Node positions in [0, 1]^2 for a topology.json object.
std::vector<std::pair<double, double>> graph_layout(const nlohmann::json& topology);

/// Adds the datasets above to `data` for the runs that have a topology.json, and appends the
/// charts (graph, node curves, consensus) to `charts`; runs without one are left out, and no
/// chart is added when no run has one. Throws std::runtime_error naming the file and line of a
/// malformed topology.json or nodes.csv.
void add_graph_charts(ReportData& data, std::vector<ChartSpec>& charts);

}  // namespace flemu::analysis
