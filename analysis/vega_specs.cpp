#include "analysis/vega_specs.hpp"

#include <algorithm>

namespace flemu::analysis {

using nlohmann::json;

const std::vector<std::string> Palette::states = {"downloading", "training", "uploading",
                                                  "idle",        "offline",  "battery dead"};
const std::vector<std::string> Palette::state_colors = {"#4c78a8", "#f58518", "#54a24b",
                                                        "#e6e6e6", "#8c8c8c", "#d62728"};
const std::vector<std::string> Palette::phases = {"download", "compute", "upload", "waiting"};
const std::vector<std::string> Palette::phase_colors = {"#4c78a8", "#f58518", "#54a24b", "#bab0ac"};

namespace {

const char* kSchema = "https://vega.github.io/schema/vega-lite/v5.json";  // names the version; never fetched

std::vector<std::string> labels_of(const ReportData& d) {
  std::vector<std::string> out;
  for (const auto& r : d.runs) out.push_back(r.label);
  return out;
}

/// A dropdown choosing which run a per-run chart shows; no widget when there is one run.
json run_picker(const ReportData& d) {
  const auto labels = labels_of(d);
  json p = {{"name", "run_pick"}, {"value", labels.front()}};
  if (labels.size() > 1) p["bind"] = {{"input", "select"}, {"options", labels}, {"name", "run "}};
  return p;
}

/// Accuracy against a cumulative quantity, one line per run; legend click highlights a run,
/// wheel/drag zooms and pans.
json accuracy_spec(const std::string& x_field, const std::string& x_title, const std::string& x_format) {
  json spec = json::parse(R"({
    "width": "container", "height": 320,
    "data": {"name": "metrics"},
    "transform": [{"filter": "isValid(datum.accuracy)"}],
    "params": [
      {"name": "zoom", "select": {"type": "interval", "encodings": ["x", "y"]}, "bind": "scales"},
      {"name": "pick", "select": {"type": "point", "fields": ["run"]}, "bind": "legend"}
    ],
    "mark": {"type": "line", "point": true, "tooltip": true},
    "encoding": {
      "y": {"field": "accuracy", "type": "quantitative", "title": "test accuracy", "scale": {"zero": false}},
      "color": {"field": "run", "type": "nominal", "title": "run"},
      "opacity": {"condition": {"param": "pick", "value": 1}, "value": 0.15},
      "tooltip": [
        {"field": "run", "type": "nominal"}, {"field": "round", "type": "quantitative"},
        {"field": "time_s", "type": "quantitative", "title": "time_s"},
        {"field": "cum_bytes", "type": "quantitative"},
        {"field": "accuracy", "type": "quantitative"}, {"field": "loss", "type": "quantitative"}
      ]
    }
  })");
  spec["$schema"] = kSchema;
  spec["encoding"]["x"] = {{"field", x_field}, {"type", "quantitative"}, {"title", x_title}};
  if (!x_format.empty()) spec["encoding"]["x"]["axis"] = {{"format", x_format}};
  if (x_field == "cum_energy_j") spec["encoding"]["tooltip"].push_back({{"field", x_field}, {"type", "quantitative"}});
  return spec;
}

json breakdown_spec(const ReportData& d) {
  json spec = json::parse(R"({
    "data": {"name": "breakdown"},
    "params": [{"name": "split", "value": "critical path",
                "bind": {"input": "radio", "options": ["critical path", "mean of participants"], "name": "split "}}],
    "transform": [{"filter": "datum.split == split"}],
    "mark": {"type": "bar", "tooltip": true},
    "encoding": {
      "x": {"field": "round", "type": "ordinal", "title": "round", "axis": {"labelOverlap": true}},
      "y": {"field": "seconds", "type": "quantitative", "aggregate": "sum", "stack": "zero",
            "title": "simulated seconds"},
      "order": {"field": "phase_order", "type": "quantitative"},
      "tooltip": [
        {"field": "run", "type": "nominal"}, {"field": "round", "type": "ordinal"},
        {"field": "phase", "type": "nominal"}, {"field": "seconds", "type": "quantitative", "format": ".4~f"},
        {"field": "critical_client", "type": "nominal", "title": "straggler (critical path)"}
      ]
    }
  })");
  spec["$schema"] = kSchema;
  spec["encoding"]["color"] = {{"field", "phase"},
                               {"type", "nominal"},
                               {"title", "phase"},
                               {"scale", {{"domain", Palette::phases}, {"range", Palette::phase_colors}}}};
  // Facets cannot size to their container, so a sweep gets fixed-width rows, one per run.
  if (d.runs.size() > 1) {
    spec["width"] = 760;
    spec["height"] = 160;
    spec["encoding"]["row"] = {{"field", "run"}, {"type", "nominal"}, {"title", nullptr}, {"sort", labels_of(d)}};
  } else {
    spec["width"] = "container";
    spec["height"] = 300;
  }
  return spec;
}

