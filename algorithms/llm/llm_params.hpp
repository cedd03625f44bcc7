// Hyper-parameters of the language-model fine-tuning methods, as AlgorithmSpec holds them
// (apart from their algorithm files because algorithm_spec.hpp needs them and each algorithm
// header needs algorithm_spec.hpp). Defaults equal the schema's; units and sources per field.
#pragma once
#include <string>

#include "workloads/models/transformer.hpp"
#include "workloads/random_directions.hpp"

namespace flemu {

/// How a seed-based method's clients get the current model.
enum class SeedDownload {
  Model,   ///< the trainable parameters, dense (Ferret's code broadcasts the model)
  History  ///< the server's seed coefficients of every round the client missed, replayed on the
           ///< device (FedKSeed's design); capped at the dense model's size
};

/// FLASC (flasc.hpp): Kuo, Raje, Rajesh, Smith, arXiv 2406.05233; defaults from the card
/// (../shared/cards/compression.md §4.4).
struct FlascParams {
  double density_up = 0.25;     ///< rho_ul: share of LoRA entries uploaded (top-k of |delta|), (0, 1]
  double density_down = 0.25;   ///< rho_dl: share of LoRA entries downloaded (top-k of |theta|), (0, 1]
  std::string server_optimizer = "adamw";  ///< "adamw" (the card) or "sgd" (theta += server_lr * mean delta)
  double adam_lr = 1e-3;        ///< AdamW learning rate (FLASC's code: 1e-3)
  double adam_beta1 = 0.9;
  double adam_beta2 = 0.999;
  double adam_eps = 1e-8;
  double adam_weight_decay = 0.01;  ///< decoupled weight decay (torch.optim.AdamW's default)
};

/// Ferret (ferret.hpp): Shu et al., arXiv 2409.06277; card §3.
struct FerretParams {
  int seeds = 200;              ///< K shared random bases per parameter group (the NI script's 200)
  /// Law of the bases, scaled by d_g^-1/2. "rademacher" (default) and "gaussian" make the
  /// projection unbiased, as the paper's analysis assumes; "truncated-normal" is the code's
  /// (N(0,1) cut at +-d_g^-1/2), which reconstructs 1/3 of the update in expectation (the code
  /// compensates with a server lr of 10).
  DirectionLaw basis = DirectionLaw::Rademacher;
  double reconstruction_clip = 0;  ///< clip each seed's reconstructed vector to this norm; 0 = off (the code: 10)
  double server_momentum = 0;   ///< mu on the coefficient table (the code's default 0.9, NI script 0)
  SeedDownload download = SeedDownload::Model;
};

/// FedKSeed (fedkseed.hpp): Qin et al., ICML 2024, "Federated Full-Parameter Tuning of
/// Billion-Sized Language Models with Communication Cost under 18 Kilobytes".
struct FedKSeedParams {
  int candidate_seeds = 4096;   ///< K (the paper's default)
  double epsilon = 5e-4;        ///< perturbation scale of the two-point estimate
  SeedDownload download = SeedDownload::History;
};

/// Split learning (sfprompt.hpp, sfl.hpp).
struct SplitParams {
  SplitPoints points{1, 1};     ///< device head / server body / device tail
  int prompt_tokens = 5;        ///< sfprompt: soft prompt length P (the unofficial code's 5)
  int local_loss_passes = 1;    ///< sfprompt: phase A passes (head -> tail, body skipped), each as long as a round's local training
  double keep_fraction = 0.5;   ///< sfprompt: phase B keeps this share of windows, the hardest by EL2N
};

}  // namespace flemu
