// A text workload end to end, torch-free: corpus -> clients -> token windows, and the base
// model's checkpoint (pretrained by flemu itself, cached by key, never downloaded).
//
// Checkpoint file (".ckpt"): one line of JSON (format, what was trained and how), then the
// float32 parameters, little-endian, in transformer_layout order. Its identity is the xxh64
// of the whole file ("hash"). A pretrained checkpoint is cached as
// <cache_dir>/pretrain-<key>.ckpt, key = xxh64 of everything that determines its bits (model,
// tokens, the pretraining texts, steps, batch, lr, seed), with a sidecar .json recording the
// hash and the pretraining's figures; a cached file whose hash differs from its record is
// rebuilt. Same key, same machine kind (BLAS kernel): same bits.
#pragma once
#include <cmath>
#include <functional>
#include <memory>
#include <string>

#include "workloads/data/text_dataset.hpp"
#include "workloads/models/trainer.hpp"
#include "workloads/workload_spec.hpp"

namespace flemu {

/// The vocabulary of `spec`'s tokens over the corpus of `spec` (all categories: pretraining
/// and fine-tuning share it).
Vocabulary text_vocabulary(const WorkloadSpec& spec, const std::string& data_dir);

/// The clients' text data: `num_clients` clients from spec.text.categories (scheme
/// "categories": one per category, at most samples_per_client texts each; other schemes deal
/// samples_per_client texts per client over those categories), windows of
/// spec.transformer.context, held-out split fixed per client. `data_dir` "" = the default.
/// Throws std::runtime_error (missing corpus) or std::invalid_argument (bad counts, unknown
/// category).
std::shared_ptr<const TextData> load_client_text(const WorkloadSpec& spec, int num_clients, uint64_t seed,
                                                 const std::string& data_dir);

/// The categories the clients use: spec.text.categories, or (when empty) every category of the
/// corpus not in the pretraining set.
std::vector<std::string> client_categories(const WorkloadSpec& spec, const std::string& data_dir);

struct Checkpoint {
  std::shared_ptr<const Params> params;
  std::string path;
  std::string hash;      ///< xxh64 of the file, 16 hex digits
  std::string key;       ///< pretraining key ("" for a given checkpoint file)
  bool built = false;    ///< trained by this call (not found in the cache)
  double heldout_loss = NAN;  ///< pretraining held-out loss, nats per token (from the record)
};

/// The base model of `spec.init`: nullptr params for Random; the checkpoint file for
/// Checkpoint (its hash checked against expected_hash when given); for Pretrain the cached
/// checkpoint of its key, trained now if absent. `log` receives progress lines.
Checkpoint base_checkpoint(const WorkloadSpec& spec, const std::string& data_dir,
                           const std::function<void(const std::string&)>& log = {});

/// Writes / reads a checkpoint file (no partial file is ever left: write then rename).
void write_checkpoint(const std::string& path, const std::string& header_json, const Params& params);
Params read_checkpoint(const std::string& path, int64_t expected_params);

}  // namespace flemu
