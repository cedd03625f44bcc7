// Per-node outputs of decentralized runs, built from the event stream: nodes.csv and the
// traffic figures of summary.json.
//
// nodes.csv: one row per node and evaluation that tested the node's own model, in the order
// of the events (by round, then node):
//   round         1-based round (asynchronous schedules: the metrics interval)
//   time_s        simulated time of the test
//   node          device index
//   accuracy, loss   the node's own model on the evaluation set (empty in analytic mode)
//   messages      messages the node has sent since the start
//   bytes_sent    bytes it has sent since the start
//   state         on | off (the device, at the time of the test)
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/core/event.hpp"

namespace flemu {

class NodeMetrics final : public EventSink {
 public:
  explicit NodeMetrics(int nodes);
  void on_event(const Event& e) override;
  void write_csv(const std::string& path) const;
  /// {"messages_sent": {"total", "mean", "min", "max"}, "bytes_sent": {...}, "per_node": [...]}
  nlohmann::ordered_json traffic() const;

 private:
  struct Row {
    int round, node;
    double time, accuracy, loss, bytes;
    long messages;
    bool on;
  };
  std::vector<long> messages_;
  std::vector<double> bytes_;
  std::vector<char> on_;
  std::vector<Row> rows_;
};

}  // namespace flemu
