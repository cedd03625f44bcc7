#include "algorithms/fl/client_steps.hpp"

#include <cmath>

#include "algorithms/fl/fedprox.hpp"
#include "algorithms/fl/fedsam.hpp"

namespace flemu {

double round_lr(const AlgorithmSpec& spec, int round) {
  return spec.lr * std::pow(spec.lr_decay, std::max(round, 1) - 1);
}

LocalTrainingSpec conventional_local_training(const AlgorithmSpec& spec, int round) {
  LocalTrainingSpec l;
  l.epochs = spec.local_epochs;
  l.steps = spec.local_steps;
  l.batch_size = spec.batch_size;
  l.lr = round_lr(spec, round);
  l.rule.weight_decay = spec.weight_decay;
  l.rule.clip_norm = spec.clip_norm;
  l.rule.clip_scope = spec.clip_scope;
  return l;
}

LocalTrainingSpec stateless_local_training(const AlgorithmSpec& spec) {
  LocalTrainingSpec l = conventional_local_training(spec, 1);
  switch (spec.local_step) {
    case AlgorithmSpec::ClientStep::Sgd: break;
    case AlgorithmSpec::ClientStep::Prox: l.rule = fedprox_step(l.rule, spec.prox_mu); break;
    case AlgorithmSpec::ClientStep::Sam: l.rule = fedsam_step(l.rule, spec.rho); break;
  }
  return l;
}

}  // namespace flemu
