// The activity chart: per window of simulated time, the share of the devices' time in each
// state, stacked to 1; one panel per run (data: analysis/activity.hpp).
#include "analysis/activity.hpp"
#include "analysis/vega_common.hpp"
#include "analysis/vega_specs.hpp"

namespace flemu::analysis {

using nlohmann::json;

ChartSpec activity_chart(const ReportData& d) {
  ChartSpec c;
  c.id = "activity";
  c.title = "Device activity over time";
  c.renderer = "svg";
  c.uses = {"activity"};
  c.available = !d.datasets.at("activity").empty();
  c.note = "No run names a device in its outputs.";
  c.caption = "Where the devices' time went, window by window (" + std::to_string(kActivityWindows) +
              " windows over each run): the share of all devices' time spent downloading, training, uploading, idle, "
              "offline or with a dead battery. It reads the same for synchronous rounds and for runs with hundreds of "
              "model versions.";
  if (!c.available) return c;
  json spec = json::parse(R"json({
    "data": {"name": "activity"},
    "mark": {"type": "bar", "tooltip": true, "binSpacing": 0},
    "encoding": {
      "x": {"field": "w0", "type": "quantitative", "bin": "binned", "title": "simulated time (s)",
            "scale": {"zero": true, "nice": false},
            "axis": {"labelOverlap": true, "labelSeparation": 6}},
      "x2": {"field": "w1"},
      "y": {"field": "share", "type": "quantitative", "stack": "zero", "title": "share of device time",
            "axis": {"format": "%", "labelOverlap": true, "labelSeparation": 6}, "scale": {"domain": [0, 1]}},
      "order": {"field": "state_order", "type": "quantitative"},
      "tooltip": [
        {"field": "run", "type": "nominal"}, {"field": "state", "type": "nominal"},
        {"field": "w0", "type": "quantitative", "format": ".4~f", "title": "from (s)"},
        {"field": "w1", "type": "quantitative", "format": ".4~f", "title": "to (s)"},
        {"field": "share", "type": "quantitative", "format": ".1%"}
      ]
    }
  })json");
  spec["$schema"] = kVegaLiteSchema;
  spec["encoding"]["color"] = {{"field", "state"},
                               {"type", "nominal"},
                               {"title", "state"},
                               {"scale", {{"domain", Palette::states}, {"range", Palette::state_colors}}}};
  if (d.runs.size() > 1) {
    spec["width"] = 860;
    spec["height"] = 110;
    spec["encoding"]["row"] = {
        {"field", "run"}, {"type", "nominal"}, {"title", nullptr}, {"sort", labels_of(d)}, {"header", facet_header()}};
    spec["resolve"] = {{"scale", {{"x", "independent"}}}};
  } else {
    spec["width"] = "container";
    spec["height"] = 220;
  }
  c.spec = spec;
  return c;
}

}  // namespace flemu::analysis
