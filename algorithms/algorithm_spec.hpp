// Typed description of the FL method, as read from a scenario's "algorithm" section.
// Defaults here equal the schema's (scenarios/scenario.schema.json); a test checks it.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "algorithms/compression/compression_spec.hpp"
#include "algorithms/analytics/heavy_hitter_params.hpp"
#include "algorithms/decentralized/decentralized_spec.hpp"
#include "algorithms/fl/participation_policy.hpp"
#include "algorithms/llm/llm_params.hpp"
#include "algorithms/fl/staleness.hpp"
#include "algorithms/zeroth_order/fedzo.hpp"
#include "algorithms/zeroth_order/fzoos.hpp"
#include "workloads/models/local_step.hpp"

namespace flemu {

struct AlgorithmSpec {
  std::string name = "fedavg";  ///< one of the schema's catalog (/properties/algorithm/x-algorithms)
  std::string family = "sync";  ///< the schedule that runs it, from the catalog: sync | async | anarchic | analytics | zeroth-order | cluster | pipeline
  int clients_per_round = 10;   ///< K clients sampled per round (sync algorithms)
  int local_epochs = 1;         ///< passes over the client's data (used when local_steps == 0)
  int local_steps = 0;          ///< if > 0: fixed number of minibatch steps instead of epochs
  int batch_size = 32;
  double lr = 0.05;             ///< client (local) learning rate
  double server_lr = 1.0;       ///< server learning rate applied to the aggregated update

  // Local-step conventions, every family (FL-Simulator's: wd 1e-3, clip 10 before wd)
  double weight_decay = 0;      ///< wd added to every local step (unitless), never clipped unless clip_scope "step" (pipelines: of every stage's SGD)
  double clip_norm = 0;         ///< global L2 bound on the local direction; 0 = none
  LocalStep::ClipScope clip_scope = LocalStep::ClipScope::Corrected;  ///< what the clip bounds (local_step.hpp)
  enum class ClientStep { Sgd, Prox, Sam };
  ClientStep local_step = ClientStep::Sgd;  ///< async/anarchic clients' step (sync: the algorithm's own)

  // Sync schedules
  enum class Participation { Uniform, Bernoulli };
  Participation participation = Participation::Uniform;  ///< uniform: clients_per_round drawn; bernoulli: each w.p. active_ratio
  double active_ratio = 0.1;    ///< bernoulli participation probability per client and round
  double lr_decay = 1.0;        ///< local lr of round t = lr * lr_decay^(t-1)
  double prox_mu = 0.01;        ///< fedprox (and local_step "prox"): proximal weight mu
  double over_selection = 0;    ///< select ceil(K (1 + x)), keep the first K updates
  double deadline_s = 0;        ///< round deadline, s; 0 = none

  // Local rules of the FL-Simulator family (algorithms/fl/*.hpp say which reads what)
  double rho = 0.1;             ///< SAM ascent radius (fedsam, mofedsam, fedgamma, fedspeed, fedsmoo, local_step "sam")
  double lambda = 0.1;          ///< feddyn/fedspeed/fedsmoo: dynamic-regulariser weight (the code's lamb = 1/paper λ)
  double gradient_weight = 0.1; ///< fedcm/mofedsam: α, weight of the local gradient (1-α: global momentum)
  double merge_alpha = 1.0;     ///< fedspeed: α of the paper's merged gradient (1 = the code: g at the perturbed point)
  LocalStep::Ascent ascent = LocalStep::Ascent::Normalized;  ///< fedspeed: normalized (code) | unnormalized (paper)
  enum class DualAverage { All, Active };
  DualAverage dual_average = DualAverage::All;  ///< fedspeed: all (code: Σh over all N) | active (paper: mean of x̂ over P_t)
  double server_momentum = 0.9; ///< fedavgm β; fedadam/fedyogi β1
  double server_beta2 = 0.99;   ///< fedadam/fedyogi β2
  double server_epsilon = 1e-3; ///< fedadam/fedyogi τ (adaptivity)

  // pFedGate (algorithms/fl/pfedgate.hpp)
  std::map<std::string, double> budgets;  ///< sparsity budget s per device class name, "*" = the rest (default 1)
  double gate_lr = 0.1;         ///< the gates' learning rate
  double local_momentum = 0.9;  ///< momentum of the clients' local optimizers (model and gate), kept per client
  int block_split = 5;          ///< sub-blocks per parameter tensor
  bool relu_logits = false;     ///< the authors' ReLU on the output logits of the gated model
  bool online_aggregation = false;  ///< the code's server: unsampled clients count with the old model
  bool sparse_wire = false;     ///< charge the kept share + a bit mask each way instead of the dense model

  // Async schedules (fedasync, fedbuff)
  int concurrency = 0;          ///< clients training at once; 0 = clients_per_round
  double alpha = 0.6;           ///< fedasync mixing weight
  StalenessSpec staleness;      ///< fedasync / fedbuff staleness weighting
  int buffer_size = 10;         ///< fedbuff K

  // Anarchic schedules (afa-cd, afa-cs, fedavg-anarchic)
  int updates_per_step = 10;    ///< m: updates per server step
  std::map<std::string, ParticipationPolicy> policies;  ///< per class name, "*" = fallback

  // Compressed transfers (sync, async and anarchic families): algorithm.compression
  CompressionSpec compression;

  // Language-model fine-tuning (lora, flasc, ferret, fedkseed, sfprompt, sfl)
  LoraSpec lora;                ///< lora, flasc: adapters
  FlascParams flasc;
  FerretParams ferret;
  FedKSeedParams fedkseed;
  SplitParams split;            ///< sfprompt, sfl

  // Analytics (pem, pem-local, tap, taps): the method's parameters and its emulation
  analytics::HhParams heavy_hitters;  ///< method, oracle, epsilon, k, prefix steps, TAP's rules
  std::string party_class = "party";  ///< device class of the parties' servers
  double report_window_s = 3600;      ///< a level's reports are collected this long after it opens
  double flops_per_check = 20;        ///< server compute per support check, flop

  // Zeroth-order (fedzo, fzoos); both read lr (Adam) and server_lr (eta)
  zo::FedZoParams fedzo;
  zo::FzoosParams fzoos;
  bool accept_if_improved = false;    ///< server_accept "if-improved"
  // Decentralized schedules (families decentralized and gossip-async)
  DecentralizedSpec decentralized;

  bool is_async() const { return family == "async"; }
  bool is_anarchic() const { return family == "anarchic"; }
  bool is_split() const { return family == "split"; }
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

  // Inference schedules (tpi-llm, llm-pipeline): algorithms/inference/
  int prompt_length = 16;         ///< positions of the prompt (round 1, the prefill)
  bool memory_scheduler = true;   ///< stream weights from disk through a sliding window
  int memory_window = 2;          ///< w: blocks resident at once (>= 2)
  std::string tensor_split = "proportional";  ///< tpi-llm: proportional (paper) | equal (code)
  std::string tensor_allreduce = "star";      ///< tpi-llm: star (paper, code) | ring

  bool is_cluster() const { return family == "cluster"; }
  bool is_inference() const { return family == "inference"; }
  bool is_pipeline() const { return family == "pipeline"; }
  /// The policy of a device of class `class_name`.
  const ParticipationPolicy& policy_for(const std::string& class_name) const;
};

}  // namespace flemu
