#include "algorithms/decentralized/gossip_algorithm.hpp"

#include <stdexcept>

#include "algorithms/decentralized/choco_sgd.hpp"
#include "algorithms/decentralized/dfedavg.hpp"
#include "algorithms/decentralized/dfedsam.hpp"
#include "algorithms/fl/client_steps.hpp"
#include "algorithms/decentralized/dpsgd.hpp"
#include "algorithms/decentralized/gossip.hpp"

namespace flemu {

LocalTrainingSpec GossipAlgorithm::local_training(int, int round) const {
  // FL-Simulator's conventions (lr decay per round, weight decay, clipping) as every FL method.
  return conventional_local_training(spec_, round);
}

Params GossipAlgorithm::finish_round(const Params& start, const Params& trained, const Params& mixed) const {
  return order() == GossipOrder::MixWhileTraining ? add_update(mixed, trained, start) : mixed;
}

GossipAlgorithm::Outgoing GossipAlgorithm::outgoing(int, int, int, const std::shared_ptr<const Params>& z,
                                                    uint64_t model_bytes) {
  return {z, model_bytes, z, 0.0};
}

Params GossipAlgorithm::mix(int node, int, const Params& own, double self_weight, const std::vector<int>& peers,
                            const std::vector<const Params*>& messages, const std::vector<double>& weights) {
  return mix_in_index_order(node, self_weight, own, peers, messages, weights);
}

std::unique_ptr<GossipAlgorithm> make_gossip_algorithm(const AlgorithmSpec& spec, const ModelInfo& model, int nodes,
                                                      uint64_t seed) {
  if (spec.name == "dpsgd") return std::make_unique<DPsgd>(spec);
  if (spec.name == "dfedavg") return std::make_unique<DFedAvg>(spec);
  if (spec.name == "dfedavgm") return std::make_unique<DFedAvgM>(spec);
  if (spec.name == "dfedsam") return std::make_unique<DFedSam>(spec);
  if (spec.name == "dfedsam-mgs") return std::make_unique<DFedSamMgs>(spec);
  if (spec.name == "choco-sgd") return std::make_unique<ChocoSgd>(spec, model, nodes, seed);
  throw std::invalid_argument("unknown decentralized algorithm \"" + spec.name + "\"");
}

}  // namespace flemu
