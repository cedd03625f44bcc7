// The local work every method starts from, and the stateless client steps that any schedule
// can run.
//
// FL-Simulator's conventions (card local-rules.md §1) are options of every local step here:
// weight decay added outside the clip, global-norm clipping of the gradient plus correction
// terms (or another scope), and a local learning rate decayed once per round, whether or not
// the client took part: η_t = lr · lr_decay^(t−1) for round t = 1, 2, ...
//
// Async and anarchic schedules have no per-round client state to keep, so their clients run
// one of the stateless steps (key "local_step"): plain SGD, FedProx's proximal step, or
// FedSAM's SAM step (e.g. FedBuff clients running SAM steps).
#pragma once
#include "algorithms/algorithm_spec.hpp"
#include "workloads/models/trainer.hpp"

namespace flemu {

/// η_t = lr · lr_decay^(round−1) (round >= 1; rounds below 1 count as 1).
double round_lr(const AlgorithmSpec& spec, int round);

/// Round `round`'s local work under the spec's conventions: epochs or steps, batch size,
/// η_t, weight decay, clipping; a plain SGD step (grad_weight 1, no ascent, no correction).
LocalTrainingSpec conventional_local_training(const AlgorithmSpec& spec, int round);

/// The client step an async or anarchic schedule's client runs (spec.local_step), at the
/// round-1 learning rate (no decay: there are no rounds). Stateless: no inputs vectors.
LocalTrainingSpec stateless_local_training(const AlgorithmSpec& spec);

}  // namespace flemu
