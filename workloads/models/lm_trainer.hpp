// Language-model jobs on the small transformer (transformer.hpp) over token windows
// (text_dataset.hpp): the Trainer of text workloads, and the pretraining that makes the base
// model. The LibTorch code is workloads/models/torch_lm_trainer.cpp; this header is torch-free.
//
// Parameters are the flat layout of transformer_layout(spec, fine_tune): the base network,
// then the method's additions (LoRA adapters, soft prompt). A job trains only the parameters
// flagged trainable; the others come back bit for bit as they went in.
//
// Evaluation: EvalResult::loss is the mean next-token cross-entropy in nats over every target
// token of the windows (perplexity = exp(loss)), accuracy the share of targets predicted
// exactly (top-1).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "workloads/data/text_dataset.hpp"
#include "workloads/models/trainer.hpp"
#include "workloads/models/transformer.hpp"

namespace flemu {

/// What a client does with its windows in one job.
enum class LocalProcedure {
  Sgd,           ///< minibatch SGD on the trainable parameters (the loss of the whole network)
  Split,         ///< the same SGD, each step through split learning's four boundaries (SFL)
  ZerothOrder,   ///< FedKSeed: two-point zeroth-order steps along seeded directions, no backward
  SplitPrompt,   ///< SFPrompt: local-loss phase, EL2N pruning, then split training (card §5)
};

struct ZerothOrderSpec {
  std::vector<uint64_t> seeds;  ///< the K candidate seeds shared by server and clients
  double epsilon = 1e-3;        ///< perturbation scale of the two-point estimate
};

struct SplitPromptSpec {
  /// Phase A: passes of head -> tail training that skip the body, each as long as the round's
  /// local training (its epochs, or its local steps).
  int local_loss_passes = 1;
  double keep_fraction = 0.5; ///< phase B: share of windows kept (highest EL2N: the hardest)
};

struct LmJobSpec {
  TransformerSpec model;
  FineTuneSpec fine_tune;
  LocalProcedure procedure = LocalProcedure::Sgd;
  ZerothOrderSpec zeroth_order;
  SplitPromptSpec split_prompt;
};

/// The ModelInfo of `spec`: layout, bytes of the whole flat vector, flops per window for the
/// procedure (SGD: forward + backward of the trainable set; zeroth order: two forwards).
ModelInfo describe_lm(const LmJobSpec& spec);

/// Windows phase C of SFPrompt keeps out of n (at least one).
int64_t split_prompt_kept(double keep_fraction, int64_t n);

/// Real training on `data`. `base`: the pretrained base network (transformer_layout(model)
/// without additions); nullptr starts from a seeded random network (initial_params(seed)).
/// Sets LibTorch to one intra-op thread, process-wide, like make_torch_trainer.
std::unique_ptr<Trainer> make_lm_trainer(const LmJobSpec& spec, std::shared_ptr<const TextData> data,
                                         std::shared_ptr<const Params> base);

/// GPT-2-style initial base parameters from `seed` alone (our generator, not LibTorch's):
/// weights N(0, 0.02) (the MLP's and attention's output projections 0.02/sqrt(2L)),
/// biases 0, LayerNorm gains 1.
Params transformer_initial_base(const TransformerSpec& spec, uint64_t seed);

/// `base` extended with `ft`'s additions, initialised from `seed`: LoRA A ~ U(+-1/sqrt(in)),
/// B = 0 (so the adapted network starts equal to the base); prompt rows copied from the
/// token embeddings of seeded random vocabulary entries (Lester et al. 2021's init).
Params with_fine_tune_params(const TransformerSpec& spec, const FineTuneSpec& ft, const Params& base, uint64_t seed);

/// The base network with every LoRA adapter merged into its weight, W + (alpha / r) B A
/// (computed in double): what a device would deploy. The adapted network and the merged one
/// compute the same function (up to float rounding).
Params merge_lora(const TransformerSpec& spec, const FineTuneSpec& ft, const Params& params);

struct PretrainSpec {
  int steps = 1000;
  int batch_size = 32;
  double lr = 3e-3;  ///< Adam, linear warm-up over the first 5% of steps, cosine decay to 10%
  uint64_t seed = 1;
};

struct PretrainResult {
  Params params;
  double final_train_loss = 0;  ///< mean of the last 5% of steps
  double heldout_loss = 0;      ///< on data.test_windows (NaN when there are none)
  int64_t tokens = 0;           ///< trained
};

/// Trains the base network on all training windows of `data` (deterministic: one intra-op
/// thread, our own generators). `progress(step, loss)` is called every 50 steps if set.
PretrainResult pretrain_transformer(const TransformerSpec& spec, const TextData& data, const PretrainSpec& p,
                                    const std::function<void(int, double)>& progress = {});

}  // namespace flemu
