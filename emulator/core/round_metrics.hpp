// Per-round metrics built from the event stream; written as metrics.csv.
//
// metrics.csv columns (one row per round that closed, in order; a round still open when the
// run stopped, e.g. an async version cut by the time budget, has no row):
//   round            1-based
//   time_s           simulated time at the end of the round
//   duration_s       simulated duration of the round
//   selected         clients the server selected
//   updates          updates aggregated
//   bytes_down       model bytes sent server -> clients this round
//   bytes_up         update bytes received this round (collectives and pipelines: bytes
//                    the devices sent)
//   flops            training flops simulated this round
//   train_loss       mean of the clients' mean training losses (empty in analytic mode); from
//                    uploads, or from train events in decentralized runs and pipelines (the
//                    last stage's loss of each minibatch)
//   accuracy, loss   test accuracy / loss of the new global model (empty if not evaluated)
//   eval_samples     test samples used (0 if not evaluated)
//   cum_bytes        bytes_down + bytes_up since the start
//   dropped          selected clients whose update was lost or refused this round
//   energy_j         energy all devices used during the round (compute + radio), J
//   wasted_energy_j  energy the dropped clients used during the round, J
//   cum_energy_j     energy since the start, J
// The energy columns are present only when the scenario models power. Decentralized runs
// (any gossip or consensus event) append:
//   consensus_distance   (1/n) sum_i ||x_i - x-bar||^2 over the node models at the round's end
//   optimum_distance     (1/n) sum_i ||x_i - x*||^2 (empty unless the optimum is known)
//   node_accuracy_mean, node_accuracy_min, node_accuracy_max, node_accuracy_std
//                        over the nodes whose own model was tested this round (empty if none)
//   messages             node-to-node messages sent this round
// and there bytes_up counts the bytes nodes sent to each other (each message once) and
// bytes_down stays 0. Compressed runs (algorithm.compression; bytes_down and bytes_up are then
// the encoded payloads' bytes) append:
//   dense_bytes_down, dense_bytes_up   what the same messages take as dense float32
//   compression_ratio  dense_bytes_up / bytes_up (empty when nothing was uploaded)
//   paper_bytes_up     what the codec's paper counts for the same uploads
//   codec_flops        operations of every encode and decode of the round (devices and server)
// and then, last:
//   server_flops     flops the server computed for clients this round (split learning's body),
//                    present only when the server computed for clients; bytes_up / bytes_down
//                    then include split learning's activation and gradient messages, and flops
//                    are the devices'.
#pragma once
#include <string>
#include <vector>

#include "emulator/core/event.hpp"

namespace flemu {
class Fleet;
}

namespace flemu {

struct RoundRow {
  int round = 0;
  double start_s = 0, time_s = 0;
  int selected = 0, updates = 0;
  double bytes_down = 0, bytes_up = 0, flops = 0;
  /// The round's training losses (one per update or node), summed in sorted order when
  /// written: their mean must not depend on the order in which uploads arrived, which
  /// follows simulated timing (a slower uplink reorders them; the model does not change).
  std::vector<double> train_losses;
  double accuracy = NAN, loss = NAN;
  int eval_samples = 0;
  int dropped = 0;
  double energy_at_start = 0, energy_j = NAN, wasted_energy_j = 0;
  bool closed = false;  ///< its RoundEnd was seen
  double consensus = NAN, optimum_distance = NAN;
  int node_evals = 0, messages = 0;
  double dense_bytes_down = 0, dense_bytes_up = 0, paper_bytes_up = 0, codec_flops = 0;
  double node_acc_sum = 0, node_acc_sq = 0, node_acc_min = NAN, node_acc_max = NAN;
  double server_flops = 0;
};

class RoundMetrics final : public EventSink {
 public:
  /// `fleet`: where energy is read (nullptr or a fleet without power model: no energy columns).
  explicit RoundMetrics(const Fleet* fleet = nullptr);
  void on_event(const Event& e) override;
  /// Every round seen, closed or not.
  const std::vector<RoundRow>& rows() const { return rows_; }
  /// The rounds that closed: what metrics.csv holds and summaries add up.
  std::vector<RoundRow> closed_rows() const;
  /// Latest evaluation seen (NaN before any).
  double last_accuracy() const { return last_accuracy_; }
  double last_loss() const { return last_loss_; }
  void write_csv(const std::string& path) const;

 private:
  RoundRow& row(int round);
  const Fleet* fleet_;
  std::vector<double> device_energy_at_start_;
  std::vector<RoundRow> rows_;
  double last_accuracy_ = NAN, last_loss_ = NAN;
  bool decentralized_ = false;
  bool compressed_ = false;
  bool server_computes_ = false;
};

}  // namespace flemu
