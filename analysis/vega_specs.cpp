#include "analysis/vega_specs.hpp"

#include <algorithm>
#include <functional>

#include "analysis/vega_common.hpp"

namespace flemu::analysis {

using nlohmann::json;

const std::vector<std::string> Palette::states = {"downloading", "training", "uploading",   "idle",
                                                  "offline",     "battery dead", "communicating", "reading disk"};
const std::vector<std::string> Palette::state_colors = {"#4c78a8", "#f58518", "#54a24b", "#e6e6e6",
                                                        "#8c8c8c", "#d62728", "#9467bd", "#8c564b"};
const std::vector<std::string> Palette::phases = {"download", "compute", "upload", "waiting"};
const std::vector<std::string> Palette::phase_colors = {"#4c78a8", "#f58518", "#54a24b", "#bab0ac"};

const char* const kVegaLiteSchema = "https://vega.github.io/schema/vega-lite/v5.json";

// --- shared by the chart modules (analysis/vega_common.hpp) ------------------------------

std::vector<std::string> labels_of(const ReportData& d) {
  std::vector<std::string> out;
  for (const auto& r : d.runs) out.push_back(r.label);
  return out;
}

json full_legend(const std::string& title, const std::vector<std::string>& names) {
  size_t longest = 0;
  for (const auto& n : names) longest = std::max(longest, n.size());
  // ~7 px per character at the legend's 11 px font, plus the symbol; the page is ~1000 px wide.
  const int columns = static_cast<int>(std::clamp<size_t>(900 / (longest * 7 + 40), 1, std::min<size_t>(names.size(), 4)));
  return {{"title", title}, {"orient", "bottom"}, {"direction", "vertical"}, {"columns", columns},
          {"labelLimit", 2000}, {"symbolLimit", 0}, {"titleLimit", 2000}};
}

json run_color(const ReportData& d, const std::string& field, bool legend) {
  json colors = json::array();
  for (const auto& r : d.runs) colors.push_back(r.color);
  json enc = {{"field", field},
              {"type", "nominal"},
              {"title", "run"},
              {"scale", {{"domain", labels_of(d)}, {"range", colors}}},
              {"sort", labels_of(d)}};
  enc["legend"] = legend ? full_legend("run", labels_of(d)) : json();
  return enc;
}

json group_color(const ReportData& d, const std::string& field) {
  json names = json::array(), colors = json::array();
  std::vector<std::string> list;
  for (const auto& g : d.groups) {
    names.push_back(g.group);
    colors.push_back(g.color);
    list.push_back(g.group);
  }
  return {{"field", field},   {"type", "nominal"}, {"title", "variant"}, {"scale", {{"domain", names}, {"range", colors}}},
          {"sort", names},    {"legend", full_legend("variant (mean over its seeds)", list)}};
}

json facet_header() {
  return {{"labelOrient", "top"},  {"labelAngle", 0},      {"labelAlign", "left"}, {"labelAnchor", "start"},
          {"labelLimit", 0},       {"labelFontSize", 12},  {"labelFontWeight", "bold"}, {"labelPadding", 4},
          {"title", nullptr}};
}

json run_picker(const ReportData& d) {
  const auto labels = labels_of(d);
  json p = {{"name", "run_pick"}, {"value", labels.front()}};
  if (labels.size() > 1) p["bind"] = {{"input", "select"}, {"options", labels}, {"name", "run "}};
  return p;
}

namespace {

/// Accuracy against a cumulative quantity (time, bytes, energy), one colour per run: a line
/// through the rolling mean and a dot per evaluation (small and faint in runs with hundreds
/// of model versions). Legend click highlights a run; wheel/drag zooms and pans.
json accuracy_spec(const ReportData& d, const std::string& x_field, const std::string& x_title,
                   const std::string& x_format) {
  json spec = json::parse(R"json({
    "width": "container", "height": 320,
    "data": {"name": "metrics"},
    "transform": [
      {"filter": "isValid(datum.accuracy)"},
      {"calculate": "datum.dense ? 0.3 : 1", "as": "point_opacity"},
      {"calculate": "datum.dense ? 10 : 32", "as": "point_size"}
    ],
    "layer": [
      {
        "params": [
          {"name": "zoom", "select": {"type": "interval", "encodings": ["x", "y"]}, "bind": "scales"},
          {"name": "pick", "select": {"type": "point", "fields": ["run"]}, "bind": "legend"}
        ],
        "mark": {"type": "line", "strokeWidth": 2, "tooltip": true},
        "encoding": {
          "y": {"field": "accuracy_smooth"},
          "opacity": {"condition": {"param": "pick", "value": 1}, "value": 0.12}
        }
      },
      {
        "mark": {"type": "point", "filled": true, "tooltip": true},
        "encoding": {
          "y": {"field": "accuracy"},
          "size": {"field": "point_size", "type": "quantitative", "scale": null},
          "opacity": {"condition": {"param": "pick", "field": "point_opacity", "type": "quantitative", "scale": null},
                      "value": 0.05}
        }
      }
    ],
    "encoding": {
      "y": {"type": "quantitative", "title": "test accuracy", "scale": {"zero": false, "nice": true}},
      "tooltip": [
        {"field": "run", "type": "nominal"}, {"field": "round", "type": "quantitative"},
        {"field": "time_s", "type": "quantitative", "title": "time_s"},
        {"field": "cum_bytes", "type": "quantitative"},
        {"field": "accuracy", "type": "quantitative"}, {"field": "loss", "type": "quantitative"}
      ]
    }
  })json");
  spec["$schema"] = kVegaLiteSchema;
  spec["encoding"]["color"] = run_color(d);
  // Times, bytes and energies start at zero: the axis does too, and never goes below it.
  spec["encoding"]["x"] = {
      {"field", x_field}, {"type", "quantitative"}, {"title", x_title}, {"scale", {{"zero", true}, {"nice", true}}}};
  if (!x_format.empty()) spec["encoding"]["x"]["axis"] = {{"format", x_format}};
  if (x_field == "cum_energy_j") spec["encoding"]["tooltip"].push_back({{"field", x_field}, {"type", "quantitative"}});
  if (d.smooth_window > 1)
    spec["encoding"]["tooltip"].push_back(
        {{"field", "accuracy_smooth"}, {"type", "quantitative"}, {"format", ".4f"}, {"title", "rolling mean"}});
  return spec;
}

/// Runs with more versions than bars fit are drawn per time window (mean per version).
bool per_window(const ReportData& d) { return d.max_rounds > 60; }

json breakdown_spec(const ReportData& d) {
  json spec = json::parse(R"json({
    "data": {"name": "breakdown"},
    "params": [{"name": "split", "value": "critical path",
                "bind": {"input": "radio", "options": ["critical path", "mean of participants"], "name": "split "}}],
    "transform": [{"filter": "datum.split == split"}],
    "mark": {"type": "bar", "tooltip": true},
    "encoding": {
      "order": {"field": "phase_order", "type": "quantitative"}
    }
  })json");
  spec["$schema"] = kVegaLiteSchema;
  if (per_window(d)) {
    spec["transform"].push_back({{"bin", {{"maxbins", 40}}}, {"field", "start_s"}, {"as", {"w0", "w1"}}});
    spec["transform"].push_back({{"aggregate",
                                  {{{"op", "mean"}, {"field", "seconds"}, {"as", "seconds"}},
                                   {{"op", "distinct"}, {"field", "round"}, {"as", "versions"}}}},
                                 {"groupby", {"run", "phase", "phase_order", "w0", "w1"}}});
    spec["encoding"]["x"] = {{"field", "w0"},
                             {"type", "quantitative"},
                             {"bin", "binned"},
                             {"title", "simulated time (s), by window of round start"},
                             {"scale", {{"zero", true}}}};
    spec["encoding"]["x2"] = {{"field", "w1"}};
    spec["encoding"]["y"] = {{"field", "seconds"},
                             {"type", "quantitative"},
                             {"stack", "zero"},
                             {"title", "mean simulated seconds per version"}};
    spec["encoding"]["tooltip"] = {
        {{"field", "run"}, {"type", "nominal"}},
        {{"field", "w0"}, {"type", "quantitative"}, {"title", "window from (s)"}},
        {{"field", "w1"}, {"type", "quantitative"}, {"title", "to (s)"}},
        {{"field", "phase"}, {"type", "nominal"}},
        {{"field", "seconds"}, {"type", "quantitative"}, {"format", ".4~f"}, {"title", "mean seconds per version"}},
        {{"field", "versions"}, {"type", "quantitative"}}};
  } else {
    spec["encoding"]["x"] = {{"field", "round"},
                             {"type", "ordinal"},
                             {"title", "round"},
                             {"axis", {{"labelOverlap", true}, {"labelAngle", 0}}}};
    spec["encoding"]["y"] = {{"field", "seconds"},
                             {"type", "quantitative"},
                             {"aggregate", "sum"},
                             {"stack", "zero"},
                             {"title", "simulated seconds"}};
    spec["encoding"]["tooltip"] = {
        {{"field", "run"}, {"type", "nominal"}},
        {{"field", "round"}, {"type", "ordinal"}},
        {{"field", "phase"}, {"type", "nominal"}},
        {{"field", "seconds"}, {"type", "quantitative"}, {"format", ".4~f"}},
        {{"field", "critical_client"}, {"type", "nominal"}, {"title", "straggler (critical path)"}}};
  }
  spec["encoding"]["color"] = {{"field", "phase"},
                               {"type", "nominal"},
                               {"title", "phase"},
                               {"scale", {{"domain", Palette::phases}, {"range", Palette::phase_colors}}}};
  // Facets cannot size to their container, so a sweep gets fixed-width rows, one per run,
  // each named on top (long names never overlap).
  if (d.runs.size() > 1) {
    spec["width"] = 860;
    spec["height"] = 130;
    spec["encoding"]["row"] = {
        {"field", "run"}, {"type", "nominal"}, {"title", nullptr}, {"sort", labels_of(d)}, {"header", facet_header()}};
    spec["resolve"] = {{"scale", {{"x", "independent"}}}};
  } else {
    spec["width"] = "container";
    spec["height"] = 300;
  }
  return spec;
}

