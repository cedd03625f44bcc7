// A personal block gate over the base model (pFedGate; Chen et al., ICML 2023): the model
// feature a client's job runs when its LocalTrainingSpec carries a GateSpec. Torch-free: the
// block layout, the selection rule and the flop count are plain functions (tested by hand);
// the LibTorch forward lives in torch_trainer.cpp.
//
// Blocks. Every parameter tensor of the base model is cut into min(split, numel) contiguous
// sub-blocks (split 5 by default), B blocks in all. Two groups, each with its own budget:
// the weights of Linear layers, and every other tensor (conv weights, all biases).
//
// Gate (per client, never sent): x (flattened input) → Linear(in, B) → BatchNorm1d(B) →
// sigmoid → mean over the minibatch: one score a_b ∈ [0,1] per block per minibatch. (The
// authors put a SwitchNorm2d over the raw image first; flemu's inputs are already normalised
// and it is left out.)
//
// Selection, per group: â_b = max(a_b, s_min) with s_min = min(max(1/split, 0.1), s); the
// first sub-block of every tensor is always kept; the others are taken greedily by the integer
// value round(10 â_b), highest first, ties by block index (deterministic, unlike the code's
// torch.sort), each if it still fits in the capacity round((s − s_min) · size of the group's
// other blocks); with s = 1 nothing is pruned (the card: "every block is just scaled").
// Kept blocks are scaled by a_b with the straight-through factor
// (1 − â_b.detach() + â_b), dropped ones by 0: θ̃_b = θ_b · a_b · m_b.
//
// Cost: the device computes only the kept weights (a block-sparse layer skips dropped blocks)
// plus the gate: gated_train_flops counts them per sample from the real masks of each batch.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "workloads/models/local_step.hpp"
#include "workloads/models/model_info.hpp"

namespace flemu {

struct GateSpec {
  double sparsity = 1.0;   ///< s: share of the model the client can afford, in (0, 1]
  int split = 5;           ///< sub-blocks per parameter tensor
  bool relu_on_logits = false;  ///< the authors' adapted forward applies ReLU to the output logits (card trap 1)
  LocalStep step;          ///< the gate's own optimizer step (lr below; momentum, wd, clip as in the rule)
  double lr = 0.1;         ///< the gate's learning rate
};

/// A gate travelling with a job: its spec and the client's state.
struct GateJob {
  GateSpec spec;
  std::shared_ptr<const Params> state;     ///< gate_state_size values (initial_gate_state at first)
  std::shared_ptr<const Params> momentum;  ///< the gate optimizer's momentum (trainable part); null = zero
};

/// The block structure of a model for a given split.
struct BlockLayout {
  int split = 5;                      ///< sub-blocks per tensor (at most)
  std::vector<int64_t> offset, size;  ///< per block, in the flat parameter vector
  std::vector<int> tensor;            ///< per block: index of its parameter tensor
  std::vector<int> group;             ///< per block: 0 = a Linear layer's weight, 1 = anything else
  std::vector<bool> first;            ///< per block: first sub-block of its tensor (always kept)
  int num_blocks() const { return static_cast<int>(size.size()); }
};

BlockLayout gate_blocks(const ModelInfo& model, int split);

/// Inputs the gate reads per sample (the flattened image).
int64_t gate_input_size(const ModelInfo& model);

/// Values of a client's gate state: Linear(in, B) weight and bias, BatchNorm1d weight and
/// bias (trained), then its running mean and variance (not trained).
int64_t gate_trainable_size(const ModelInfo& model, int split);
int64_t gate_state_size(const ModelInfo& model, int split);

/// A fresh gate: Linear initialised like LibTorch's (U(±1/√in)) from `seed`, BatchNorm weight 1,
/// bias 0, running mean 0, running variance 1.
Params initial_gate_state(const ModelInfo& model, int split, uint64_t seed);

/// s_min = min(max(1/split, 0.1), s).
double gate_min_score(int split, double sparsity);

/// The kept blocks (1) for scores `a` (one per block), by the rule above. Throws
/// std::invalid_argument if a's size is not the layout's.
std::vector<uint8_t> select_blocks(const std::vector<double>& a, const BlockLayout& layout, double sparsity);

/// Flops of training one sample with `mask` (forward + backward of the kept weights, the first
/// layer without input gradient, as model_info.hpp counts) plus the gate's forward and weight
/// gradient (4 · in · B).
double gated_train_flops_per_sample(const ModelInfo& model, const BlockLayout& layout,
                                    const std::vector<uint8_t>& mask);

/// The same for the smallest sub-model the rule can choose (first sub-blocks only): what a
/// device can be charged before the job's real masks are known.
double gated_min_train_flops_per_sample(const ModelInfo& model, const BlockLayout& layout);

/// The mask chosen when every block scores alike (ties broken by block index): the sub-model
/// analytic runs charge for a gated job.
std::vector<uint8_t> typical_mask(const BlockLayout& layout, double sparsity);

/// Share of the model's parameters kept when the groups are filled to capacity: the expected
/// sub-model size for budget s (what a sparse wire format would carry).
double gate_kept_share(const BlockLayout& layout, double sparsity);

}  // namespace flemu
