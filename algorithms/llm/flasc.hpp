// FLASC — Kuo, Raje, Rajesh, Smith, "Federated LoRA with Sparse Communication",
// arXiv 2406.05233 (2024), Algorithm 1; CELLM (arXiv 2407.20557) is the same method
// (../shared/cards/compression.md §4.1). Read from the authors' code as the card records it
// (§4.2):
//
//   round r:  if rho_dl < 1: M <- top-(rho_dl P) of |theta| over ALL LoRA entries jointly
//     client: theta_c <- theta (.) M   (the download: masked entries only, the others 0)
//             local SGD on every LoRA entry (dense local fine-tuning)
//             delta_c <- theta (.) M - theta_c ;  if rho_ul < 1: keep top-(rho_ul P) of |delta_c|
//             (clients keep no state: no error feedback, by design)
//     server: g <- (1/|C|) sum_c delta_c ;  theta <- AdamW(theta, g)
//
// theta is the trainable set: the LoRA adapters of the target modules (a language model has
// no task head here). k = floor(rho P) as the code's int(P rho). Departures from the code,
// stated: the density schedule (dl/ul_decay) is not implemented (constant densities), and the
// server evaluates its own theta, not the masked model the code evaluates (eval_masked).
// Top-k is its own pure function (algorithms/compression/topk.hpp), sizes include indices
// (int32 list or bitmap, whichever is smaller), as the card asks (§4.3).
#pragma once
#include "algorithms/compression/topk.hpp"
#include "algorithms/fl/fedavg.hpp"
#include "algorithms/llm/trainable.hpp"

namespace flemu {

/// A FLASC upload: the kept entries of delta_c over the trainable vector.
struct FlascPayload final : UpdatePayload {
  SparseVector delta;
};

/// delta = gather(start) - gather(trained), top-(density P) kept; wire bytes of the sparse
/// form (or 4P when density is 1).
FlascPayload flasc_encode(const ModelInfo& model, const Params& start, const Params& trained, double density);

/// theta (.) M with M the top-(density P) of |theta| over the trainable entries: the masked
/// download (frozen entries unchanged); density 1 returns theta.
Params flasc_masked(const ModelInfo& model, const Params& theta, double density);

/// AdamW state over the trainable entries (Loshchilov & Hutter 2019, decoupled decay).
struct AdamState {
  std::vector<double> m, v;
  int64_t step = 0;
};
/// theta <- AdamW step with gradient g (both over the trainable vector's length).
void adamw_step(std::vector<float>& theta, const std::vector<double>& g, AdamState& s, const FlascParams& p);

class Flasc final : public FedAvg, private UpdateEncoder {
 public:
  Flasc(const AlgorithmSpec& spec, const AlgorithmContext& context);
  std::string name() const override { return "flasc"; }
  /// FedAvg's local work from the round's top-k masked adapters (density_down); the upload
  /// is the payload (top-k of the change, density_up).
  ClientPlan plan(int client, int round, const std::shared_ptr<const Params>& global) override;
  const UpdateEncoder* encoder() const override { return this; }
  Params aggregate(const Params& global, const std::vector<ClientUpdate>& updates) override;

 private:
  std::shared_ptr<const UpdatePayload> encode_update(const TrainJob& job, const TrainResult& trained) const override;
  int64_t server_state_bytes() const override;
  ModelInfo model_;
  AdamState adam_;
  int masked_round_ = -1;
  std::shared_ptr<const Params> masked_;
};

}  // namespace flemu
