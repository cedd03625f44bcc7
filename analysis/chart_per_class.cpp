// The per-class chart: one panel per measure (energy, updates, staleness, time per state),
// device classes on one axis and runs side by side within each class, in the runs' colours.
#include <algorithm>

#include "analysis/class_view.hpp"
#include "analysis/vega_common.hpp"
#include "analysis/vega_specs.hpp"

namespace flemu::analysis {

using nlohmann::json;

namespace {

constexpr int kPanelWidth = 400;

/// A bar panel of `field` per class, runs side by side.
json class_bars(const ReportData& d, const std::string& title, const json& y, const json& transform) {
  json panel = {{"title", title},
                {"width", kPanelWidth},
                {"height", 200},
                {"data", {{"name", "per_class"}}},
                {"transform", transform},
                {"mark", {{"type", "bar"}, {"tooltip", true}}},
                {"encoding",
                 {{"x", {{"field", "class"}, {"type", "nominal"}, {"title", "device class"},
                         {"sort", {{"field", "class_order"}}}, {"axis", {{"labelAngle", 0}, {"labelLimit", 200}}}}},
                  {"xOffset", {{"field", "run"}, {"type", "nominal"}, {"sort", labels_of(d)}}},
                  {"y", y},
                  {"color", run_color(d)}}}};
  return panel;
}

}  // namespace

ChartSpec per_class_chart(const ReportData& d) {
  ChartSpec c;
  c.id = "per-class";
  c.title = "Per device class";
  c.renderer = "svg";
  c.uses = {"per_class", "per_class_states"};
  c.available = d.has_classes;
  c.note = "No device is named in the runs' outputs.";
  c.caption =
      "What each class of devices did, runs side by side within each class: energy used (devices.csv), updates "
      "whose upload the server accepted or dropped, how stale the uploads were, and where the devices' time went "
      "(share of devices x run length in each state).";
  if (!c.available) return c;

  bool any_energy = false, any_staleness = false;
  for (const auto& r : d.datasets.at("per_class")) {
    any_energy = any_energy || !r["energy_j"].is_null();
    any_staleness = any_staleness || !r["staleness_mean"].is_null();
  }
  const auto tooltip = json::array({{{"field", "run"}, {"type", "nominal"}},
                                    {{"field", "class"}, {"type", "nominal"}},
                                    {{"field", "devices"}, {"type", "quantitative"}}});

  json top = json::array(), bottom = json::array();
  {
    json y = {{"field", "updates"}, {"type", "quantitative"}, {"title", "updates"}, {"stack", "zero"}};
    json transform = json::array();
    transform.push_back({{"fold", {"updates_accepted", "updates_dropped"}}, {"as", {"outcome", "updates"}}});
    transform.push_back({{"calculate", "datum.outcome == 'updates_accepted' ? 'accepted' : 'dropped'"}, {"as", "update"}});
    transform.push_back({{"calculate", "datum.update == 'accepted' ? 0 : 1"}, {"as", "update_order"}});
    json p = class_bars(d, "updates accepted (solid) and dropped (light)", y, transform);
    p["encoding"]["opacity"] = {{"field", "update"},
                                {"type", "nominal"},
                                {"title", "update"},
                                {"scale", {{"domain", {"accepted", "dropped"}}, {"range", {1.0, 0.35}}}},
                                {"legend", {{"orient", "top"}}}};
    p["encoding"]["order"] = {{"field", "update_order"}, {"type", "quantitative"}};
    auto t = tooltip;
    t.push_back({{"field", "update"}, {"type", "nominal"}});
    t.push_back({{"field", "updates"}, {"type", "quantitative"}});
    p["encoding"]["tooltip"] = t;
    top.push_back(p);
  }
  if (any_energy) {
    json y = {{"field", "energy_j"}, {"type", "quantitative"}, {"title", "energy (J)"}, {"scale", {{"zero", true}}},
              {"axis", {{"format", "~s"}}}};
    json p = class_bars(d, "energy used by the class's devices", y, json::array({{{"filter", "isValid(datum.energy_j)"}}}));
    auto t = tooltip;
    t.push_back({{"field", "energy_j"}, {"type", "quantitative"}, {"format", ".4~s"}, {"title", "energy (J)"}});
    p["encoding"]["tooltip"] = t;
    top.push_back(p);
  }
  if (any_staleness) {
    json y = {{"field", "staleness_mean"}, {"type", "quantitative"}, {"title", "mean staleness (versions)"},
              {"scale", {{"zero", true}}}};
    json p = class_bars(d, "staleness of uploads (mean)", y, json::array({{{"filter", "isValid(datum.staleness_mean)"}}}));
    auto t = tooltip;
    t.push_back({{"field", "staleness_mean"}, {"type", "quantitative"}, {"format", ".2f"}, {"title", "mean staleness"}});
    t.push_back({{"field", "staleness_max"}, {"type", "quantitative"}, {"title", "max staleness"}});
    p["encoding"]["tooltip"] = t;
    bottom.push_back(p);
  }
  {
    // Where the time went: one horizontal bar per class (and run, named on the axis), split by state.
    const bool several = d.runs.size() > 1;
    const int rows = std::max(1, d.max_classes) * static_cast<int>(d.runs.size());
    json transform = json::array({{{"filter", "isValid(datum.share)"}}});
    transform.push_back({{"calculate", several ? "datum['class'] + ' \u00b7 ' + datum.run" : "datum['class']"},
                         {"as", "bar"}});
    transform.push_back({{"calculate", "datum.class_order * 10000 + indexof(" + json(labels_of(d)).dump() + ", datum.run)"},
                         {"as", "bar_order"}});
    json p = {{"title", several ? "share of the devices' time in each state (class \u00b7 run)"
                                : "share of the devices' time in each state"},
              {"width", kPanelWidth},
              {"height", std::clamp(rows * 18, 60, 480)},
              {"data", {{"name", "per_class_states"}}},
              {"transform", transform},
              {"mark", {{"type", "bar"}, {"tooltip", true}}},
              {"encoding",
               {{"y", {{"field", "bar"}, {"type", "nominal"}, {"title", nullptr}, {"sort", {{"field", "bar_order"}}},
                       {"axis", {{"labelLimit", 320}}}}},
                {"x", {{"field", "share"}, {"type", "quantitative"}, {"stack", "zero"}, {"title", "share of time"},
                       {"axis", {{"format", "%"}, {"labelOverlap", true}, {"labelSeparation", 6}}},
                       {"scale", {{"domain", {0, 1}}}}}},
                {"color", {{"field", "state"}, {"type", "nominal"}, {"title", "state"},
                           {"scale", {{"domain", Palette::states}, {"range", Palette::state_colors}}},
                           // Below the bars: beside them, long "class · run" names push it out of the page.
                           {"legend", {{"orient", "bottom"}, {"direction", "horizontal"}, {"columns", 3}}}}},
                {"order", {{"field", "state_order"}, {"type", "quantitative"}}},
                {"tooltip", json::array({{{"field", "run"}, {"type", "nominal"}},
                                         {{"field", "class"}, {"type", "nominal"}},
                                         {{"field", "state"}, {"type", "nominal"}},
                                         {{"field", "share"}, {"type", "quantitative"}, {"format", ".1%"}},
                                         {{"field", "seconds"}, {"type", "quantitative"}, {"format", ".4~f"},
                                          {"title", "device-seconds"}}})}}}};
    bottom.push_back(p);
  }

  // Colour scales stay apart at every level (runs in one panel, states in another): shared
  // scales would merge their domains into one legend.
  const json apart = {{"scale", {{"color", "independent"}, {"opacity", "independent"}}},
                      {"legend", {{"color", "independent"}}}};
  json rows = json::array();
  if (!top.empty()) rows.push_back({{"hconcat", top}, {"resolve", apart}});
  if (!bottom.empty()) rows.push_back({{"hconcat", bottom}, {"resolve", apart}});
  c.spec = {{"$schema", kVegaLiteSchema},
            {"vconcat", rows},
            {"spacing", 24},
            {"resolve", {{"scale", {{"color", "independent"}, {"opacity", "independent"}}},
                         {"legend", {{"color", "independent"}}}}}};
  return c;
}

}  // namespace flemu::analysis
