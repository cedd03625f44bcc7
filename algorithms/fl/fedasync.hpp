// FedAsync — Xie, Koyejo, Gupta, "Asynchronous Federated Optimization", 2019, Algorithm 1.
//
//   Server (updater thread), on receiving (x_new, τ) from any worker at epoch t:
//       α_t <- α · s(t - τ)                      (s: staleness function, staleness.hpp)
//       x_t <- (1 - α_t) x_{t-1} + α_t x_new
//   Worker: receive (x_t, t); τ <- t; H local SGD steps (step γ) on
//       g_{x_τ}(x; z) = f(x; z) + ρ/2 ||x - x_τ||²     (ρ = 0: plain SGD)
//       push (x_{τ,H}, τ)
//
// Staleness here is the number of server updates applied since the model the client started
// from (0 = the client's model is the current one). Algorithm 1 indexes the new model t, so a
// fresh update has t - τ = 1 there; the shift only matters for hinge/polynomial constants.
// The worker's ρ maps to LocalTrainingSpec::prox_mu.
#pragma once
#include "algorithms/fl/staleness.hpp"
#include "workloads/models/trainer.hpp"

namespace flemu {

struct FedAsyncParams {
  double alpha = 0.6;       ///< mixing weight α in [0, 1] (unitless); the paper's experiments use 0.6
  StalenessSpec staleness;  ///< s(τ); default polynomial a = 0.5 (FedAsync+Poly)
  double rho = 0.0;         ///< worker's proximal weight ρ >= 0 (unitless; 0 = plain local SGD)
};

/// What the server keeps between arrivals.
struct FedAsyncState {
  Params global;    ///< current global model x
  int version = 0;  ///< number of updates applied so far (the model's version)
};

/// α_t = α · s(staleness).
double fedasync_alpha(double alpha, const StalenessSpec& spec, int staleness);

/// (1 - α_t) global + α_t client with α_t = alpha · s(staleness). Pure. Throws
/// std::invalid_argument on size mismatch, alpha outside [0, 1] or negative staleness.
Params fedasync_update(const Params& global, const Params& client, double alpha, const StalenessSpec& spec,
                       int staleness);

/// Server step of Algorithm 1: applies `client` (trained from version `client_version`) to
/// `state` with staleness state.version - client_version, and increments the version.
/// Returns the staleness used.
int fedasync_receive(FedAsyncState& state, const FedAsyncParams& params, const Params& client, int client_version);

}  // namespace flemu
