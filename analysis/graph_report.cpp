#include "analysis/graph_report.hpp"

#include "analysis/vega_common.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace flemu::analysis {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const char* kSchema = "https://vega.github.io/schema/vega-lite/v5.json";

json read_topology(const std::string& dir) {
  const fs::path p = fs::path(dir) / "topology.json";
  if (!fs::exists(p)) return nullptr;
  std::ifstream in(p);
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception& e) {
    throw std::runtime_error(p.string() + ": expected a JSON object (" + e.what() + ")");
  }
  if (!j.is_object() || !j.contains("nodes") || !j.contains("edge_list") || !j["edge_list"].is_array())
    throw std::runtime_error(p.string() + ": expected an object with \"nodes\" and \"edge_list\"");
  return j;
}

struct NodeRow {
  int round, node;
  double time, accuracy, bytes;
  std::string state;
};

std::vector<NodeRow> read_nodes_csv(const std::string& dir) {
  const fs::path p = fs::path(dir) / "nodes.csv";
  std::vector<NodeRow> rows;
  if (!fs::exists(p)) return rows;
  std::ifstream in(p);
  std::string line;
  int line_no = 1;
  if (!std::getline(in, line) || line.rfind("round,time_s,node,accuracy", 0) != 0)
    throw std::runtime_error(p.string() + ":1: expected the header \"round,time_s,node,accuracy,...\"");
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    std::vector<std::string> c;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) c.push_back(cell);
    if (c.size() < 8)
      throw std::runtime_error(p.string() + ":" + std::to_string(line_no) + ": expected 8 comma-separated fields");
    try {
      auto num = [](const std::string& s) { return s.empty() ? NAN : std::stod(s); };
      rows.push_back({std::stoi(c[0]), std::stoi(c[2]), num(c[1]), num(c[3]), num(c[6]), c[7]});
    } catch (const std::exception&) {
      throw std::runtime_error(p.string() + ":" + std::to_string(line_no) + ": expected numbers, got \"" + line + "\"");
    }
  }
  return rows;
}

json nullable(double x) { return std::isnan(x) ? json(nullptr) : json(x); }

json graph_spec(const ReportData& d, const std::vector<std::string>& runs, int max_step) {
  json spec = json::parse(R"json({
    "width": 440, "height": 440,
    "layer": [
      {"data": {"name": "graph_edges"},
       "transform": [{"filter": "datum.run == graph_run"}],
       "mark": {"type": "rule", "color": "#b0b0b0", "strokeWidth": 1},
       "encoding": {
         "x": {"field": "x", "type": "quantitative", "axis": null, "scale": {"domain": [-0.05, 1.05]}},
         "y": {"field": "y", "type": "quantitative", "axis": null, "scale": {"domain": [-0.05, 1.05]}},
         "x2": {"field": "x2"}, "y2": {"field": "y2"}}},
      {"data": {"name": "graph_nodes"},
       "transform": [{"filter": "datum.run == graph_run && (datum.step == graph_step || datum.step == null)"}],
       "mark": {"type": "point", "filled": true, "size": 140, "stroke": "#333", "strokeWidth": 0.6, "tooltip": true},
       "encoding": {
         "x": {"field": "x", "type": "quantitative", "axis": null, "scale": {"domain": [-0.05, 1.05]}},
         "y": {"field": "y", "type": "quantitative", "axis": null, "scale": {"domain": [-0.05, 1.05]}},
         "color": {"field": "accuracy", "type": "quantitative", "title": "node accuracy",
                   "scale": {"scheme": "viridis"}},
         "shape": {"field": "state", "type": "nominal", "title": "device",
                   "scale": {"domain": ["on", "off"], "range": ["circle", "cross"]}},
         "tooltip": [{"field": "name", "type": "nominal"}, {"field": "node", "type": "quantitative"},
                     {"field": "round", "type": "quantitative"}, {"field": "time_s", "type": "quantitative"},
                     {"field": "accuracy", "type": "quantitative"}, {"field": "state", "type": "nominal"}]}}
    ]
  })json");
  spec["$schema"] = kSchema;
  json run = {{"name", "graph_run"}, {"value", runs.front()}};
  if (runs.size() > 1) run["bind"] = {{"input", "select"}, {"options", runs}, {"name", "run "}};
  json step = {{"name", "graph_step"}, {"value", max_step}};
  if (max_step > 1) step["bind"] = {{"input", "range"}, {"min", 1}, {"max", max_step}, {"step", 1}, {"name", "evaluation "}};
  spec["params"] = {run, step};
  (void)d;
  return spec;
}

