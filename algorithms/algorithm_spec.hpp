// Typed description of the FL method, as read from a scenario's "algorithm" section.
// Defaults here equal the schema's (scenarios/scenario.schema.json); a test checks it.
#pragma once
#include <map>
#include <string>

#include "algorithms/decentralized/decentralized_spec.hpp"
#include "algorithms/fl/participation_policy.hpp"
#include "algorithms/llm/llm_params.hpp"
#include "algorithms/fl/staleness.hpp"

namespace flemu {

struct AlgorithmSpec {
  std::string name = "fedavg";  ///< one of the schema's catalog (/properties/algorithm/x-algorithms)
  std::string family = "sync";  ///< the schedule that runs it, from the catalog: sync | async | anarchic
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

  // Language-model fine-tuning (lora, flasc, ferret, fedkseed, sfprompt, sfl)
  LoraSpec lora;                ///< lora, flasc: adapters
  FlascParams flasc;
  FerretParams ferret;
  FedKSeedParams fedkseed;
  SplitParams split;            ///< sfprompt, sfl

  // Decentralized schedules (families decentralized and gossip-async)
  DecentralizedSpec decentralized;

  bool is_async() const { return family == "async"; }
  bool is_anarchic() const { return family == "anarchic"; }
  bool is_split() const { return family == "split"; }
  /// No server: nodes gossip with their neighbours (platform.topology).
  bool is_decentralized() const { return family == "decentralized" || family == "gossip-async"; }
  /// The policy of a device of class `class_name`.
  const ParticipationPolicy& policy_for(const std::string& class_name) const;
};

}  // namespace flemu
