// Anarchic Federated Averaging — Yang, Zhang, Khanduri, Liu, "Anarchic Federated Learning",
// ICML 2022: AFA-CD (cross-device, Algorithm 1) and AFA-CS (cross-silo, Algorithm 2).
//
// In Anarchic FL each worker i decides itself when to participate and how many local steps
// K_{t,i} to run (participation policies live elsewhere). Two-sided learning rates: local
// η_L, server η.
//
//   Worker i (both): x^0 <- x_t (the global model it pulled, version t);
//       for k < K_i:  x^{k+1} = x^k - η_L g^k
//       return G_i = (1/K_i) Σ_k g^k  =  (x^0 - x^{K_i}) / (η_L K_i)     [afa_normalized_update]
//   AFA-CD server, each iteration t, with the set M_t of the m updates that arrived
//   (possibly computed on stale models x_{t - τ_i}):
//       G_t = (1/m) Σ_{i ∈ M_t} G_i ;   x_{t+1} = x_t - η η_L G_t              [afa_cd_step]
//   AFA-CS server, N silos: keeps each silo's latest G_i (reused while the silo is silent):
//       G_i <- new G_i for i ∈ M_t ;    G_t = (1/N) Σ_{i=1..N} G_i ;
//       x_{t+1} = x_t - η η_L G_t                                                 [afa_cs_step]
//
// Normalising by K_i removes the bias towards workers that run many local steps; since
// η_L G_i = (x^0 - x^{K_i}) / K_i, the step is η times the mean per-local-step model change.
// A silo that has never reported counts as G_i = 0 in AFA-CS (the sum is still divided by N).
// These formulas are as we read the paper; the ICML text writes the server step with the
// product η η_L, which we follow.
#pragma once
#include <vector>

#include "workloads/models/trainer.hpp"

namespace flemu {

struct AfaParams {
  double server_lr = 1.0;    ///< η: server learning rate (unitless, > 0)
  int updates_per_step = 10; ///< m: arrivals aggregated per server iteration (>= 1)
  int num_clients = 0;       ///< N: number of silos remembered by AFA-CS (>= 1 for AFA-CS; unused by AFA-CD)
};

/// G_i = (start - end) / (local_lr * local_steps): the worker's mean stochastic gradient.
/// Throws std::invalid_argument on size mismatch, local_lr <= 0 or local_steps < 1.
Params afa_normalized_update(const Params& start, const Params& end, double local_lr, int local_steps);

/// AFA-CD: global - server_lr * local_lr * (1/m) Σ_i G_i over the m = updates.size() updates
/// that arrived (summed in input order). Throws std::invalid_argument on empty input or size
/// mismatch.
Params afa_cd_step(const Params& global, const std::vector<const Params*>& updates, double server_lr,
                   double local_lr);

/// AFA-CS's server memory: the latest G_i of every silo (empty vector = never reported).
struct AfaCsMemory {
  explicit AfaCsMemory(int num_clients);
  std::vector<Params> latest;
};

/// Stores `update` as silo `client`'s latest G_i, replacing the previous one. Throws
/// std::invalid_argument for a client outside [0, N) or a size unlike the stored ones.
void afa_cs_remember(AfaCsMemory& memory, int client, Params update);

/// AFA-CS: global - server_lr * local_lr * (1/N) Σ_{i<N} G_i with the remembered G_i (silos
/// that never reported contribute 0), summed in silo order. Throws std::invalid_argument if
/// no silo has reported yet or sizes differ.
Params afa_cs_step(const Params& global, const AfaCsMemory& memory, double server_lr, double local_lr);

}  // namespace flemu
