// Typed description of the FL method, as read from a scenario's "algorithm" section.
// Defaults here equal the schema's (scenarios/scenario.schema.json); a test checks it.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "algorithms/decentralized/decentralized_spec.hpp"
#include "algorithms/fl/participation_policy.hpp"
#include "algorithms/fl/staleness.hpp"

namespace flemu {

struct AlgorithmSpec {
  std::string name = "fedavg";  ///< one of the schema's catalog (/properties/algorithm/x-algorithms)
  std::string family = "sync";  ///< the schedule that runs it, from the catalog: sync | async | anarchic | cluster | pipeline
  int clients_per_round = 10;   ///< K clients sampled per round (sync algorithms)
  int local_epochs = 1;         ///< passes over the client's data (used when local_steps == 0)
  int local_steps = 0;          ///< if > 0: fixed number of minibatch steps instead of epochs
  int batch_size = 32;
  double lr = 0.05;             ///< client (local) learning rate
  double server_lr = 1.0;       ///< server learning rate applied to the aggregated update

  // Sync schedules (fedavg, fedprox)
  double prox_mu = 0.01;        ///< fedprox: proximal weight mu
  double over_selection = 0;    ///< select ceil(K (1 + x)), keep the first K updates
  double deadline_s = 0;        ///< round deadline, s; 0 = none

  // Async schedules (fedasync, fedbuff)
  int concurrency = 0;          ///< clients training at once; 0 = clients_per_round
  double alpha = 0.6;           ///< fedasync mixing weight
  StalenessSpec staleness;      ///< fedasync / fedbuff staleness weighting
  int buffer_size = 10;         ///< fedbuff K

  // Anarchic schedules (afa-cd, afa-cs, fedavg-anarchic)
  int updates_per_step = 10;    ///< m: updates per server step
  std::map<std::string, ParticipationPolicy> policies;  ///< per class name, "*" = fallback

  // Decentralized schedules (families decentralized and gossip-async)
  DecentralizedSpec decentralized;

  bool is_async() const { return family == "async"; }
  bool is_anarchic() const { return family == "anarchic"; }
  /// No server: nodes gossip with their neighbours (platform.topology).
  bool is_decentralized() const { return family == "decentralized" || family == "gossip-async"; }

  // Cluster schedules (ddp, local-sgd, slowmo, co2, co2-code): algorithms/cluster/
  int inner_steps = 12;           ///< tau: local steps per outer round (ddp: steps per round)
  std::string allreduce = "ring"; ///< ring | tree | star | hierarchical
  int buckets = 1;                ///< ddp: gradient all-reduce in this many buckets, overlapping backward
  double outer_lr = 1.0;          ///< slowmo/co2: outer learning rate alpha
  double outer_momentum = 0.5;    ///< slowmo/co2: outer momentum beta
  std::string gap_penalty = "adaptive";  ///< co2: staleness-gap penalty, adaptive | constant
  double gap_lambda = 1.0;        ///< co2: penalty strength (adaptive) or value (constant)
  double outer_clip = 1.0;        ///< co2: clamp of the outer momentum phi; 0 = none
  int outer_staleness = 1;        ///< co2: 1 = one-step-stale average (paper), 0 = fresh

  // Pipeline schedules (auglocal, bp-pipeline): algorithms/pipeline/
  std::vector<int> layer_split;   ///< layers per device, in chain order; empty = balanced by flops
  int aux_depth = 2;              ///< auglocal: auxiliary depth d of the first layer
  double pyramid = 0.5;           ///< auglocal: pyramid coefficient c (depth falls linearly)
  int micro_batches = 1;          ///< bp-pipeline: micro-batches per minibatch (GPipe); 1 = none
  double momentum = 0.9;          ///< pipelines: SGD momentum (Nesterov)
  double weight_decay = 1e-4;     ///< pipelines: L2 weight decay

  bool is_cluster() const { return family == "cluster"; }
  bool is_pipeline() const { return family == "pipeline"; }
  /// The policy of a device of class `class_name`.
  const ParticipationPolicy& policy_for(const std::string& class_name) const;
};

}  // namespace flemu
