// Ferret — Shu, Hu, Ng, Low, Yu, "Ferret: Federated Full-Parameter Tuning at Scale for Large
// Language Models", arXiv 2409.06277 (ICML 2025), Algorithm 1, as the authors' code runs it
// (../shared/cards/compression.md §3.2):
//
//   setup:  K seeds shared by server and clients, fixed for the run; trainable tensors grouped
//           block-wise (target size floor(0.9 median numel); a tensor joins the open group
//           unless that would exceed the target)
//   client: full-parameter local SGD from w0; delta_g <- w0_g - w_g per group g;
//           M <- max(1e-8, max_g ||delta_g||);  n_g <- max(floor(K ||delta_g|| / M), 2);
//           S_g <- n_g distinct seed indices of {0..K-1} drawn by the client;
//           gamma[k,g] <- (d_g / n_g) <delta_g, v_{k,g}>  for k in S_g   (v from seed k, group g)
//           upload {(g, k, gamma[k,g])}
//   server: Gamma <- mu Gamma + sum_c p_c gamma_c   (p_c: sample weights)
//           w_g <- w_g - eta_s sum_k clip(Gamma[k,g] v_{k,g})
//
// The bases v are scaled by d_g^-1/2. With the default "rademacher" law (or "gaussian")
// E[v v^T] = I / d_g and the reconstruction is unbiased, as the paper's analysis assumes. The
// code's law ("truncated-normal": N(0,1) cut at +-d_g^-1/2, nearly uniform) has
// E[v v^T] ~ I / (3 d_g): its reconstruction is a third of the update in expectation, which
// the code offsets with a server lr of 10 (and clips each seed's vector at norm 10). Both are
// options (FerretParams). Seeds are fixed, so the global model moves in a subspace of at most
// K directions per group (card §3.2): fine for fine-tuning, a cap for training from scratch.
//
// Bytes (card §3.3): 8 + sum_g [2 + n_g (b_idx + 4)], b_idx = 1 if K <= 256 else 2. The seed
// indices are sent: the client picks them with its own generator. Device cost of encoding:
// 2 sum_g n_g d_g flops of projections (generating the directions is not counted).
// Reconstruction is one pure function (ferret_reconstruct) that the server and a client
// replaying the history (FerretParams::download) both call: same inputs, same bits.
#pragma once
#include "algorithms/fl/fedavg.hpp"
#include "algorithms/llm/seed_history.hpp"
#include "algorithms/llm/trainable.hpp"

namespace flemu {

/// One parameter group: ranges of the flat parameter vector, concatenated.
struct FerretGroup {
  std::vector<std::pair<int64_t, int64_t>> ranges;  ///< (offset, count)
  int64_t size = 0;                                 ///< d_g
};
/// The code's block-wise grouping of the trainable tensors (card §3.2, "GROUPING").
std::vector<FerretGroup> ferret_groups(const ModelInfo& model);

/// The K shared seeds of a run.
std::vector<uint64_t> ferret_seeds(uint64_t run_seed, int K);

struct FerretCoefficient {
  uint32_t group = 0, seed = 0;  ///< group index, seed index in [0, K)
  double value = 0;              ///< gamma[k, g]
};

struct FerretPayload final : UpdatePayload {
  std::vector<FerretCoefficient> coefficients;  ///< by group, then seed index
};

/// The client's projection of delta = start - trained (card's CLIENT), choosing S_g with
/// `client_seed`.
FerretPayload ferret_encode(const std::vector<FerretGroup>& groups, const std::vector<uint64_t>& seeds,
                            const FerretParams& p, const Params& start, const Params& trained, uint64_t client_seed);

/// sum_k clip(table[k, g] v_{k,g}) per group, written into a vector of `num_params` (zeros
/// outside the groups). table is K x G, row-major by seed. Summed in double in (k, g) order.
std::vector<float> ferret_reconstruct(const std::vector<double>& table, const std::vector<FerretGroup>& groups,
                                      const std::vector<uint64_t>& seeds, const FerretParams& p, int64_t num_params);

/// Bytes of a coefficient table sent to replaying clients: the sparse form (as an upload) or
/// dense K x G float32, whichever is smaller.
uint64_t ferret_table_bytes(const std::vector<double>& table, int K, int G);

class Ferret final : public FedAvg, private UpdateEncoder {
 public:
  Ferret(const AlgorithmSpec& spec, const AlgorithmContext& context);
  std::string name() const override { return "ferret"; }
  /// FedAvg's local work; down: the model or the coefficient history to replay
  /// (FerretParams::download); up: the payload (seed indices and scalars).
  ClientPlan plan(int client, int round, const std::shared_ptr<const Params>& global) override;
  const UpdateEncoder* encoder() const override { return this; }
  Params aggregate(const Params& global, const std::vector<ClientUpdate>& updates) override;
  const std::vector<FerretGroup>& groups() const { return groups_; }

 private:
  std::shared_ptr<const UpdatePayload> encode_update(const TrainJob& job, const TrainResult& trained) const override;
  int64_t server_state_bytes() const override { return 8 * static_cast<int64_t>(gamma_.size()); }
  ModelInfo model_;
  std::vector<FerretGroup> groups_;
  std::vector<uint64_t> seeds_;
  std::vector<double> gamma_;  // K x G momentum table
  SeedHistory history_;
  int version_ = 0;
};

}  // namespace flemu