json timeline_spec(const ReportData& d) {
  json spec = json::parse(R"json({
    "layer": [
      {
        "data": {"name": "timeline_rows"},
        "transform": [
          {"filter": "datum.run == run_pick"},
          {"aggregate": [{"op": "min", "field": "row", "as": "first"}, {"op": "max", "field": "row", "as": "last"}],
           "groupby": ["class", "class_order"]},
          {"calculate": "datum.first - 0.5", "as": "band_top"},
          {"calculate": "datum.last + 0.5", "as": "band_bottom"}
        ],
        "mark": {"type": "rect", "tooltip": true, "clip": false},
        "encoding": {
          "x": {"value": -10}, "x2": {"value": -3},
          "y": {"field": "band_top", "type": "quantitative"},
          "y2": {"field": "band_bottom"},
          "color": {"field": "class", "type": "nominal", "title": "device class",
                    "scale": {"scheme": "tableau10"}, "sort": {"field": "class_order"},
                    "legend": {"orient": "right", "labelLimit": 2000, "symbolType": "square"}},
          "tooltip": [{"field": "class", "type": "nominal", "title": "device class"}]
        }
      },
      {
        "data": {"name": "timeline_rows"},
        "transform": [
          {"filter": "datum.run == run_pick"},
          {"window": [{"op": "min", "field": "row", "as": "first"}], "groupby": ["class"],
           "frame": [null, null]},
          {"filter": "datum.row == datum.first && datum.row > 0"},
          {"calculate": "datum.row - 0.5", "as": "boundary"}
        ],
        "mark": {"type": "rule", "color": "#333333", "strokeWidth": 1},
        "encoding": {"y": {"field": "boundary", "type": "quantitative"}}
      },
      {
        "data": {"name": "timeline"},
        "transform": [
          {"filter": "datum.run == run_pick && datum.lane == 0"},
          {"calculate": "datum.row - 0.42", "as": "row_top"},
          {"calculate": "datum.row + 0.42", "as": "row_bottom"},
          {"calculate": "datum.t1 - datum.t0", "as": "duration_s"}
        ],
        "params": [{"name": "zoom", "select": {"type": "interval", "encodings": ["x", "y"]}, "bind": "scales"}],
        "mark": {"type": "rect"},
        "encoding": {
          "x": {"field": "t0", "type": "quantitative", "title": "simulated time (s)", "scale": {"nice": false, "zero": true}},
          "x2": {"field": "t1"},
          "y": {"field": "row_top", "type": "quantitative"},
          "y2": {"field": "row_bottom"},
          "tooltip": [
            {"field": "host", "type": "nominal", "title": "device"}, {"field": "class", "type": "nominal"},
            {"field": "state", "type": "nominal"}, {"field": "round", "type": "quantitative"},
            {"field": "t0", "type": "quantitative", "format": ".4~f", "title": "from (s)"},
            {"field": "t1", "type": "quantitative", "format": ".4~f", "title": "to (s)"},
            {"field": "duration_s", "type": "quantitative", "format": ".4~f", "title": "duration (s)"}
          ]
        }
      },
      {
        "data": {"name": "drops"},
        "transform": [{"filter": "datum.run == run_pick && isValid(datum.row)"}],
        "mark": {"type": "point", "shape": "cross", "filled": true, "size": 110, "color": "#111111",
                 "stroke": "#ffffff", "strokeWidth": 0.8},
        "encoding": {
          "x": {"field": "t", "type": "quantitative"},
          "y": {"field": "row", "type": "quantitative"},
          "tooltip": [
            {"field": "host", "type": "nominal", "title": "device"}, {"field": "round", "type": "quantitative"},
            {"field": "reason", "type": "nominal", "title": "update dropped"},
            {"field": "t", "type": "quantitative", "format": ".4~f", "title": "at (s)"}
          ]
        }
      }
    ],
    "resolve": {"scale": {"color": "independent"}, "legend": {"color": "independent"}}
  })json");
  spec["$schema"] = kVegaLiteSchema;
  // Row -> device name, per run, for the axis labels.
  json names = json::object();
  for (size_t i = 0; i < d.runs.size(); ++i) names[d.runs[i].label] = d.row_hosts[i];
  spec["params"] = json::array({run_picker(d), {{"name", "row_names"}, {"value", names}}});
  spec["width"] = "container";
  // One row per device; past ~35 devices rows shrink and the user zooms in (wheel, drag).
  spec["height"] = std::clamp(d.max_devices * 18, 160, 640);
  // Every layer carries the same y axis (device names) and x title, so that the merged axes
  // are the segments' ones.
  // The axis stands 12 px off the plot: the class strip lies in between.
  const json y_axis = {{"tickMinStep", 1},
                       {"offset", 12},
                       {"labelExpr", "row_names[run_pick] && isValid(row_names[run_pick][datum.value]) ? "
                                     "row_names[run_pick][datum.value] : ''"},
                       {"labelLimit", 140},
                       {"grid", false}};
  const json y_scale = {{"reverse", true}, {"zero", false}, {"nice", false}};
  for (auto& layer : spec["layer"]) {
    layer["encoding"]["y"]["axis"] = y_axis;
    layer["encoding"]["y"]["title"] = "device (grouped by class)";
    layer["encoding"]["y"]["scale"] = y_scale;
  }
  spec["layer"][3]["encoding"]["x"]["title"] = "simulated time (s)";
  // Zooming rows only pays with many devices; then the class strip (outside the plot, which
  // zooming clips to) gives way, and the separators and names remain.
  if (d.max_devices <= 40) {
    spec["layer"][2]["params"][0]["select"]["encodings"] = {"x"};
  } else {
    spec["layer"][0]["mark"]["clip"] = true;
  }
  json& seg = spec["layer"][2]["encoding"];
  seg["color"] = {{"field", "state"},
                  {"type", "nominal"},
                  {"title", "state"},
                  {"scale", {{"domain", Palette::states}, {"range", Palette::state_colors}}},
                  {"legend", {{"orient", "right"}}}};
  // The comm lane (collectives, pipeline sends): the lower half of the device's row, drawn over
  // its compute, so that overlapping compute and communication show at once.
  json lane = spec["layer"][2];
  lane.erase("params");
  lane["transform"] = json::array({{{"filter", "datum.run == run_pick && datum.lane == 1"}},
                                   {{"calculate", "datum.row + 0.02"}, {"as", "row_top"}},
                                   {{"calculate", "datum.row + 0.42"}, {"as", "row_bottom"}},
                                   {{"calculate", "datum.t1 - datum.t0"}, {"as", "duration_s"}}});
  lane["encoding"]["color"]["legend"] = nullptr;
  spec["layer"].push_back(lane);
  // The disk lane (weights streamed from disk): the upper third of the row, over its compute.
  json disk = lane;
  disk["transform"] = json::array({{{"filter", "datum.run == run_pick && datum.lane == 2"}},
                                   {{"calculate", "datum.row - 0.42"}, {"as", "row_top"}},
                                   {{"calculate", "datum.row - 0.14"}, {"as", "row_bottom"}},
                                   {{"calculate", "datum.t1 - datum.t0"}, {"as", "duration_s"}}});
  spec["layer"].push_back(disk);
  return spec;
}

