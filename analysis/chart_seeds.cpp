// The seeds chart: for each variant of a seeded sweep, accuracy against simulated time as the
// mean over its seeds (line) with a +-1 standard deviation band and the min-max in the tooltip.
#include "analysis/vega_common.hpp"
#include "analysis/vega_specs.hpp"

namespace flemu::analysis {

using nlohmann::json;

ChartSpec seed_spread_chart(const ReportData& d) {
  ChartSpec c;
  c.id = "seed-spread";
  c.title = "Mean and spread over seeds";
  c.renderer = "svg";
  c.uses = {"seed_groups"};
  c.available = !d.groups.empty();
  c.note = "No two runs differ only by their seed.";
  c.caption =
      "Each variant of the sweep as the mean test accuracy over its seeds (line, at the mean simulated time of the "
      "round) with a band of +-1 standard deviation; the tooltip gives min, max and how many seeds reached the "
      "round. The table under the summary gives the final figures.";
  if (!c.available) return c;
  json spec = json::parse(R"json({
    "width": "container", "height": 320,
    "data": {"name": "seed_groups"},
    "transform": [
      {"calculate": "datum.accuracy_mean - datum.accuracy_sd", "as": "band_low"},
      {"calculate": "datum.accuracy_mean + datum.accuracy_sd", "as": "band_high"}
    ],
    "encoding": {
      "x": {"field": "time_s", "type": "quantitative", "title": "simulated time (s), mean over seeds",
            "scale": {"zero": true, "nice": true}},
      "tooltip": [
        {"field": "group", "type": "nominal", "title": "variant"}, {"field": "round", "type": "quantitative"},
        {"field": "runs", "type": "quantitative", "title": "seeds"},
        {"field": "time_s", "type": "quantitative", "format": ".4~f", "title": "mean time (s)"},
        {"field": "accuracy_mean", "type": "quantitative", "format": ".4f", "title": "mean accuracy"},
        {"field": "accuracy_sd", "type": "quantitative", "format": ".4f", "title": "standard deviation"},
        {"field": "accuracy_min", "type": "quantitative", "format": ".4f", "title": "min"},
        {"field": "accuracy_max", "type": "quantitative", "format": ".4f", "title": "max"}
      ]
    },
    "layer": [
      {"mark": {"type": "area", "opacity": 0.22},
       "encoding": {"y": {"field": "band_low", "type": "quantitative", "title": "test accuracy",
                          "scale": {"zero": false, "nice": true}},
                    "y2": {"field": "band_high"}}},
      {"params": [{"name": "zoom", "select": {"type": "interval", "encodings": ["x", "y"]}, "bind": "scales"}],
       "mark": {"type": "line", "point": true, "strokeWidth": 2, "tooltip": true},
       "encoding": {"y": {"field": "accuracy_mean", "type": "quantitative", "title": "test accuracy"}}}
    ]
  })json");
  spec["$schema"] = kVegaLiteSchema;
  spec["encoding"]["color"] = group_color(d);
  c.spec = spec;
  return c;
}

}  // namespace flemu::analysis
