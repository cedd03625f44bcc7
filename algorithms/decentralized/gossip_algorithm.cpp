#include "algorithms/decentralized/gossip_algorithm.hpp"

#include <stdexcept>

#include "algorithms/decentralized/dfedavg.hpp"
#include "algorithms/decentralized/dpsgd.hpp"
#include "algorithms/decentralized/gossip.hpp"

namespace flemu {

LocalTrainingSpec GossipAlgorithm::local_training(int, int) const {
  LocalTrainingSpec local;
  local.epochs = spec_.local_epochs;
  local.steps = spec_.local_steps;
  local.batch_size = spec_.batch_size;
  local.lr = spec_.lr;
  return local;
}

Params GossipAlgorithm::finish_round(const Params& start, const Params& trained, const Params& mixed) const {
  return order() == GossipOrder::MixWhileTraining ? add_update(mixed, trained, start) : mixed;
}

std::unique_ptr<GossipAlgorithm> make_gossip_algorithm(const AlgorithmSpec& spec) {
  if (spec.name == "dpsgd") return std::make_unique<DPsgd>(spec);
  if (spec.name == "dfedavg") return std::make_unique<DFedAvg>(spec);
  throw std::invalid_argument("unknown decentralized algorithm \"" + spec.name + "\"");
}

}  // namespace flemu