json battery_spec(const ReportData& d) {
  json spec = json::parse(R"json({
    "width": "container", "height": 280,
    "data": {"name": "battery"},
    "transform": [{"filter": "datum.run == run_pick && isValid(datum.fraction)"}],
    "mark": {"type": "line", "point": {"size": 14}, "tooltip": true, "strokeWidth": 1.3, "opacity": 0.8},
    "encoding": {
      "x": {"field": "t", "type": "quantitative", "title": "simulated time (s)", "scale": {"zero": true}},
      "y": {"field": "fraction", "type": "quantitative", "title": "battery charge",
            "scale": {"domain": [0, 1]}, "axis": {"format": "%"}},
      "color": {"field": "class", "type": "nominal", "title": "device class", "scale": {"scheme": "tableau10"},
                "legend": {"orient": "right", "labelLimit": 2000}},
      "detail": {"field": "client", "type": "nominal"},
      "tooltip": [
        {"field": "host", "type": "nominal", "title": "device"}, {"field": "class", "type": "nominal"},
        {"field": "t", "type": "quantitative", "title": "t (s)"},
        {"field": "fraction", "type": "quantitative", "format": ".1%"},
        {"field": "charge_j", "type": "quantitative", "title": "charge (J)"}
      ]
    }
  })json");
  spec["$schema"] = kVegaLiteSchema;
  spec["params"] = json::array(
      {run_picker(d), {{"name", "zoom"}, {"select", {{"type", "interval"}, {"encodings", {"x"}}}}, {"bind", "scales"}}});
  return spec;
}

