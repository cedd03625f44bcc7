// What an analytics (heavy-hitter) run measures, built from its event stream.
//
// metrics.csv, one row per estimation, in order:
//   time_s        simulated time the estimate was ready
//   duration_s    its compute time on the server
//   actor         "party-<j>" or "aggregator"
//   party         j, or -1 for the aggregator
//   level         1-based level of the prefix tree
//   reports       reports it used
//   candidates    candidate prefixes it estimated
//   flops         simulated compute
// Byte totals by link kind (user <-> party, party <-> aggregator) and per user and per party
// feed summary.json and parties.csv.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "emulator/core/event.hpp"

namespace flemu {

class AnalyticsMetrics final : public EventSink {
 public:
  void on_event(const Event& e) override;
  void write_csv(const std::string& path) const;

  double user_up = 0, user_down = 0, party_up = 0, party_down = 0;
  int reports = 0, missed = 0;
  std::map<int, double> bytes_by_user;                    ///< device -> report + candidate bytes
  std::map<int, double> party_up_by_party, party_down_by_party;
  std::map<int, double> user_bytes_by_party;              ///< users' bytes to and from party j
  std::map<int, int> reports_by_party, missed_by_party;
  double last_estimate_s = 0;

 private:
  std::vector<Event> estimates_;
};

}  // namespace flemu
