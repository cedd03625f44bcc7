// FedBuff — Nguyen, Malik, Zhan, Yousefpour, Rabbat, Malek, Huba, "Federated Learning with
// Buffered Asynchronous Aggregation", AISTATS 2022, Algorithm 1.
//
//   Client: y_0 <- x (the global model it downloaded); Q local SGD steps; send Δ.
//   Server: on each arrival  Δ̄ <- Δ̄ + s(τ_k) Δ_k ;  k <- k + 1
//           if k == K:       x <- x + η_g Δ̄ / K ;  Δ̄ <- 0 ;  k <- 0
//
// Sign convention: here Δ = x_client - x_start (the direction the client moved), so the
// server adds η_g Δ̄ / K. The paper sends Δ = y_0 - y_Q and subtracts: the same step.
// s(τ) is the staleness weight (staleness.hpp); the paper's experiments use 1/sqrt(1 + τ),
// i.e. polynomial with a = 0.5, with τ the number of server steps since the client's
// download.
#pragma once
#include <vector>

#include "algorithms/aggregation.hpp"
#include "algorithms/fl/staleness.hpp"
#include "workloads/models/trainer.hpp"

namespace flemu {

struct FedBuffParams {
  int buffer_size = 10;     ///< K: client updates per server step (>= 1); the paper's experiments use K = 10
  double server_lr = 1.0;   ///< η_g: server learning rate (unitless, > 0)
  StalenessSpec staleness;  ///< s(τ) weighting each Δ; default polynomial a = 0.5 = 1/sqrt(1 + τ)
};

/// x_client - x_start. Throws std::invalid_argument on size mismatch.
Params model_delta(const Params& client, const Params& start);


/// global + server_lr * sum / count (FedBuff's server step on a buffer's weighted sum).
Params fedbuff_step(const Params& global, const Params& sum, double server_lr, int count);

/// The server's buffer of Algorithm 1 (the state FedBuff keeps between arrivals). Holds the
/// deltas themselves (K model-sized vectors) so the sum runs in arrival order at flush.
class FedBuffBuffer {
 public:
  /// Throws std::invalid_argument if buffer_size < 1 or server_lr <= 0.
  explicit FedBuffBuffer(const FedBuffParams& params);

  /// Buffers `delta` (x_client - x_start) with weight s(staleness). Throws
  /// std::invalid_argument if the buffer is already full, staleness < 0, or the delta's size
  /// differs from the buffered ones.
  void add(Params delta, int staleness);
  /// True when it holds K deltas: time to flush().
  bool full() const { return static_cast<int>(deltas_.size()) >= params_.buffer_size; }
  bool empty() const { return deltas_.empty(); }
  int size() const { return static_cast<int>(deltas_.size()); }
  /// Weights s(τ) of the buffered deltas, in arrival order.
  const std::vector<double>& weights() const { return weights_; }
  const FedBuffParams& params() const { return params_; }

  /// global + η_g (Σ_i s(τ_i) Δ_i) / n with n the number buffered (K when full, as in the
  /// paper; fewer only for a final partial flush), and empties the buffer. Throws
  /// std::invalid_argument if empty or sizes differ.
  Params flush(const Params& global);

 private:
  FedBuffParams params_;
  std::vector<Params> deltas_;
  std::vector<double> weights_;
};

}  // namespace flemu