json curves_spec(const std::vector<std::string>& runs) {
  json spec = json::parse(R"json({
    "width": "container", "height": 320,
    "layer": [
      {"data": {"name": "node_curves"},
       "transform": [{"filter": "datum.run == curves_run && isValid(datum.accuracy)"}],
       "mark": {"type": "line", "strokeWidth": 1, "opacity": 0.35, "color": "#4c78a8"},
       "encoding": {
         "x": {"field": "time_s", "type": "quantitative", "title": "simulated time (s)"},
         "y": {"field": "accuracy", "type": "quantitative", "title": "test accuracy", "scale": {"zero": false}},
         "detail": {"field": "node", "type": "nominal"},
         "tooltip": [{"field": "node", "type": "quantitative"}, {"field": "round", "type": "quantitative"},
                     {"field": "accuracy", "type": "quantitative"}]}},
      {"data": {"name": "metrics"},
       "transform": [{"filter": "datum.run == curves_run && isValid(datum.accuracy)"}],
       "mark": {"type": "line", "strokeWidth": 3, "color": "#e45756", "point": true, "tooltip": true},
       "encoding": {
         "x": {"field": "time_s", "type": "quantitative"},
         "y": {"field": "accuracy", "type": "quantitative"}}}
    ]
  })json");
  spec["$schema"] = kSchema;
  json run = {{"name", "curves_run"}, {"value", runs.front()}};
  if (runs.size() > 1) run["bind"] = {{"input", "select"}, {"options", runs}, {"name", "run "}};
  spec["params"] = {run};
  return spec;
}

json consensus_spec(const ReportData& d) {
  json spec = json::parse(R"json({
    "width": "container", "height": 300,
    "data": {"name": "metrics"},
    "transform": [{"filter": "isValid(datum.consensus_distance) && datum.consensus_distance > 0"}],
    "params": [{"name": "pick", "select": {"type": "point", "fields": ["run"]}, "bind": "legend"}],
    "mark": {"type": "line", "point": true, "tooltip": true},
    "encoding": {
      "x": {"field": "time_s", "type": "quantitative", "title": "simulated time (s)", "scale": {"zero": true}},
      "y": {"field": "consensus_distance", "type": "quantitative", "title": "consensus distance (1/n) sum ||x_i - x-bar||^2",
            "scale": {"type": "log"}},
      "color": {"field": "run", "type": "nominal", "title": "run"},
      "opacity": {"condition": {"param": "pick", "value": 1}, "value": 0.15},
      "tooltip": [{"field": "run", "type": "nominal"}, {"field": "round", "type": "quantitative"},
                  {"field": "time_s", "type": "quantitative"}, {"field": "consensus_distance", "type": "quantitative"},
                  {"field": "cum_bytes", "type": "quantitative"}]
    }
  })json");
  spec["$schema"] = kSchema;
  spec["encoding"]["color"] = run_color(d);  // each run in its colour of every other chart
  return spec;
}

}  // namespace

std::vector<std::pair<double, double>> graph_layout(const json& t) {
  const int n = t.at("nodes").get<int>();
  std::vector<std::pair<double, double>> pos(n);
  const std::string kind = t.value("topology", "");
  if (t.contains("lattice")) {
    const int rows = t["lattice"]["rows"], cols = t["lattice"]["cols"];
    for (int i = 0; i < n; ++i) {
      const int r = i / cols, c = i % cols;
      pos[i] = {cols > 1 ? double(c) / (cols - 1) : 0.5, rows > 1 ? 1.0 - double(r) / (rows - 1) : 0.5};
    }
    return pos;
  }
  const double pi = std::acos(-1.0);
  int hub = -1;
  if (kind == "star") {  // the node every edge touches
    std::vector<int> degree(n, 0);
    for (const auto& e : t["edge_list"]) degree[e[0].get<int>()]++, degree[e[1].get<int>()]++;
    for (int i = 0; i < n; ++i)
      if (degree[i] == n - 1) hub = i;
  }
  const int ring = hub >= 0 ? n - 1 : n;
  int k = 0;
  for (int i = 0; i < n; ++i) {
    if (i == hub) {
      pos[i] = {0.5, 0.5};
      continue;
    }
    const double a = pi / 2 - 2 * pi * k++ / std::max(1, ring);
    pos[i] = {0.5 + 0.5 * std::cos(a), 0.5 + 0.5 * std::sin(a)};
  }
  return pos;
}

