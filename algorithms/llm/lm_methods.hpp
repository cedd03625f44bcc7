// What each algorithm asks of the language-model trainer: which parameters train and how a
// client trains them (workloads/models/lm_trainer.hpp). One table, so that the trainer knows
// nothing of algorithms and the algorithms nothing of LibTorch.
#pragma once
#include <cstdint>

#include "algorithms/algorithm_spec.hpp"
#include "workloads/models/lm_trainer.hpp"

namespace flemu {

/// lora, flasc: the adapters (SGD); fedkseed: every parameter, zeroth order; sfprompt: the
/// soft prompt and the tail, SFPrompt's three phases; sfl: every parameter through the split
/// step; any other algorithm (fedavg, fedprox, ferret, the async and anarchic ones): every
/// parameter, SGD.
LmJobSpec lm_job_spec(const TransformerSpec& model, const AlgorithmSpec& algorithm, uint64_t run_seed);

}  // namespace flemu
