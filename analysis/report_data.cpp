#include "analysis/report_data.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

#include "analysis/activity.hpp"
#include "analysis/class_view.hpp"

namespace flemu::analysis {

const std::vector<std::string> kRunColors = {
    "#4c78a8", "#f58518", "#e45756", "#54a24b", "#b279a2", "#9d755d", "#17becf", "#eeca3b", "#ff9da6", "#72b7b2",
    "#2f4b7c", "#a05195", "#8c6d31", "#665191", "#d45087", "#003f5c", "#ff7c43", "#7f7f7f", "#9c9ede", "#bcbd22"};

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json number_or_null(double x) { return std::isnan(x) ? json() : json(x); }

std::string dir_name(const std::string& dir) {
  fs::path p = fs::path(dir).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();  // "out/x/" -> "x"
  return p.filename().string();
}

/// Evaluations averaged by the rolling mean of a run with `evaluated` evaluations: 1 (none)
/// up to 60, then an odd window of about evaluated / 30.
int smooth_window_for(size_t evaluated) {
  if (evaluated <= 60) return 1;
  const int w = static_cast<int>(evaluated / 30);
  return std::max(5, w | 1);
}

json metrics_rows(const RunData& run, int& window) {
  const auto& m = run.metrics;
  const bool derive_cum_energy = m.has("energy_j") && !m.has("cum_energy_j");
  std::vector<size_t> evaluated;
  for (size_t r = 0; r < m.rows(); ++r)
    if (!std::isnan(m.at(r, "accuracy"))) evaluated.push_back(r);
  window = smooth_window_for(evaluated.size());
  std::vector<double> smooth(m.rows(), NAN);
  const long half = window / 2, n = static_cast<long>(evaluated.size());
  for (long i = 0; i < n; ++i) {
    double sum = 0;
    int k = 0;
    for (long j = std::max(0L, i - half); j <= std::min(n - 1, i + half); ++j, ++k) sum += m.at(evaluated[j], "accuracy");
    smooth[evaluated[i]] = sum / k;
  }
  json rows = json::array();
  double cum_energy = 0;
  for (size_t r = 0; r < m.rows(); ++r) {
    json row = json::object();
    row["run"] = run.label;
    for (size_t c = 0; c < m.columns.size(); ++c) row[m.columns[c]] = number_or_null(m.value[r][c]);
    if (derive_cum_energy) {
      const double e = m.at(r, "energy_j");
      if (!std::isnan(e)) cum_energy += e;
      row["cum_energy_j"] = cum_energy;
    }
    row["accuracy_smooth"] = number_or_null(smooth[r]);
    row["dense"] = window > 1;
    rows.push_back(std::move(row));
  }
  return rows;
}

void add_breakdown_rows(json& rows, const std::string& label, const std::vector<RoundSplit>& splits,
                        const char* split_name) {
  // start_s lets many-version runs be drawn per time window instead of per version.
  for (const auto& s : splits) {
    const std::pair<const char*, double> phases[] = {
        {"download", s.download_s}, {"compute", s.compute_s}, {"upload", s.upload_s}, {"waiting", s.waiting_s}};
    int order = 0;
    for (const auto& [phase, seconds] : phases)
      rows.push_back({{"run", label},
                      {"round", s.round},
                      {"start_s", s.start_s},
                      {"split", split_name},
                      {"phase", phase},
                      {"phase_order", order++},
                      {"seconds", seconds},
                      {"critical_client", s.critical_client < 0 ? json() : json(s.critical_client)}});
  }
}

RunSummaryRow summary_row(const RunData& run, const DeviceTimeline& tl) {
  RunSummaryRow row;
  row.label = run.label;
  row.dir = run.dir;
  row.abs_dir = fs::absolute(run.dir).lexically_normal().string();
  if (!row.abs_dir.empty() && row.abs_dir.back() == '/' && row.abs_dir.size() > 1) row.abs_dir.pop_back();
  auto text = [&](const char* key) {
    auto it = run.summary.find(key);
    return it != run.summary.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto number = [&](const char* key) {
    auto it = run.summary.find(key);
    return it != run.summary.end() && it->is_number() ? it->get<double>() : NAN;
  };
  row.scenario = text("scenario");
  row.scenario_hash = text("scenario_hash");
  row.stop_reason = text("stop_reason");
  row.bytes_down = number("bytes_down");
  row.bytes_up = number("bytes_up");
  row.simulated_time_s = number("simulated_time_s");

  const auto& m = run.metrics;
  row.rounds = static_cast<int>(m.rows());
  if (std::isnan(row.simulated_time_s) && m.rows()) row.simulated_time_s = m.at(m.rows() - 1, "time_s");
  const int acc = m.index_of("accuracy"), loss = m.index_of("loss"), round = m.index_of("round");
  for (size_t r = m.rows(); r-- > 0;) {
    if (m.text[r][acc].empty()) continue;
    row.final_accuracy = m.text[r][acc];
    row.final_loss = m.text[r][loss];
    row.final_accuracy_round = static_cast<int>(m.value[r][round]);
    break;
  }
  if (m.rows()) row.cum_bytes = m.text.back()[m.index_of("cum_bytes")];
  if (m.has("cum_energy_j") && m.rows()) {
    row.energy_j = m.value.back()[m.index_of("cum_energy_j")];
  } else if (m.has("energy_j")) {
    row.energy_j = 0;
    for (size_t r = 0; r < m.rows(); ++r)
      if (!std::isnan(m.at(r, "energy_j"))) row.energy_j += m.at(r, "energy_j");
  }
  row.devices = static_cast<int>(tl.clients.size());
  for (const auto& e : run.events) {
    if (e.kind == "update_dropped") row.updates_dropped++;
    if (e.kind == "device_off") row.device_offs++;
  }
  return row;
}

}  // namespace

RunOrigin run_origin(const RunData& run) {
  RunOrigin o;
  auto it = run.summary.find("scenario");
  o.base = it != run.summary.end() && it->is_string() ? it->get<std::string>() : dir_name(run.dir);
  if (!run.scenario.is_object() || !run.scenario.contains("overrides") || !run.scenario["overrides"].is_object())
    return o;
  const json& rec = run.scenario["overrides"];
  auto text = [&](const char* key) { return rec.contains(key) && rec[key].is_string() ? rec[key].get<std::string>() : ""; };
  if (!text("sweep").empty()) o.base = text("sweep");
  o.label = text("label");
  o.group = text("group");
  if (o.label.empty() && rec.contains("set") && rec["set"].is_array())
    for (const auto& e : rec["set"]) {
      if (!e.is_object() || !e.contains("value")) continue;
      std::string ptr = e.contains("given") && e["given"].is_string() ? e["given"].get<std::string>()
                                                                     : e.value("pointer", std::string());
      const std::string key = ptr.substr(ptr.find_last_of('/') + 1);
      const json& v = e["value"];
      o.label += (o.label.empty() ? "" : " ") + key + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
    }
  return o;
}

std::vector<std::string> run_labels(const std::vector<RunData>& runs, const std::vector<std::string>& labels) {
  if (!labels.empty() && labels.size() != runs.size())
    throw std::runtime_error("report: expected one --label per run directory (" + std::to_string(runs.size()) +
                             "), got " + std::to_string(labels.size()));
  std::vector<std::string> out(runs.size());
  std::vector<RunOrigin> origin(runs.size());
  auto count = [&](const std::vector<std::string>& names) {
    std::map<std::string, int> uses;
    for (const auto& n : names) uses[n]++;
    return uses;
  };
  for (size_t i = 0; i < runs.size(); ++i) {
    origin[i] = run_origin(runs[i]);
    if (!labels.empty()) out[i] = labels[i];
    else if (!origin[i].label.empty()) out[i] = origin[i].label;  // "uplink=1Mbps": what differs
    else out[i] = origin[i].base;
  }
  if (labels.empty()) {
    // Runs that read alike: first say which sweep or scenario each comes from, then fall back
    // to directories (a sweep often runs one scenario name in many directories).
    auto uses = count(out);
    for (size_t i = 0; i < runs.size(); ++i)
      if (uses[out[i]] > 1 && !origin[i].label.empty()) out[i] = origin[i].base + ": " + origin[i].label;
    uses = count(out);
    for (size_t i = 0; i < runs.size(); ++i)
      if (uses[out[i]] > 1) out[i] = dir_name(runs[i].dir);
  }
  std::set<std::string> taken;
  for (auto& l : out) {
    std::string candidate = l;
    for (int n = 2; taken.count(candidate); ++n) candidate = l + " (" + std::to_string(n) + ")";
    l = candidate;
    taken.insert(l);
  }
  return out;
}

ReportData build_report_data(std::vector<RunData> runs, const std::vector<std::string>& labels) {
  ReportData d;
  const auto names = run_labels(runs, labels);
  for (size_t i = 0; i < runs.size(); ++i) {
    runs[i].label = names[i];
    runs[i].color = kRunColors[i % kRunColors.size()];
    // Runs differing only by seed share the group their sweep recorded; others stand alone.
    const RunOrigin o = run_origin(runs[i]);
    runs[i].group = o.group.empty() ? names[i] : o.group;
  }
  d.runs = std::move(runs);

  json metrics = json::array(), breakdown = json::array(), timeline = json::array(), timeline_rows = json::array(),
       drops = json::array(), battery = json::array(), staleness = json::array(), per_class = json::array(),
       per_class_states = json::array(), activity = json::array();
  std::vector<RunOutcome> outcomes;
  for (const auto& run : d.runs) {
    int window = 1;
    for (auto& row : metrics_rows(run, window)) metrics.push_back(std::move(row));
    d.smooth_window = std::max(d.smooth_window, window);
    for (size_t r = 0; r < run.metrics.rows() && !d.has_accuracy; ++r)
      d.has_accuracy = !std::isnan(run.metrics.at(r, "accuracy"));
    d.has_energy = d.has_energy || run.metrics.has("energy_j") || run.metrics.has("cum_energy_j");

    d.breakdowns.push_back(round_breakdown(run.events));
    d.synchronous.push_back(has_synchronous_rounds(run.events));
    if (d.synchronous.back()) {
      add_breakdown_rows(breakdown, run.label, d.breakdowns.back().critical_path, "critical path");
      add_breakdown_rows(breakdown, run.label, d.breakdowns.back().mean, "mean of participants");
      d.max_rounds = std::max(d.max_rounds, static_cast<int>(d.breakdowns.back().critical_path.size()));
    }

    auto end = run.summary.find("simulated_time_s");
    d.timelines.push_back(
        device_timeline(run.events, end != run.summary.end() && end->is_number() ? end->get<double>() : 0.0));
    const auto& tl = d.timelines.back();
    const DeviceClasses dc = device_classes(run, tl);
    d.max_classes = std::max(d.max_classes, static_cast<int>(dc.class_order.size()));
    d.has_classes = d.has_classes || !dc.devices.empty();

    // Timeline rows: devices grouped by class (in the scenario's order), then by index.
    std::vector<size_t> order(dc.devices.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return dc.order_of(dc.classes[a]) < dc.order_of(dc.classes[b]);
    });
    std::map<int, int> row_of;
    std::vector<std::string> hosts;
    for (size_t r = 0; r < order.size(); ++r) {
      const size_t i = order[r];
      row_of[dc.devices[i]] = static_cast<int>(r);
      hosts.push_back(dc.hosts[i]);
      timeline_rows.push_back({{"run", run.label},
                               {"row", r},
                               {"host", dc.hosts[i]},
                               {"class", dc.classes[i]},
                               {"class_order", dc.order_of(dc.classes[i])}});
    }
    d.row_hosts.push_back(hosts);
    d.max_devices = std::max(d.max_devices, static_cast<int>(hosts.size()));
    std::map<int, std::string> host_of;
    for (size_t i = 0; i < dc.devices.size(); ++i) host_of[dc.devices[i]] = dc.hosts[i];
    std::set<int> in_timeline(tl.clients.begin(), tl.clients.end());
    for (const auto& s : tl.segments)
      timeline.push_back({{"run", run.label},
                          {"client", s.client},
                          {"host", host_of[s.client]},
                          {"class", dc.class_of(s.client)},
                          {"row", row_of[s.client]},
                          {"state", to_string(s.state)},
                          {"t0", s.t0},
                          {"t1", s.t1},
                          {"round", s.round < 0 ? json() : json(s.round)},
                          {"lane", s.lane}});
    // Devices no event names (never selected): idle all along, still a row.
    for (size_t i = 0; i < dc.devices.size(); ++i)
      if (!in_timeline.count(dc.devices[i]) && tl.end_s > 0)
        timeline.push_back({{"run", run.label},
                            {"client", dc.devices[i]},
                            {"host", dc.hosts[i]},
                            {"class", dc.classes[i]},
                            {"row", row_of[dc.devices[i]]},
                            {"state", to_string(DeviceState::Idle)},
                            {"t0", 0.0},
                            {"t1", tl.end_s},
                            {"round", json()},
                            {"lane", 0}});
    for (const auto& x : tl.drops)
      drops.push_back({{"run", run.label},
                       {"client", x.client},
                       {"host", host_of[x.client]},
                       {"class", dc.class_of(x.client)},
                       {"row", row_of.count(x.client) ? json(row_of[x.client]) : json()},
                       {"t", x.t},
                       {"round", x.round < 0 ? json() : json(x.round)},
                       {"reason", x.reason}});

    std::map<int, int> stale_counts;
    for (const auto& e : run.events) {
      if (e.kind == "battery" && e.client >= 0) {
        battery.push_back({{"run", run.label},
                           {"client", e.client},
                           {"host", host_of.count(e.client) ? host_of[e.client] : e.host},
                           {"class", dc.class_of(e.client)},
                           {"t", e.t},
                           {"fraction", number_or_null(e.fraction)},
                           {"charge_j", number_or_null(e.charge_j)}});
        d.has_battery = true;
      }
      if (e.kind == "upload" && e.staleness >= 0) stale_counts[e.staleness]++;
    }
    for (const auto& [s, n] : stale_counts) staleness.push_back({{"run", run.label}, {"staleness", s}, {"updates", n}});
    d.has_staleness = d.has_staleness || !stale_counts.empty();
    add_per_class_rows(run, tl, dc, per_class, per_class_states);
    add_activity_rows(run, tl, dc, activity);

    d.summary.push_back(summary_row(run, tl));
    const auto& sr = d.summary.back();
    RunOutcome oc;
    oc.final_accuracy = sr.final_accuracy.empty() ? NAN : std::stod(sr.final_accuracy);
    oc.simulated_time_s = sr.simulated_time_s;
    oc.energy_j = sr.energy_j;
    oc.bytes = sr.cum_bytes.empty() ? NAN : std::stod(sr.cum_bytes);
    outcomes.push_back(oc);
  }
  d.groups = seed_groups(d.runs, outcomes);
  d.datasets = {{"metrics", std::move(metrics)},
                {"breakdown", std::move(breakdown)},
                {"timeline", std::move(timeline)},
                {"timeline_rows", std::move(timeline_rows)},
                {"drops", std::move(drops)},
                {"battery", std::move(battery)},
                {"staleness", std::move(staleness)},
                {"per_class", std::move(per_class)},
                {"per_class_states", std::move(per_class_states)},
                {"activity", std::move(activity)},
                {"seed_groups", seed_group_rows(d.runs, d.groups)}};
  return d;
}

}  // namespace flemu::analysis
