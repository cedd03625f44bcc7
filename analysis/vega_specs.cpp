#include "analysis/vega_specs.hpp"

#include <algorithm>
#include <functional>

namespace flemu::analysis {

using nlohmann::json;

const std::vector<std::string> Palette::states = {"downloading", "training", "uploading",   "idle",
                                                  "offline",     "battery dead", "communicating"};
const std::vector<std::string> Palette::state_colors = {"#4c78a8", "#f58518", "#54a24b", "#e6e6e6",
                                                        "#8c8c8c", "#d62728", "#9467bd"};
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
  json spec = json::parse(R"json({
    "width": "container", "height": 320,
    "data": {"name": "metrics"},
    "transform": [{"filter": "isValid(datum.accuracy)"}],
    "params": [
      {"name": "zoom", "select": {"type": "interval", "encodings": ["x", "y"]}, "bind": "scales"},
      {"name": "pick", "select": {"type": "point", "fields": ["run"]}, "bind": "legend"}
    ],
    "mark": {"type": "line", "point": true, "tooltip": true},
    "encoding": {
      "y": {"field": "accuracy", "type": "quantitative", "title": "test accuracy", "scale": {"zero": false, "padding": 6}},
      "color": {"field": "run", "type": "nominal", "title": "run"},
      "opacity": {"condition": {"param": "pick", "value": 1}, "value": 0.15},
      "tooltip": [
        {"field": "run", "type": "nominal"}, {"field": "round", "type": "quantitative"},
        {"field": "time_s", "type": "quantitative", "title": "time_s"},
        {"field": "cum_bytes", "type": "quantitative"},
        {"field": "accuracy", "type": "quantitative"}, {"field": "loss", "type": "quantitative"}
      ]
    }
  })json");
  spec["$schema"] = kSchema;
  // Padding keeps the first and last points whole: zoomable marks are clipped to the plot.
  spec["encoding"]["x"] = {
      {"field", x_field}, {"type", "quantitative"}, {"title", x_title}, {"scale", {{"zero", false}, {"padding", 6}}}};
  if (!x_format.empty()) spec["encoding"]["x"]["axis"] = {{"format", x_format}};
  if (x_field == "cum_energy_j") spec["encoding"]["tooltip"].push_back({{"field", x_field}, {"type", "quantitative"}});
  return spec;
}

json breakdown_spec(const ReportData& d) {
  json spec = json::parse(R"json({
    "data": {"name": "breakdown"},
    "params": [{"name": "split", "value": "critical path",
                "bind": {"input": "radio", "options": ["critical path", "mean of participants"], "name": "split "}}],
    "transform": [{"filter": "datum.split == split"}],
    "mark": {"type": "bar", "tooltip": true},
    "encoding": {
      "x": {"field": "round", "type": "ordinal", "title": "round", "axis": {"labelOverlap": true, "labelAngle": 0}},
      "y": {"field": "seconds", "type": "quantitative", "aggregate": "sum", "stack": "zero",
            "title": "simulated seconds"},
      "order": {"field": "phase_order", "type": "quantitative"},
      "tooltip": [
        {"field": "run", "type": "nominal"}, {"field": "round", "type": "ordinal"},
        {"field": "phase", "type": "nominal"}, {"field": "seconds", "type": "quantitative", "format": ".4~f"},
        {"field": "critical_client", "type": "nominal", "title": "straggler (critical path)"}
      ]
    }
  })json");
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
  json spec = json::parse(R"json({
    "transform": [],
    "layer": [
      {
        "data": {"name": "timeline"},
        "transform": [
          {"filter": "datum.run == run_pick && datum.lane != 1"},
          {"calculate": "datum.client - 0.42", "as": "row_top"},
          {"calculate": "datum.client + 0.42", "as": "row_bottom"},
          {"calculate": "datum.t1 - datum.t0", "as": "duration_s"}
        ],
        "params": [{"name": "zoom", "select": {"type": "interval", "encodings": ["x", "y"]}, "bind": "scales"}],
        "mark": {"type": "rect"},
        "encoding": {
          "x": {"field": "t0", "type": "quantitative", "title": "simulated time (s)", "scale": {"nice": false}},
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
        "mark": {"type": "point", "shape": "cross", "filled": true, "size": 110, "color": "#111111",
                 "stroke": "#ffffff", "strokeWidth": 0.8},
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
  })json");
  spec.erase("transform");
  spec["$schema"] = kSchema;
  spec["params"] = json::array({run_picker(d)});
  spec["width"] = "container";
  // One row per device; past ~40 devices rows shrink and the user zooms in (wheel, drag).
  spec["height"] = std::clamp(d.max_devices * 22, 140, 600);
  spec["layer"][0]["encoding"]["color"] = {{"field", "state"},
                                           {"type", "nominal"},
                                           {"title", "state"},
                                           {"scale", {{"domain", Palette::states}, {"range", Palette::state_colors}}}};
  // The comm lane (collectives, pipeline sends): the lower half of the device's row, drawn over
  // its compute, so that overlapping compute and communication show at once.
  json lane = spec["layer"][0];
  lane.erase("params");
  lane["transform"] = json::array({{{"filter", "datum.run == run_pick && datum.lane == 1"}},
                                   {{"calculate", "datum.client + 0.02"}, {"as", "row_top"}},
                                   {{"calculate", "datum.client + 0.42"}, {"as", "row_bottom"}},
                                   {{"calculate", "datum.t1 - datum.t0"}, {"as", "duration_s"}}});
  spec["layer"].insert(spec["layer"].begin() + 1, lane);
  return spec;
}

json battery_spec(const ReportData& d) {
  json spec = json::parse(R"json({
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
  })json");
  spec["$schema"] = kSchema;
  spec["params"] = json::array(
      {run_picker(d), {{"name", "zoom"}, {"select", {{"type", "interval"}, {"encodings", {"x"}}}}, {"bind", "scales"}}});
  return spec;
}