json timeline_spec(const ReportData& d) {
  json spec = json::parse(R"({
    "transform": [],
    "layer": [
      {
        "data": {"name": "timeline"},
        "transform": [
          {"filter": "datum.run == run_pick"},
          {"calculate": "datum.client - 0.42", "as": "row_top"},
          {"calculate": "datum.client + 0.42", "as": "row_bottom"},
          {"calculate": "datum.t1 - datum.t0", "as": "duration_s"}
        ],
        "params": [{"name": "zoom", "select": {"type": "interval", "encodings": ["x", "y"]}, "bind": "scales"}],
        "mark": {"type": "rect"},
        "encoding": {
          "x": {"field": "t0", "type": "quantitative", "title": "simulated time (s)"},
          "x2": {"field": "t1"},
          "y": {"field": "row_top", "type": "quantitative", "title": "device",
                "scale": {"reverse": true, "zero": false, "nice": false},
                "axis": {"tickMinStep": 1, "format": "d"}},
          "y2": {"field": "row_bottom"},
          "tooltip": [
            {"field": "host", "type": "nominal", "title": "device"}, {"field": "client", "type": "quantitative"},
            {"field": "state", "type": "nominal"}, {"field": "round", "type": "quantitative"},
            {"field": "t0", "type": "quantitative", "format": ".4~f", "title": "from (s)"},
            {"field": "t1", "type": "quantitative", "format": ".4~f", "title": "to (s)"},
            {"field": "duration_s", "type": "quantitative", "format": ".4~f", "title": "duration (s)"}
          ]
        }
      },
      {
        "data": {"name": "drops"},
        "transform": [{"filter": "datum.run == run_pick"}],
        "mark": {"type": "point", "shape": "cross", "filled": true, "size": 90, "color": "#111111"},
        "encoding": {
          "x": {"field": "t", "type": "quantitative"},
          "y": {"field": "client", "type": "quantitative"},
          "tooltip": [
            {"field": "host", "type": "nominal", "title": "device"}, {"field": "round", "type": "quantitative"},
            {"field": "reason", "type": "nominal", "title": "update dropped"},
            {"field": "t", "type": "quantitative", "format": ".4~f", "title": "at (s)"}
          ]
        }
      }
    ]
  })");
  spec.erase("transform");
  spec["$schema"] = kSchema;
  spec["params"] = json::array({run_picker(d)});
  spec["width"] = "container";
  // One row per device; past ~40 devices rows shrink and the user zooms in (wheel, drag).
  spec["height"] = std::clamp(d.max_devices * 18, 120, 600);
  spec["layer"][0]["encoding"]["color"] = {{"field", "state"},
                                           {"type", "nominal"},
                                           {"title", "state"},
                                           {"scale", {{"domain", Palette::states}, {"range", Palette::state_colors}}}};
  return spec;
}

json battery_spec(const ReportData& d) {
  json spec = json::parse(R"({
    "width": "container", "height": 280,
    "data": {"name": "battery"},
    "transform": [{"filter": "datum.run == run_pick && isValid(datum.fraction)"}],
    "mark": {"type": "line", "point": {"size": 18}, "tooltip": true, "strokeWidth": 1.5},
    "encoding": {
      "x": {"field": "t", "type": "quantitative", "title": "simulated time (s)"},
      "y": {"field": "fraction", "type": "quantitative", "title": "battery charge",
            "scale": {"domain": [0, 1]}, "axis": {"format": "%"}},
      "color": {"field": "host", "type": "nominal", "legend": null},
      "detail": {"field": "client", "type": "nominal"},
      "tooltip": [
        {"field": "host", "type": "nominal", "title": "device"}, {"field": "t", "type": "quantitative", "title": "t (s)"},
        {"field": "fraction", "type": "quantitative", "format": ".1%"},
        {"field": "charge_j", "type": "quantitative", "title": "charge (J)"}
      ]
    }
  })");
  spec["$schema"] = kSchema;
  spec["params"] = json::array(
      {run_picker(d), {{"name", "zoom"}, {"select", {{"type", "interval"}, {"encodings", {"x"}}}}, {"bind", "scales"}}});
  return spec;
}

