// Typed description of the learning task, as read from a scenario's "workload" section.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "workloads/data/item_workload.hpp"
#include "workloads/models/transformer.hpp"
#include "workloads/objectives/black_box.hpp"

namespace flemu {

enum class PartitionScheme {
  Iid,        ///< uniform random split
  Dirichlet,  ///< per-client label proportions ~ Dirichlet(alpha) (Hsu et al. 2019)
  Shards,     ///< sort by label, cut into shards, deal shards_per_client to each (McMahan et al. 2017)
  Categories  ///< text: one client per category (the corpus's natural non-IID split)
};

struct PartitionSpec {
  PartitionScheme scheme = PartitionScheme::Iid;
  double alpha = 0.5;         ///< Dirichlet concentration (smaller = more skew)
  int shards_per_client = 2;  ///< Shards scheme only
};

enum class ModelKind {
  Mlp,    ///< 784-200-200-10, ReLU (McMahan et al. 2017 "2NN")
  Cnn,    ///< conv5x5x32-pool-conv5x5x64-pool-fc512-fc10 (McMahan et al. 2017 "CNN")
  Cnn5,   ///< five 3x3 convolutions and a linear head, split layer by layer (workloads/models/cnn5.hpp)
  Custom, ///< known only by its size and cost (CustomModelSpec); analytic runs only
  Linear, ///< x in R^features, no bias: the synthetic-regression workload (regression_trainer.hpp)
  Transformer  ///< small decoder-only language model (workloads/models/transformer.hpp)
};

/// Text workloads (dataset "fortunes" or "synthetic-text").
struct TextSpec {
  std::string tokens = "byte";          ///< "byte" (vocabulary 257) | "char" (the corpus's code points)
  std::vector<std::string> categories;  ///< the clients' categories; empty: every category not pretrained on
  double held_out = 0.1;                ///< share of each client's texts held out for perplexity
};

/// Pretraining of the base model (workloads/text_workload.hpp).
struct PretrainInitSpec {
  std::vector<std::string> categories;  ///< what the base model is trained on
  int steps = 1000;
  int batch_size = 32;
  double lr = 3e-3;                     ///< Adam peak learning rate
  uint64_t seed = 1;
  double held_out = 0.05;               ///< share of the pretraining texts held out (reported)
};

/// Where a language model's parameters start.
struct InitSpec {
  enum Kind { Random, Pretrain, Checkpoint } kind = Random;
  PretrainInitSpec pretrain;            ///< Pretrain
  std::string checkpoint;               ///< Checkpoint: a file written by `flemu pretrain`
  std::string expected_hash;            ///< Checkpoint: its xxh64, checked when given
  std::string cache_dir = "out/checkpoints";  ///< Pretrain: where checkpoints are kept, by key
};

/// The users' items of heavy-hitter analytics (workloads/data/item_workload.hpp).
struct ItemsSpec {
  enum class Source { Zipf, Fortunes } source = Source::Zipf;
  ZipfItemsSpec zipf;                   ///< zipf (its bits are `bits`)
  std::vector<std::string> categories;  ///< fortunes: one per party; empty = the largest ones
  std::string corpus = "/usr/share/games/fortunes";
  bool proportional_parties = true;     ///< fortunes: users per party in proportion to its words
  int bits = 32;                        ///< m: bits per item
  double arrival_spread_s = 0;          ///< users arrive uniformly over [0, this], s
};

/// A model known only by its size and cost, for analytic runs at scales no CPU trains
/// (a 7B-parameter language model on 128 GPUs).
struct CustomModelSpec {
  std::string name = "custom";
  double params = 0;                    ///< number of parameters
  double bytes_per_param = 2;           ///< on the wire: 2 (bf16/fp16) or 4 (fp32)
  double train_flops_per_sample = 0;    ///< forward + backward, per sample (LLM: 6 x params x tokens)
  double forward_flops_per_sample = 0;  ///< forward only, per sample (LLM: 2 x params x tokens)
};

struct WorkloadSpec {
  std::string dataset = "fashion-mnist";
  std::string data_dir = "/usr/share/datasets/fashion-mnist";  ///< --data-dir overrides
  ModelKind model = ModelKind::Mlp;
  CustomModelSpec custom;  ///< model == Custom only
  /// A language model preset (workloads/models/llm_shape.hpp) for the inference schedules;
  /// the workload is then a Custom model of that size (model "llm" in a scenario).
  std::string llm;
  PartitionSpec partition;
  int samples_per_client = 600;  ///< training samples held by each client (text: texts; with "categories", at most)
  int features = 2;              ///< synthetic-regression: dimension d of the linear model
  TransformerSpec transformer;   ///< model "transformer" (vocab set from the tokens)
  TextSpec text;
  InitSpec init;
  std::optional<ItemsSpec> items;          ///< analytics algorithms: instead of dataset and model
  std::optional<BlackBoxSpec> objective;   ///< zeroth-order algorithms: instead of dataset and model
};

}  // namespace flemu