/// Updates counted by staleness on a numeric axis (each bar spans [s, s+1)), so gaps show;
/// one panel per run.
json staleness_spec(const ReportData& d) {
  json spec = json::parse(R"json({
    "data": {"name": "staleness"},
    "transform": [{"calculate": "datum.staleness + 1", "as": "staleness_end"}],
    "mark": {"type": "bar", "tooltip": true, "binSpacing": 1},
    "encoding": {
      "x": {"field": "staleness", "type": "quantitative", "bin": "binned",
            "title": "staleness (model versions behind the global model)",
            "scale": {"zero": true}, "axis": {"tickMinStep": 1, "format": "d"}},
      "x2": {"field": "staleness_end"},
      "y": {"field": "updates", "type": "quantitative", "title": "updates"},
      "tooltip": [{"field": "run", "type": "nominal"}, {"field": "staleness", "type": "quantitative"},
                  {"field": "updates", "type": "quantitative"}]
    }
  })json");
  spec["$schema"] = kVegaLiteSchema;
  if (d.runs.size() > 1) {
    spec["encoding"]["color"] = run_color(d, "run", /*legend=*/false);
    spec["encoding"]["row"] = {
        {"field", "run"}, {"type", "nominal"}, {"title", nullptr}, {"sort", labels_of(d)}, {"header", facet_header()}};
    spec["width"] = 860;
    spec["height"] = 110;
    spec["resolve"] = {{"scale", {{"y", "independent"}}}};
  } else {
    spec["encoding"]["color"] = run_color(d, "run", /*legend=*/false);
    spec["width"] = "container";
    spec["height"] = 240;
  }
  return spec;
}

}  // namespace

