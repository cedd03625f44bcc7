// Typed settings of the decentralized algorithms (algorithm keys with "x-for" decentralized or
// gossip-async in scenarios/scenario.schema.json, whose defaults these equal).
#pragma once
#include <string>

#include "algorithms/compression/codec.hpp"

namespace flemu {

/// DADAO (algorithms/decentralized/dadao.hpp): how its Poisson processes meet the platform.
struct DadaoSpec {
  /// Simulated seconds per unit of DADAO time: every node takes 1 / time_unit gradient events
  /// per second, the graph lambda_mix / time_unit edge events.
  double time_unit_s = 1.0;
  /// Multiplies the edge-event rate lambda_mix (the card's what-if: below 1 it can diverge).
  double comm_rate_factor = 1.0;
  /// Recompute beta~ for the rate actually used (comm_rate_factor != 1): the card's remedy.
  bool rescale_beta = false;
  /// "instant": events take no time (the paper's model); "resource": a gradient event lasts its
  /// computation on the device, an edge event its two transfers on the platform.
  std::string events = "instant";
  /// Resource mode: the jumps use the values at the end of the transfers ("at-completion", the
  /// card's rule) or those sent at its start ("at-send", a labelled deviation).
  std::string payload = "at-completion";
  /// Probability that an edge event is lost (the card's trap: 25% slows, 50% diverges on a ring).
  double edge_loss = 0.0;
};

/// CHOCO-SGD (algorithms/decentralized/choco_sgd.hpp).
struct ChocoSpec {
  double consensus_step = 0.1;   ///< gamma of the consensus step (tuned per compressor in the paper)
  bool code_order = false;       ///< the authors' order (consensus before compression) instead of the paper's
  compression::CodecSpec codec;  ///< Q: none, fp16, topk or qsgd, without the codec's own error feedback
};

struct DecentralizedSpec {
  std::string mixing = "metropolis-hastings";  ///< mixing rule (algorithms/decentralized/mixing.hpp)
  std::string mixing_file;                     ///< mixing "file": CSV i,j,w (resolved path)
  int gossip_steps = 1;      ///< Q exchange phases per round (dfedsam-mgs; 1 for the others)
  double local_momentum = 0; ///< dfedavgm: heavy-ball theta of the local steps (buffer reset each round)
  int node_evaluation = -1;  ///< nodes whose own model is tested at each evaluation: -1 all, 0 none
  double round_time_s = 1;   ///< asynchronous schedules: one metrics round lasts this long, s
  double gossip_rate = 1;    ///< poisson-gossip: pairwise averagings each node starts per second
  DadaoSpec dadao;
  ChocoSpec choco;
};

}  // namespace flemu