json staleness_spec(const ReportData& d) {
  json spec = json::parse(R"({
    "width": "container", "height": 260,
    "data": {"name": "staleness"},
    "mark": {"type": "bar", "tooltip": true},
    "encoding": {
      "x": {"field": "staleness", "type": "ordinal", "title": "staleness (rounds behind the global model)"},
      "y": {"field": "updates", "type": "quantitative", "title": "updates"},
      "color": {"field": "run", "type": "nominal", "title": "run"},
      "tooltip": [{"field": "run", "type": "nominal"}, {"field": "staleness", "type": "ordinal"},
                  {"field": "updates", "type": "quantitative"}]
    }
  })");
  spec["$schema"] = kSchema;
  if (d.runs.size() > 1) spec["encoding"]["xOffset"] = {{"field", "run"}, {"type", "nominal"}};
  return spec;
}

}  // namespace

std::vector<ChartSpec> report_charts(const ReportData& d) {
  std::vector<ChartSpec> charts;
  const bool sweep = d.runs.size() > 1;
  const std::string legend_tip = sweep ? " Click a legend entry to highlight one run." : "";

  charts.push_back({"accuracy-time", "Accuracy vs simulated time",
                    "Test accuracy of the global model after each evaluated round (metrics.csv accuracy vs "
                    "time_s). Wheel to zoom, drag to pan, double-click to reset." + legend_tip,
                    true, "", "svg", {"metrics"}, accuracy_spec("time_s", "simulated time (s)", "")});
  charts.push_back({"accuracy-bytes", "Accuracy vs bytes moved",
                    "Test accuracy against cumulative bytes sent and received by the server (metrics.csv "
                    "cum_bytes)." + legend_tip,
                    true, "", "svg", {"metrics"}, accuracy_spec("cum_bytes", "cumulative bytes (down + up)", "~s")});

  ChartSpec energy{"accuracy-energy", "Accuracy vs energy",
                   "Test accuracy against the devices' cumulative energy (metrics.csv cum_energy_j, or the "
                   "running sum of energy_j)." + legend_tip,
                   d.has_energy, "", "svg", {"metrics"}, nullptr};
  if (d.has_energy) energy.spec = accuracy_spec("cum_energy_j", "cumulative energy (J)", "~s");
  else energy.note = "No run's metrics.csv has an energy_j or cum_energy_j column, so there is no energy to plot. "
                     "Runs with a device energy model write them.";
  charts.push_back(std::move(energy));

  charts.push_back({"round-breakdown", "Where each round's time went",
                    "Each bar is one round's simulated duration. Critical path: the download, compute and upload "
                    "spans of the client whose accepted update arrived last (the straggler the server waited "
                    "for); waiting is the rest (server aggregation and evaluation, gaps). Mean of participants: "
                    "the mean span durations over the clients active in the round; waiting is then the average "
                    "device's idle time behind stragglers.",
                    true, "", "svg", {"breakdown"}, breakdown_spec(d)});

  charts.push_back({"timeline", "Device timeline",
                    "One row per device (index on the axis, name in the tooltip): what it was doing at each "
                    "simulated moment. Crosses mark updates the server dropped. Wheel to zoom, drag to pan "
                    "(both axes), double-click to reset." +
                        std::string(sweep ? " The menu picks the run." : ""),
                    true, "", "canvas", {"timeline", "drops"}, timeline_spec(d)});

  ChartSpec battery{"battery", "Battery charge",
                    "Remaining charge of each battery-powered device as a fraction of its capacity, from the "
                    "battery events of events.jsonl." + std::string(sweep ? " The menu picks the run." : ""),
                    d.has_battery, "", "canvas", {"battery"}, nullptr};
  if (d.has_battery) battery.spec = battery_spec(d);
  else battery.note = "No run has battery events: its devices run on mains power, or the scenario models no battery.";
  charts.push_back(std::move(battery));

  ChartSpec stale{"staleness", "Update staleness",
                  "How many rounds behind the current global model each received update was (upload events' "
                  "staleness).",
                  d.has_staleness, "", "svg", {"staleness"}, nullptr};
  if (d.has_staleness) stale.spec = staleness_spec(d);
  else stale.note = "No upload event carries a staleness: synchronous runs always aggregate fresh updates.";
  charts.push_back(std::move(stale));
  return charts;
}

}  // namespace flemu::analysis