std::vector<ChartSpec> report_charts(const ReportData& d) {
  const bool sweep = d.runs.size() > 1;
  const std::string legend_tip = sweep ? " Click a name in the legend to highlight its run." : "";
  const std::string menu_tip = sweep ? " The menu picks the run." : "";
  const std::string smooth_tip =
      d.smooth_window > 1
          ? " Runs with hundreds of model versions: dots are the evaluations, the line their rolling mean over " +
                std::to_string(d.smooth_window) + " evaluations."
          : "";
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
  const std::string no_accuracy =
      "No run has an evaluated test accuracy: runs with \"training\": \"analytic\" model time, bytes and energy "
      "only.";
  charts.push_back(chart(
      "accuracy-time", "Accuracy vs simulated time",
      "Test accuracy of the global model after each evaluated round (metrics.csv accuracy vs time_s). Wheel to "
      "zoom, drag to pan, double-click to reset." + smooth_tip + legend_tip,
      "svg", {"metrics"}, d.has_accuracy, [&] { return accuracy_spec(d, "time_s", "simulated time (s)", ""); },
      no_accuracy));
  charts.push_back(chart(
      "accuracy-bytes", "Accuracy vs bytes moved",
      "Test accuracy against cumulative bytes sent and received by the server (metrics.csv cum_bytes)." + legend_tip,
      "svg", {"metrics"}, d.has_accuracy,
      [&] { return accuracy_spec(d, "cum_bytes", "cumulative bytes (down + up)", "~s"); }, no_accuracy));
  charts.push_back(chart(
      "accuracy-energy", "Accuracy vs energy",
      "Test accuracy against the devices' cumulative energy (metrics.csv cum_energy_j, or the running sum of "
      "energy_j)." + legend_tip,
      "svg", {"metrics"}, d.has_energy && d.has_accuracy,
      [&] { return accuracy_spec(d, "cum_energy_j", "cumulative energy (J)", "~s"); },
      d.has_accuracy ? "No run's metrics.csv has an energy_j or cum_energy_j column, so there is no energy to plot. "
                       "Runs with a device energy model write them."
                     : no_accuracy));
  if (!d.groups.empty() && d.has_accuracy) charts.push_back(seed_spread_chart(d));
  std::string unsynchronised;
  for (size_t i = 0; i < d.runs.size(); ++i)
    if (!d.synchronous[i]) unsynchronised += (unsynchronised.empty() ? "" : ", ") + d.runs[i].label;
  const bool any_rounds = !d.datasets.at("breakdown").empty();
  charts.push_back(chart(
      "round-breakdown", "Where each round's time went",
      std::string(per_window(d) ? "Runs with many rounds are drawn per window of simulated time: each bar is the mean "
                                  "per round whose start fell in the window. "
                                : "Each bar is one round's simulated duration. ") +
          "Critical path: the download, compute and upload spans of the client whose accepted update arrived last "
          "(the straggler the server waited for); waiting is the rest (server aggregation and evaluation, gaps). "
          "Mean of participants: the mean span durations over the clients active in the round; waiting is then the "
          "average device's idle time behind stragglers." +
          (unsynchronised.empty() ? std::string()
                                  : " Not shown: " + unsynchronised +
                                        " (asynchronous or anarchic: updates land model versions after the one they "
                                        "were started for, so versions have no time of their own to split; see "
                                        "device activity below)."),
      "svg", {"breakdown"}, any_rounds, [&] { return breakdown_spec(d); },
      "No run has synchronous rounds: asynchronous and anarchic updates land model versions after the one they were "
      "started for, so versions have no time of their own to split. Device activity below shows where the time went."));
  charts.push_back(activity_chart(d));
  charts.push_back(per_class_chart(d));
  charts.push_back(chart(
      "timeline", "Device timeline",
      "One row per device, named on the axis and grouped by class (the coloured strip beside the names; lines "
      "separate classes): what it was doing at each simulated moment; communication (collectives, sends) is drawn "
      "over the lower half of the row and disk reads (weights streamed from disk) over its upper third, so that they "
      "show beside compute. Crosses mark updates the server dropped. Wheel to "
      "zoom, drag to pan (time; with more than 40 devices, rows too), double-click to reset." + menu_tip,
      "canvas", {"timeline", "timeline_rows", "drops"}, true, [&] { return timeline_spec(d); }, ""));
  charts.push_back(chart(
      "battery", "Battery charge",
      "Remaining charge of each battery-powered device as a fraction of its capacity, from the battery events of "
      "events.jsonl; one line per device, coloured by class." + menu_tip,
      "canvas", {"battery"}, d.has_battery, [&] { return battery_spec(d); },
      "No run has battery events: its devices run on mains power, or the scenario models no battery."));
  charts.push_back(chart(
      "staleness", "Update staleness",
      "How many model versions behind the current global model each received update was (upload events' "
      "staleness), on a numeric axis: a gap is a staleness no update had." + std::string(sweep ? " One panel per run." : ""),
      "svg", {"staleness"}, d.has_staleness, [&] { return staleness_spec(d); },
      "No upload event carries a staleness: synchronous runs always aggregate fresh updates."));
  return charts;
}

}  // namespace flemu::analysis