json staleness_spec(const ReportData& d) {
  json spec = json::parse(R"json({
    "width": "container", "height": 260,
    "data": {"name": "staleness"},
    "mark": {"type": "bar", "tooltip": true},
    "encoding": {
      "x": {"field": "staleness", "type": "ordinal", "title": "staleness (rounds behind the global model)",
            "axis": {"labelAngle": 0}},
      "y": {"field": "updates", "type": "quantitative", "title": "updates"},
      "color": {"field": "run", "type": "nominal", "title": "run"},
      "tooltip": [{"field": "run", "type": "nominal"}, {"field": "staleness", "type": "ordinal"},
                  {"field": "updates", "type": "quantitative"}]
    }
  })json");
  spec["$schema"] = kSchema;
  if (d.runs.size() > 1) spec["encoding"]["xOffset"] = {{"field", "run"}, {"type", "nominal"}};
  return spec;
}

}  // namespace

std::vector<ChartSpec> report_charts(const ReportData& d) {
  const bool sweep = d.runs.size() > 1;
  const std::string legend_tip = sweep ? " Click a legend entry to highlight one run." : "";
  const std::string menu_tip = sweep ? " The menu picks the run." : "";
  // A chart when `available`, else a note saying what would make it appear.
  auto chart = [](std::string id, std::string title, std::string caption, std::string renderer,
                  std::vector<std::string> uses, bool available, const std::function<json()>& spec,
                  std::string note) {
    ChartSpec c;
    c.id = std::move(id);
    c.title = std::move(title);
    c.caption = std::move(caption);
    c.renderer = std::move(renderer);
    c.uses = std::move(uses);
    c.available = available;
    if (available) c.spec = spec();
    else c.note = std::move(note);
    return c;
  };

  std::vector<ChartSpec> charts;
  charts.push_back(chart(
      "accuracy-time", "Accuracy vs simulated time",
      "Test accuracy of the global model after each evaluated round (metrics.csv accuracy vs time_s). Wheel to "
      "zoom, drag to pan, double-click to reset." + legend_tip,
      "svg", {"metrics"}, true, [] { return accuracy_spec("time_s", "simulated time (s)", ""); }, ""));
  charts.push_back(chart(
      "accuracy-bytes", "Accuracy vs bytes moved",
      "Test accuracy against cumulative bytes sent and received by the server (metrics.csv cum_bytes)." + legend_tip,
      "svg", {"metrics"}, true, [] { return accuracy_spec("cum_bytes", "cumulative bytes (down + up)", "~s"); }, ""));
  charts.push_back(chart(
      "accuracy-energy", "Accuracy vs energy",
      "Test accuracy against the devices' cumulative energy (metrics.csv cum_energy_j, or the running sum of "
      "energy_j)." + legend_tip,
      "svg", {"metrics"}, d.has_energy, [] { return accuracy_spec("cum_energy_j", "cumulative energy (J)", "~s"); },
      "No run's metrics.csv has an energy_j or cum_energy_j column, so there is no energy to plot. Runs with a "
      "device energy model write them."));
  charts.push_back(chart(
      "round-breakdown", "Where each round's time went",
      "Each bar is one round's simulated duration. Critical path: the download, compute and upload spans of the "
      "client whose accepted update arrived last (the straggler the server waited for); waiting is the rest "
      "(server aggregation and evaluation, gaps). Mean of participants: the mean span durations over the clients "
      "active in the round; waiting is then the average device's idle time behind stragglers.",
      "svg", {"breakdown"}, true, [&] { return breakdown_spec(d); }, ""));
  charts.push_back(chart(
      "timeline", "Device timeline",
      "One row per device (index on the axis, name in the tooltip): what it was doing at each simulated moment. "
      "Crosses mark updates the server dropped. Wheel to zoom, drag to pan (both axes), double-click to reset." +
          menu_tip,
      "canvas", {"timeline", "drops"}, true, [&] { return timeline_spec(d); }, ""));
  charts.push_back(chart(
      "battery", "Battery charge",
      "Remaining charge of each battery-powered device as a fraction of its capacity, from the battery events of "
      "events.jsonl." + menu_tip,
      "canvas", {"battery"}, d.has_battery, [&] { return battery_spec(d); },
      "No run has battery events: its devices run on mains power, or the scenario models no battery."));
  charts.push_back(chart(
      "staleness", "Update staleness",
      "How many rounds behind the current global model each received update was (upload events' staleness).", "svg",
      {"staleness"}, d.has_staleness, [&] { return staleness_spec(d); },
      "No upload event carries a staleness: synchronous runs always aggregate fresh updates."));
  return charts;
}

}  // namespace flemu::analysis
