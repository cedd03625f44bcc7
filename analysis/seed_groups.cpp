#include "analysis/seed_groups.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace flemu::analysis {

using nlohmann::json;

Spread spread_of(const std::vector<double>& xs) {
  Spread s;
  double sum = 0;
  for (double x : xs)
    if (!std::isnan(x)) {
      sum += x;
      s.min = s.n ? std::min(s.min, x) : x;
      s.max = s.n ? std::max(s.max, x) : x;
      s.n++;
    }
  if (s.n == 0) return s;
  s.mean = sum / s.n;
  double ss = 0;
  for (double x : xs)
    if (!std::isnan(x)) ss += (x - s.mean) * (x - s.mean);
  s.sd = s.n > 1 ? std::sqrt(ss / (s.n - 1)) : 0.0;
  return s;
}

std::vector<GroupSummary> seed_groups(const std::vector<RunData>& runs, const std::vector<RunOutcome>& outcomes) {
  std::vector<GroupSummary> groups;
  std::map<std::string, size_t> index;
  std::map<std::string, std::vector<size_t>> members;
  for (size_t i = 0; i < runs.size(); ++i) {
    if (!index.count(runs[i].group)) {
      index[runs[i].group] = groups.size();
      GroupSummary g;
      g.group = runs[i].group;
      g.color = runs[i].color;
      groups.push_back(g);
    }
    groups[index[runs[i].group]].runs.push_back(runs[i].label);
    members[runs[i].group].push_back(i);
  }
  std::vector<GroupSummary> out;
  for (auto& g : groups) {
    if (g.runs.size() < 2) continue;
    std::vector<double> acc, time, energy, bytes;
    for (size_t i : members[g.group]) {
      acc.push_back(outcomes[i].final_accuracy);
      time.push_back(outcomes[i].simulated_time_s);
      energy.push_back(outcomes[i].energy_j);
      bytes.push_back(outcomes[i].bytes);
    }
    g.final_accuracy = spread_of(acc);
    g.simulated_time_s = spread_of(time);
    g.energy_j = spread_of(energy);
    g.bytes = spread_of(bytes);
    out.push_back(std::move(g));
  }
  return out;
}

json seed_group_rows(const std::vector<RunData>& runs, const std::vector<GroupSummary>& groups) {
  auto num = [](double x) { return std::isnan(x) ? json() : json(x); };
  json rows = json::array();
  for (const auto& g : groups) {
    // round -> per-run values of the group's evaluated rows
    std::map<int, std::vector<double>> acc, time, bytes, energy;
    for (const auto& run : runs) {
      if (run.group != g.group) continue;
      const auto& m = run.metrics;
      for (size_t r = 0; r < m.rows(); ++r) {
        const double a = m.at(r, "accuracy");
        if (std::isnan(a)) continue;
        const int round = static_cast<int>(m.at(r, "round"));
        acc[round].push_back(a);
        time[round].push_back(m.at(r, "time_s"));
        bytes[round].push_back(m.at(r, "cum_bytes"));
        energy[round].push_back(m.at(r, "cum_energy_j"));
      }
    }
    for (const auto& [round, values] : acc) {
      const Spread a = spread_of(values);
      rows.push_back({{"group", g.group},
                      {"round", round},
                      {"runs", a.n},
                      {"time_s", num(spread_of(time[round]).mean)},
                      {"accuracy_mean", a.mean},
                      {"accuracy_sd", a.sd},
                      {"accuracy_min", a.min},
                      {"accuracy_max", a.max},
                      {"cum_bytes", num(spread_of(bytes[round]).mean)},
                      {"cum_energy_j", num(spread_of(energy[round]).mean)}});
    }
  }
  return rows;
}

}  // namespace flemu::analysis
