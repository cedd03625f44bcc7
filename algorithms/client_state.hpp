// Per-client state an algorithm keeps across rounds: control variates (SCAFFOLD c_i), duals
// (FedDyn/FedSpeed h_i, FedSMOO μ_i), momentum buffers, personal layers.
//
// Owned by the algorithm; conceptually it lives on each client's device (FL-Simulator keeps
// N x d tables on its server instead; card §1). Memory only for clients that have state: a
// vector never stored reads as null, which every algorithm treats as its initial value (zero).
// Stored vectors are immutable and shared: a job in flight holds the snapshot it was given
// (shared_ptr), and a commit replaces the pointer, never the data.
//
// When state changes: an algorithm commits a client's new state when the server accepts that
// client's update (aggregation). A client whose update is lost (device off, deadline,
// over-selection) keeps its previous state, as if it rolled back its step: the server's
// aggregates (SCAFFOLD's c, FedDyn's Σh) then stay consistent with the clients' states.
//
// Cost: one model-sized float vector per client and slot (MLP: 199,210 x 4 = 797 KB; 1,000
// clients with one slot: 797 MB; bench/flemu_bench.cpp part (g) measures it). Not thread-safe:
// only the server actor's thread reads and writes it.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "workloads/models/local_step.hpp"

namespace flemu {

class ClientStateStore {
 public:
  /// `slots`: the names of the vectors a client may hold (e.g. {"c_i"}), in slot order.
  explicit ClientStateStore(std::vector<std::string> slots = {});

  /// Client `client`'s vector in `slot`, or null if never stored.
  std::shared_ptr<const Params> get(int client, int slot) const;
  /// Stores (replaces) client `client`'s vector in `slot`.
  void put(int client, int slot, Params value);

  const std::vector<std::string>& slots() const { return slots_; }
  /// Clients holding at least one vector.
  int64_t clients() const { return static_cast<int64_t>(state_.size()); }
  /// Bytes of all stored vectors (float32).
  int64_t bytes() const { return bytes_; }

 private:
  std::vector<std::string> slots_;
  std::map<int, std::vector<std::shared_ptr<const Params>>> state_;
  int64_t bytes_ = 0;
};

/// Memory an algorithm holds across rounds, for summary.json.
struct StateFootprint {
  int64_t client_bytes = 0;   ///< per-client state, all clients together
  int64_t clients = 0;        ///< clients holding state
  int64_t server_bytes = 0;   ///< the server's own vectors (c, Σh, m, v, ...)
  std::vector<std::string> client_slots;  ///< what a client keeps
};

}  // namespace flemu
