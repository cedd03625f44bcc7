#include "analysis/report_data.hpp"

#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

namespace flemu::analysis {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json number_or_null(double x) { return std::isnan(x) ? json() : json(x); }

std::string dir_name(const std::string& dir) {
  fs::path p = fs::path(dir).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();  // "out/x/" -> "x"
  return p.filename().string();
}

json metrics_rows(const RunData& run) {
  const auto& m = run.metrics;
  const bool derive_cum_energy = m.has("energy_j") && !m.has("cum_energy_j");
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
    rows.push_back(std::move(row));
  }
  return rows;
}

void add_breakdown_rows(json& rows, const std::string& label, const std::vector<RoundSplit>& splits,
                        const char* split_name) {
  for (const auto& s : splits) {
    const std::pair<const char*, double> phases[] = {
        {"download", s.download_s}, {"compute", s.compute_s}, {"upload", s.upload_s}, {"waiting", s.waiting_s}};
    int order = 0;
    for (const auto& [phase, seconds] : phases)
      rows.push_back({{"run", label},
                      {"round", s.round},
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

std::vector<std::string> run_labels(const std::vector<RunData>& runs, const std::vector<std::string>& labels) {
  if (!labels.empty() && labels.size() != runs.size())
    throw std::runtime_error("report: expected one --label per run directory (" + std::to_string(runs.size()) +
                             "), got " + std::to_string(labels.size()));
  std::vector<std::string> out(runs.size());
  std::map<std::string, int> uses;
  for (size_t i = 0; i < runs.size(); ++i) {
    if (!labels.empty()) {
      out[i] = labels[i];
    } else {
      auto it = runs[i].summary.find("scenario");
      out[i] = it != runs[i].summary.end() && it->is_string() && !it->get<std::string>().empty()
                   ? it->get<std::string>()
                   : dir_name(runs[i].dir);
    }
    uses[out[i]]++;
  }
  // A sweep often runs one scenario name in many directories: tell them apart by directory.
  if (labels.empty())
    for (size_t i = 0; i < runs.size(); ++i)
      if (uses[out[i]] > 1) out[i] = dir_name(runs[i].dir);
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
  for (size_t i = 0; i < runs.size(); ++i) runs[i].label = names[i];
  d.runs = std::move(runs);

  json metrics = json::array(), breakdown = json::array(), timeline = json::array(), drops = json::array(),
       battery = json::array(), staleness = json::array();
  for (const auto& run : d.runs) {
    for (auto& row : metrics_rows(run)) metrics.push_back(std::move(row));
    d.has_energy = d.has_energy || run.metrics.has("energy_j") || run.metrics.has("cum_energy_j");

    d.breakdowns.push_back(round_breakdown(run.events));
    add_breakdown_rows(breakdown, run.label, d.breakdowns.back().critical_path, "critical path");
    add_breakdown_rows(breakdown, run.label, d.breakdowns.back().mean, "mean of participants");

    auto end = run.summary.find("simulated_time_s");
    d.timelines.push_back(
        device_timeline(run.events, end != run.summary.end() && end->is_number() ? end->get<double>() : 0.0));
    const auto& tl = d.timelines.back();
    std::map<int, std::string> host_of;
    for (size_t i = 0; i < tl.clients.size(); ++i) host_of[tl.clients[i]] = tl.hosts[i];
    d.max_devices = std::max(d.max_devices, static_cast<int>(tl.clients.size()));
    for (const auto& s : tl.segments)
      timeline.push_back({{"run", run.label},
                          {"client", s.client},
                          {"host", host_of[s.client]},
                          {"state", to_string(s.state)},
                          {"t0", s.t0},
                          {"t1", s.t1},
                          {"round", s.round < 0 ? json() : json(s.round)},
                          {"lane", s.lane}});
    for (const auto& x : tl.drops)
      drops.push_back({{"run", run.label},
                       {"client", x.client},
                       {"host", host_of[x.client]},
                       {"t", x.t},
                       {"round", x.round < 0 ? json() : json(x.round)},
                       {"reason", x.reason}});

    std::map<int, int> stale_counts;
    for (const auto& e : run.events) {
      if (e.kind == "battery" && e.client >= 0) {
        battery.push_back({{"run", run.label},
                           {"client", e.client},
                           {"host", host_of[e.client]},
                           {"t", e.t},
                           {"fraction", number_or_null(e.fraction)},
                           {"charge_j", number_or_null(e.charge_j)}});
        d.has_battery = true;
      }
      if (e.kind == "upload" && e.staleness >= 0) stale_counts[e.staleness]++;
    }
    for (const auto& [s, n] : stale_counts) staleness.push_back({{"run", run.label}, {"staleness", s}, {"updates", n}});
    d.has_staleness = d.has_staleness || !stale_counts.empty();

    d.summary.push_back(summary_row(run, tl));
  }
  d.datasets = {{"metrics", std::move(metrics)}, {"breakdown", std::move(breakdown)}, {"timeline", std::move(timeline)},
                {"drops", std::move(drops)},     {"battery", std::move(battery)},     {"staleness", std::move(staleness)}};
  return d;
}

}  // namespace flemu::analysis
