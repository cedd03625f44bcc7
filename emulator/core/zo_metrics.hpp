// What a zeroth-order run measures, built from its event stream: metrics.csv, one row per
// round (round 0 = the starting point), in order:
//   round         0-based for the start, then 1, 2, ...
//   time_s        simulated time at the end of the round
//   queries       function queries of all clients this round (local steps, active queries,
//                 accept queries: every query is counted)
//   cum_queries   since the start
//   bytes_down, bytes_up   this round
//   cum_bytes     since the start
//   flops         simulated device compute this round (queries x flops_per_query + the method's maths)
//   value         F(x) of the global point after the round (a measurement, not a query)
//   gap           value - F* (F* exact for Quadratic; for Ackley and Levy the lower bound 0)
#pragma once
#include <string>
#include <vector>

#include "emulator/core/event.hpp"

namespace flemu {

class ZoMetrics final : public EventSink {
 public:
  struct Row {
    int round = 0;
    double time_s = 0, queries = 0, bytes_down = 0, bytes_up = 0, flops = 0;
    double value = NAN, gap = NAN;
  };
  void on_event(const Event& e) override;
  void write_csv(const std::string& path) const;
  const std::vector<Row>& rows() const { return rows_; }
  double total_queries() const;

 private:
  Row open_;  ///< the round being accumulated
  std::vector<Row> rows_;
};

}  // namespace flemu
