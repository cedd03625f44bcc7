#include "algorithms/llm/lm_methods.hpp"

#include "algorithms/llm/fedkseed.hpp"

namespace flemu {

LmJobSpec lm_job_spec(const TransformerSpec& model, const AlgorithmSpec& a, uint64_t run_seed) {
  LmJobSpec j;
  j.model = model;
  if (a.name == "lora" || a.name == "flasc") {
    j.fine_tune.trainable = Trainable::Lora;
    j.fine_tune.lora = a.lora;
  } else if (a.name == "fedkseed") {
    j.procedure = LocalProcedure::ZerothOrder;
    j.zeroth_order.seeds = fedkseed_seeds(run_seed, a.fedkseed.candidate_seeds);
    j.zeroth_order.epsilon = a.fedkseed.epsilon;
  } else if (a.name == "sfprompt") {
    j.fine_tune.trainable = Trainable::PromptTail;
    j.fine_tune.prompt_tokens = a.split.prompt_tokens;
    j.fine_tune.split = a.split.points;
    j.procedure = LocalProcedure::SplitPrompt;
    j.split_prompt.local_loss_passes = a.split.local_loss_passes;
    j.split_prompt.keep_fraction = a.split.keep_fraction;
  } else if (a.name == "sfl") {
    j.fine_tune.split = a.split.points;
    j.procedure = LocalProcedure::Split;
  }
  return j;
}

}  // namespace flemu