void add_graph_charts(ReportData& data, std::vector<ChartSpec>& charts) {
  json nodes = json::array(), edges = json::array(), curves = json::array();
  std::vector<std::string> runs;
  int max_step = 1;
  bool consensus = false;
  for (const auto& run : data.runs) {
    const json topo = read_topology(run.dir);
    if (topo.is_null()) continue;
    consensus = consensus || run.metrics.has("consensus_distance");
    runs.push_back(run.label);
    const auto pos = graph_layout(topo);
    const auto names = topo.value("node_names", json::array());
    for (const auto& e : topo["edge_list"]) {
      const int a = e[0], b = e[1];
      edges.push_back({{"run", run.label}, {"a", a}, {"b", b}, {"x", pos[a].first}, {"y", pos[a].second},
                       {"x2", pos[b].first}, {"y2", pos[b].second}});
    }
    const auto rows = read_nodes_csv(run.dir);
    std::map<int, int> step_of;  // tested round -> 1-based index
    for (const auto& r : rows) step_of.emplace(r.round, 0);
    int k = 0;
    for (auto& [round, step] : step_of) step = ++k;
    max_step = std::max(max_step, k);
    std::set<int> tested;
    for (const auto& r : rows) {
      tested.insert(r.node);
      const auto& [x, y] = pos.at(r.node);
      json row = {{"run", run.label}, {"node", r.node}, {"x", x}, {"y", y}, {"round", r.round},
                  {"step", step_of[r.round]}, {"time_s", nullable(r.time)}, {"accuracy", nullable(r.accuracy)},
                  {"state", r.state}};
      if (r.node < static_cast<int>(names.size())) row["name"] = names[r.node];
      nodes.push_back(row);
      curves.push_back({{"run", run.label}, {"node", r.node}, {"round", r.round}, {"time_s", nullable(r.time)},
                        {"accuracy", nullable(r.accuracy)}, {"bytes_sent", nullable(r.bytes)}});
    }
    for (int i = 0; i < static_cast<int>(pos.size()); ++i)
      if (!tested.count(i)) {
        json row = {{"run", run.label}, {"node", i}, {"x", pos[i].first}, {"y", pos[i].second}, {"round", nullptr},
                    {"step", nullptr}, {"time_s", nullptr}, {"accuracy", nullptr}, {"state", "on"}};
        if (i < static_cast<int>(names.size())) row["name"] = names[i];
        nodes.push_back(row);
      }
  }
  if (runs.empty()) return;
  data.datasets["graph_nodes"] = nodes;
  data.datasets["graph_edges"] = edges;
  data.datasets["node_curves"] = curves;

  ChartSpec graph;
  graph.id = "graph";
  graph.title = "The graph, nodes coloured by their own model's accuracy";
  graph.caption =
      "Each node is a device, each line an edge of the topology (lattices on their grid, the star's hub in the "
      "centre, other graphs on a circle in node order). Colour: the accuracy of the node's own model at the chosen "
      "evaluation (the slider); a cross marks a device that was off then. Nodes that were never tested are grey.";
  graph.uses = {"graph_edges", "graph_nodes"};
  graph.spec = graph_spec(data, runs, max_step);
  charts.push_back(graph);

  ChartSpec node_curves;
  node_curves.id = "node-curves";
  node_curves.title = "Node accuracies against simulated time";
  node_curves.caption =
      "Thin lines: each tested node's own model; thick line: the average model x-bar (the accuracy column). Their "
      "spread is what gossip has not yet averaged away.";
  node_curves.uses = {"node_curves", "metrics"};
  node_curves.available = !curves.empty();
  node_curves.note = "No node was tested (algorithm.node_evaluation 0): nodes.csv is empty.";
  if (node_curves.available) node_curves.spec = curves_spec(runs);
  charts.push_back(node_curves);

  ChartSpec cons;
  cons.id = "consensus";
  cons.title = "Consensus distance against simulated time";
  cons.caption = "(1/n) sum_i ||x_i - x-bar||^2 over the node models at the end of each round, log scale: how far "
                 "the nodes are from agreeing. A larger spectral gap pulls it down faster.";
  cons.uses = {"metrics"};
  cons.available = consensus;
  cons.note = "No run has a consensus_distance column.";
  if (consensus) cons.spec = consensus_spec(data);
  charts.push_back(cons);
}

}  // namespace flemu::analysis
