// events.jsonl: one JSON object per simulated event, in the order the simulation produced
// them: non-decreasing "t", except evaluate events, which carry the time the evaluated model
// was made and are written when their (background) evaluation is collected, up to one round
// later (emulator/schedules/server_outcome.hpp).
//
// Keys, in this order (absent when not meaningful for the kind):
//   t       simulated time of the event, or of the end of a span, seconds
//   t0      spans only (download, train, upload, gossip, collective, send, encode, decode):
//           simulated start, seconds
//   kind    round_start | download | train | upload | aggregate | evaluate | round_end |
//           update_dropped | device_off | device_on | battery | gossip | consensus | collective | send |
//           encode | decode | report | estimate | result
//   actor   "server", "client-<device index>", "worker-<device index>" (cluster schedules),
//           "stage-<device index>" (pipelines), "encode-model" (a compressed model's encode), or
//           "fleet" (availability and battery); analytics: "user-<device index>", "party-<j>",
//           "aggregator"
//   host    SimGrid host the actor runs on (device name)
//   round   1-based round (async and anarchic schedules: the model version being built; for
//           downloads, trains and uploads: the round or version the client was engaged for;
//           analytics: the 1-based level of the prefix tree)
//   client  device index
//   bytes   payload bytes moved (download, upload); collective, send: bytes this device sent
//   flops   floating-point operations simulated (train; encode, decode: the codec's operations)
//   count   round_start: clients selected; aggregate/round_end: updates used;
//           evaluate: test samples; gossip, collective: messages the node sent
//   accuracy, loss   evaluate: test accuracy in [0,1] and mean cross-entropy;
//                    upload: loss = the client's mean training loss; train (decentralized
//                    nodes, which upload nothing): loss = the node's mean training loss
//   reason  update_dropped: deadline | over_selection | offline | battery | stopped (async
//           clients still working when the run ended);
//           device_off: offline | battery; device_on: online | charged
//   staleness  async uploads: server model versions between the client's start and arrival
//   steps   train: local SGD steps taken
//   charge_j, fraction   battery: charge in J and as a fraction of capacity
//   party   analytics: the party of the user, party server or message
//   candidates  analytics estimate: candidate prefixes estimated (count = reports used)
//   value   zeroth-order: evaluate = F(x) of the new global point (loss = F - F*, the gap);
//           train = queries made; analytics result: time to result is "t"
//   op      collective: the algorithm (ring-allreduce, tree-allreduce, star-allreduce,
//           hierarchical-allreduce); send: what it carries (activations, gradients)
//   peer    gossip: the other node of a pairwise exchange (ad-psgd, gossip-async, dadao);
//           send: the receiving device
//   consensus          consensus: (1/n) sum_i ||x_i - x-bar||^2 over all n node models
//   dense_bytes  compressed download/upload (algorithm.compression): the message's bytes had
//                it been sent dense float32
//   paper_bytes  compressed download/upload: what the codec's paper or code counts for its
//                encoded part (card compression.md: often less than any decodable payload)
//   optimum_distance   consensus: (1/n) sum_i ||x_i - x*||^2 where the optimum x* is known
// Decentralized schedules (no server): "round_start"/"aggregate"/"round_end" come from the
// rounds' bookkeeping actor (actor "server" on the server host, which sends nothing); "aggregate"
// means the average model x-bar was formed (count = nodes that finished the round), and
// "evaluate" events with a "client" test that node's own model, those without the average
// model. "gossip" spans carry the bytes a node sent in one exchange phase (sync rounds) or one
// pairwise exchange (asynchronous schedules, from the initiator's side).
// Compressed runs: a client's "decode" span (its download) follows the download, its "encode"
// span precedes the upload; the server's "decode" of an update (actor "server") follows the
// upload's arrival; the server's encode of a model version has actor "encode-model".
// A device's compute spans (train) and communication spans (collective, send) may overlap:
// that is the overlap of computation and communication a schedule achieved.
// Doubles are printed in shortest round-trip form, so equal runs give equal bytes.
#pragma once
#include <fstream>
#include <string>

#include "emulator/core/event.hpp"

namespace flemu {

class TraceWriter final : public EventSink {
 public:
  explicit TraceWriter(const std::string& path);
  void on_event(const Event& e) override;
  void close();

 private:
  std::ofstream out_;
  std::string path_;
};

/// The JSON line for one event (without newline); exposed for tests.
std::string to_json_line(const Event& e);

}  // namespace flemu
