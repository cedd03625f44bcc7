// The simulated events a run produces, and the observers that turn them into outputs.
//
// Actors emit events through an EventBus; sinks (trace writer, round metrics, progress)
// subscribe to it. Events carry simulated time only: wall-clock time never enters them, which
// is what makes events.jsonl byte-identical across runs of one scenario and seed.
#pragma once
#include <cmath>
#include <string>
#include <vector>

namespace flemu {

enum class EventKind {
  RoundStart,  ///< server begins a round (count = clients selected)
  Download,    ///< span: global model server -> client (bytes)
  Train,       ///< span: local training on the device (flops)
  Upload,      ///< span: update client -> server (bytes)
  Aggregate,   ///< server built the next global model (count = updates used)
  Evaluate,    ///< global model tested (accuracy, loss; count = test samples)
  RoundEnd,    ///< round over (count = updates used)
  UpdateDropped,  ///< a selected client's work was lost or refused (reason)
  DeviceOff,   ///< a device went off (reason: offline | battery)
  DeviceOn,    ///< a device came back (reason: online | charged)
  Battery,     ///< battery level (charge_j, fraction)
  Report,      ///< analytics span: a user's perturbed report, device -> its party's server (bytes)
  Estimate,    ///< analytics span: a server estimated a level's counts (count = reports, candidates, flops)
  Result,      ///< analytics: the aggregator has the top-k (count = items)
  Collective,  ///< span: one rank's part of a collective (bytes sent; op; count = messages sent)
  Send,        ///< span: a point-to-point transfer from a device to `peer` (bytes; op = what it carries)
  Gossip,      ///< span: a node's exchange with neighbours (bytes sent, count = messages sent; peer for a pairwise one)
  Consensus,   ///< decentralized: how far the node models are apart (consensus, optimum_distance)
  Encode,      ///< span: a codec encoding on a device or the server (flops = its operations)
  Decode,      ///< span: a codec decoding on a device or the server (flops = its operations)
  SplitUp,     ///< span: split learning, device -> server message (bytes; reason activations | gradients)
  SplitDown,   ///< span: split learning, server -> device message (bytes; reason activations | gradients)
  ServerCompute,  ///< span: the server computing for one client (flops; split learning's body)
  DiskRead,    ///< span: a device read bytes from its disk (op = what: a weight block)
};

const char* to_string(EventKind kind);

struct Event {
  double time = 0;        ///< simulated time of the event (end of a span), s
  double start = NAN;     ///< spans: simulated start time, s
  EventKind kind = EventKind::RoundStart;
  std::string actor;      ///< "server", "client-3"
  std::string host;       ///< SimGrid host name
  int round = -1;
  int client = -1;        ///< device index, -1 for server-only events
  double bytes = 0;
  double flops = 0;
  int count = -1;
  double accuracy = NAN, loss = NAN;
  std::string reason{};   ///< update_dropped, device_off/on
  int staleness = -1;     ///< async uploads: server versions since the client's model
  double charge_j = NAN, fraction = NAN;  ///< battery
  int steps = -1;         ///< train: local steps taken
  int party = -1;         ///< analytics: the party of a user, a party server or a message
  int candidates = -1;    ///< analytics estimate: candidate prefixes estimated
  double value = NAN;     ///< zeroth-order evaluate: F(x) of the global point; train: queries made
  std::string op{};       ///< collective: algorithm ("ring-allreduce", ...); send: payload ("activations", ...)
  int peer = -1;          ///< send: destination device; gossip: the other node of a pairwise exchange
  double consensus = NAN;         ///< consensus: (1/n) sum_i ||x_i - x-bar||^2
  double optimum_distance = NAN;  ///< consensus: (1/n) sum_i ||x_i - x*||^2 where x* is known
  double dense_bytes = 0;  ///< compressed download/upload: what the message takes as dense float32
  double paper_bytes = 0;  ///< compressed download/upload: what the codec's paper counts for it
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_event(const Event& e) = 0;
};

class EventBus {
 public:
  void subscribe(EventSink* sink) { sinks_.push_back(sink); }
  void emit(const Event& e) const {
    for (auto* s : sinks_) s->on_event(e);
  }

 private:
  std::vector<EventSink*> sinks_;
};

}  // namespace flemu
