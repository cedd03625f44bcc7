#include "analysis/round_breakdown.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace flemu::analysis {

namespace {

struct ClientRound {
  double download = 0, train = 0, upload = 0;
  double upload_end = -1;  ///< end of the latest upload, -1 if none
};

struct RoundInfo {
  double start = NAN, end = NAN;
  std::map<int, ClientRound> clients;  ///< ordered, so ties pick the lowest client index
};

}  // namespace

RoundBreakdown round_breakdown(const std::vector<TraceEvent>& events) {
  std::map<int, RoundInfo> rounds;
  std::set<std::pair<int, int>> dropped;  // (round, client)
  for (const auto& e : events) {
    if (e.round < 0) continue;
    auto& r = rounds[e.round];
    if (e.kind == "round_start") r.start = e.t;
    else if (e.kind == "round_end") r.end = e.t;
    else if (e.kind == "update_dropped" && e.client >= 0) dropped.insert({e.round, e.client});
    else if (e.is_span() && e.client >= 0) {
      auto& c = r.clients[e.client];
      const double d = e.t - e.t0;
      if (e.kind == "download") c.download += d;
      else if (e.kind == "train") c.train += d;
      else if ((e.kind == "encode" || e.kind == "decode") && e.actor != "server") c.train += d;  // codec work: compute
      else if (e.kind == "upload") {
        c.upload += d;
        c.upload_end = std::max(c.upload_end, e.t);
      }
    }
  }

  RoundBreakdown out;
  for (const auto& [round, r] : rounds) {
    if (std::isnan(r.start) || std::isnan(r.end)) continue;
    const double duration = r.end - r.start;
    RoundSplit base;
    base.round = round;
    base.start_s = r.start;
    base.end_s = r.end;
    base.participants = static_cast<int>(r.clients.size());

    RoundSplit crit = base;
    const ClientRound* straggler = nullptr;
    for (const auto& [client, c] : r.clients) {
      if (c.upload_end < 0 || c.upload_end > r.end || dropped.count({round, client})) continue;
      if (!straggler || c.upload_end > straggler->upload_end) {
        straggler = &c;
        crit.critical_client = client;
      }
    }
    if (straggler) {
      crit.download_s = straggler->download;
      crit.compute_s = straggler->train;
      crit.upload_s = straggler->upload;
    }
    crit.waiting_s = std::max(0.0, duration - crit.download_s - crit.compute_s - crit.upload_s);
    out.critical_path.push_back(crit);

    RoundSplit mean = base;
    if (!r.clients.empty()) {
      for (const auto& [client, c] : r.clients) {
        mean.download_s += c.download;
        mean.compute_s += c.train;
        mean.upload_s += c.upload;
      }
      const double n = static_cast<double>(r.clients.size());
      mean.download_s /= n;
      mean.compute_s /= n;
      mean.upload_s /= n;
    }
    mean.waiting_s = std::max(0.0, duration - mean.download_s - mean.compute_s - mean.upload_s);
    out.mean.push_back(mean);
  }
  return out;
}

bool has_synchronous_rounds(const std::vector<TraceEvent>& events) {
  std::map<int, double> round_end;
  for (const auto& e : events)
    if (e.kind == "round_end" && e.round >= 0) round_end[e.round] = e.t;
  int uploads = 0, within = 0;
  for (const auto& e : events) {
    if (e.kind != "upload" || e.round < 0) continue;
    ++uploads;
    auto it = round_end.find(e.round);
    if (it != round_end.end() && e.t <= it->second + 1e-9) ++within;
  }
  return uploads == 0 || 2 * within >= uploads;
}

}  // namespace flemu::analysis
