#include "workloads/text_workload.hpp"

#include <xxhash.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "workloads/data/fortunes.hpp"
#include "workloads/models/lm_trainer.hpp"
#include "workloads/rng.hpp"

namespace flemu {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace {

/// Held-out texts are chosen from this seed and the client index alone: the same category
/// client has the same held-out texts whatever the scenario's seed.
constexpr uint64_t kHeldOutSeed = 0x4E1D0075;
constexpr int kSyntheticTexts = 48;

std::string hex64(uint64_t h) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

struct Corpus {
  std::vector<std::string> categories;
  std::vector<std::vector<std::string>> texts;
  int index_of(const std::string& name, const std::string& where) const {
    auto it = std::find(categories.begin(), categories.end(), name);
    if (it == categories.end()) {
      std::string known;
      for (size_t i = 0; i < categories.size(); ++i) known += (i ? ", " : "") + categories[i];
      throw std::invalid_argument(where + ": no category \"" + name + "\" in the corpus (there are: " + known + ")");
    }
    return static_cast<int>(it - categories.begin());
  }
};

/// The corpus of `spec`: Debian's fortunes, or a synthetic stand-in whose categories are the
/// ones the scenario names plus "synthetic-<i>" for i < num_clients.
Corpus read_corpus(const WorkloadSpec& spec, const std::string& data_dir, int num_clients) {
  Corpus c;
  if (spec.dataset == "fortunes") {
    auto f = load_fortunes(data_dir.empty() ? kFortunesDir : data_dir);
    c.categories = std::move(f.categories);
    c.texts = std::move(f.texts);
    return c;
  }
  if (spec.dataset != "synthetic-text")
    throw std::invalid_argument("text workload: dataset \"" + spec.dataset + "\" is not text");
  std::set<std::string> names(spec.text.categories.begin(), spec.text.categories.end());
  names.insert(spec.init.pretrain.categories.begin(), spec.init.pretrain.categories.end());
  for (int i = 0; i < std::max(num_clients, 1); ++i) names.insert("synthetic-" + std::to_string(i));
  c.categories.assign(names.begin(), names.end());
  c.texts = synthetic_category_texts(c.categories, kSyntheticTexts, 0x5EED);
  return c;
}

Vocabulary vocabulary_of(const WorkloadSpec& spec, const Corpus& corpus) {
  if (spec.text.tokens == "byte") return Vocabulary::bytes();
  if (spec.text.tokens != "char") throw std::invalid_argument("text workload: tokens \"byte\" or \"char\"");
  std::vector<const std::vector<std::string>*> all;
  for (const auto& t : corpus.texts) all.push_back(&t);
  return Vocabulary::characters(all);
}

std::vector<std::string> clients_of(const WorkloadSpec& spec, const Corpus& corpus) {
  if (!spec.text.categories.empty()) return spec.text.categories;
  const auto& pre = spec.init.pretrain.categories;
  std::vector<std::string> out;
  for (const auto& c : corpus.categories)
    if (std::find(pre.begin(), pre.end(), c) == pre.end()) out.push_back(c);
  return out;
}

uint64_t hash_texts(uint64_t h, const std::string& name, const std::vector<std::string>& texts) {
  h = XXH64(name.data(), name.size(), h);
  for (const auto& t : texts) h = XXH64(t.data(), t.size() + 1, h);  // with the terminating NUL: a separator
  return h;
}

ordered_json model_json(const TransformerSpec& m) {
  return {{"vocab", m.vocab},       {"context", m.context}, {"d_model", m.d_model},
          {"layers", m.layers},     {"heads", m.heads},     {"mlp_hidden", m.mlp_hidden}};
}

int64_t base_param_count(const TransformerSpec& m) {
  const auto layout = transformer_layout(m);
  return layout.back().offset + layout.back().numel;
}

}  // namespace

Vocabulary text_vocabulary(const WorkloadSpec& spec, const std::string& data_dir) {
  return vocabulary_of(spec, read_corpus(spec, data_dir, 0));
}

std::vector<std::string> client_categories(const WorkloadSpec& spec, const std::string& data_dir) {
  return clients_of(spec, read_corpus(spec, data_dir, 0));
}

std::shared_ptr<const TextData> load_client_text(const WorkloadSpec& spec, int num_clients, uint64_t seed,
                                                 const std::string& data_dir) {
  const Corpus corpus = read_corpus(spec, data_dir, num_clients);
  const Vocabulary vocab = vocabulary_of(spec, corpus);
  const auto cats = clients_of(spec, corpus);
  std::vector<std::vector<std::string>> texts;
  std::vector<std::string> names;
  if (spec.partition.scheme == PartitionScheme::Categories) {
    if (static_cast<int>(cats.size()) != num_clients)
      throw std::invalid_argument("text workload: partition \"categories\" makes one client per category: " +
                                  std::to_string(cats.size()) + " categories for " + std::to_string(num_clients) +
                                  " devices");
    for (size_t c = 0; c < cats.size(); ++c) {
      auto t = corpus.texts[corpus.index_of(cats[c], "workload/text/categories")];
      if (static_cast<int>(t.size()) > spec.samples_per_client) {
        // A fixed subset (the scenario's seed does not change a category client's texts).
        Rng rng(derive_seed(kHeldOutSeed, {0xCA7, c}));
        rng.shuffle(t);
        t.resize(static_cast<size_t>(spec.samples_per_client));
      }
      texts.push_back(std::move(t));
      names.push_back(cats[c]);
    }
  } else {
    std::vector<std::vector<std::string>> pool;
    for (const auto& c : cats) pool.push_back(corpus.texts[corpus.index_of(c, "workload/text/categories")]);
    texts = deal_texts(pool, num_clients, spec.samples_per_client, spec.partition,
                       derive_seed(seed, SeedStream::Partition));
    for (int i = 0; i < num_clients; ++i) names.push_back("client-" + std::to_string(i));
  }
  return std::make_shared<const TextData>(
      make_text_data(vocab, spec.transformer.context, texts, names, spec.text.held_out, kHeldOutSeed));
}

void write_checkpoint(const std::string& path, const std::string& header_json, const Params& params) {
  if (header_json.find('\n') != std::string::npos) throw std::logic_error("checkpoint header must be one line");
  const std::string tmp = path + ".partial";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(tmp + ": cannot open for writing");
    out << header_json << '\n';
    out.write(reinterpret_cast<const char*>(params.data()), static_cast<std::streamsize>(params.size() * sizeof(float)));
    if (!out) throw std::runtime_error(tmp + ": write failed");
  }
  fs::rename(tmp, path);
}

Params read_checkpoint(const std::string& path, int64_t expected_params) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("checkpoint " + path + ": cannot read");
  std::string header;
  std::getline(in, header);
  ordered_json h;
  try {
    h = ordered_json::parse(header);
  } catch (const std::exception&) {
    throw std::runtime_error("checkpoint " + path + ": not a flemu checkpoint (no JSON header line)");
  }
  if (h.value("format", "") != "flemu-checkpoint-1")
    throw std::runtime_error("checkpoint " + path + ": expected format \"flemu-checkpoint-1\"");
  const int64_t n = h.value("params", int64_t{-1});
  if (n != expected_params)
    throw std::runtime_error("checkpoint " + path + ": holds " + std::to_string(n) + " parameters, the scenario's model has " +
                             std::to_string(expected_params) + " (another architecture?)");
  Params p(static_cast<size_t>(n));
  in.read(reinterpret_cast<char*>(p.data()), static_cast<std::streamsize>(n * sizeof(float)));
  if (in.gcount() != static_cast<std::streamsize>(n * sizeof(float)) || in.peek() != EOF)
    throw std::runtime_error("checkpoint " + path + ": expected " + std::to_string(n * 4) + " bytes of parameters");
  return p;
}

namespace {

std::string hash_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read");
  XXH64_state_t* st = XXH64_createState();
  XXH64_reset(st, 0);
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    XXH64_update(st, buf.data(), static_cast<size_t>(in.gcount()));
  }
  const auto h = XXH64_digest(st);
  XXH64_freeState(st);
  return hex64(h);
}

}  // namespace

Checkpoint base_checkpoint(const WorkloadSpec& spec, const std::string& data_dir,
                           const std::function<void(const std::string&)>& log) {
  Checkpoint ck;
  const int64_t n = base_param_count(spec.transformer);
  if (spec.init.kind == InitSpec::Random) return ck;
  if (spec.init.kind == InitSpec::Checkpoint) {
    ck.path = spec.init.checkpoint;
    ck.hash = hash_file(ck.path);
    if (!spec.init.expected_hash.empty() && spec.init.expected_hash != ck.hash)
      throw std::runtime_error("checkpoint " + ck.path + ": hash " + ck.hash + ", the scenario expects " +
                               spec.init.expected_hash);
    ck.params = std::make_shared<const Params>(read_checkpoint(ck.path, n));
    return ck;
  }
  // Pretrain: the key covers everything the bits depend on.
  const PretrainInitSpec& p = spec.init.pretrain;
  if (p.categories.empty()) throw std::invalid_argument("pretraining needs at least one category");
  const Corpus corpus = read_corpus(spec, data_dir, 0);
  const Vocabulary vocab = vocabulary_of(spec, corpus);
  uint64_t texts_hash = 0;
  std::vector<std::vector<std::string>> texts;
  for (const auto& c : p.categories) {
    texts.push_back(corpus.texts[corpus.index_of(c, "workload/init/pretrain/categories")]);
    texts_hash = hash_texts(texts_hash, c, texts.back());
  }
  ordered_json what = {{"model", model_json(spec.transformer)},
                       {"tokens", spec.text.tokens},
                       {"vocab", vocab.size()},
                       {"dataset", spec.dataset},
                       {"texts_xxh64", hex64(texts_hash)},
                       {"pretrain",
                        {{"categories", p.categories},
                         {"steps", p.steps},
                         {"batch_size", p.batch_size},
                         {"lr", p.lr},
                         {"seed", p.seed},
                         {"held_out", p.held_out}}}};
  const std::string what_text = what.dump();
  ck.key = hex64(XXH64(what_text.data(), what_text.size(), 1));
  fs::create_directories(spec.init.cache_dir);
  ck.path = (fs::path(spec.init.cache_dir) / ("pretrain-" + ck.key + ".ckpt")).string();
  const std::string record_path = (fs::path(spec.init.cache_dir) / ("pretrain-" + ck.key + ".json")).string();
  if (fs::exists(ck.path) && fs::exists(record_path)) {
    std::ifstream rin(record_path);
    ordered_json record;
    try {
      record = ordered_json::parse(rin);
    } catch (const std::exception&) {
    }
    ck.hash = hash_file(ck.path);
    if (record.value("hash", "") == ck.hash) {
      ck.params = std::make_shared<const Params>(read_checkpoint(ck.path, n));
      ck.heldout_loss = record.value("heldout_loss", NAN);
      if (log) log("base model: cached checkpoint " + ck.path + " (hash " + ck.hash + ")");
      return ck;
    }
    if (log) log("base model: " + ck.path + " does not match its record: rebuilding it");
  }
  // Train it.
  std::vector<std::string> names = p.categories;
  const TextData data = make_text_data(vocab, spec.transformer.context, texts, names, p.held_out, kHeldOutSeed);
  if (log)
    log("base model: pretraining " + std::to_string(n) + " parameters on " + std::to_string(data.train_windows.size()) +
        " windows of " + std::to_string(p.categories.size()) + " categories, " + std::to_string(p.steps) + " steps");
  const auto t0 = std::chrono::steady_clock::now();
  PretrainSpec ps;
  ps.steps = p.steps;
  ps.batch_size = p.batch_size;
  ps.lr = p.lr;
  ps.seed = p.seed;
  const PretrainResult r = pretrain_transformer(spec.transformer, data, ps, [&](int step, double loss) {
    if (log && step % 200 == 0) log("  pretraining step " + std::to_string(step) + ": loss " + std::to_string(loss));
  });
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ordered_json header = {{"format", "flemu-checkpoint-1"}, {"params", n}, {"key", ck.key}, {"trained", what}};
  write_checkpoint(ck.path, header.dump(), r.params);
  ck.hash = hash_file(ck.path);
  ck.params = std::make_shared<const Params>(r.params);
  ck.built = true;
  ck.heldout_loss = r.heldout_loss;
  ordered_json record = {{"key", ck.key},
                         {"hash", ck.hash},
                         {"checkpoint", fs::path(ck.path).filename().string()},
                         {"params", n},
                         {"train_windows", data.train_windows.size()},
                         {"heldout_windows", data.test_windows.size()},
                         {"tokens_trained", r.tokens},
                         {"final_train_loss", r.final_train_loss},
                         {"heldout_loss", std::isnan(r.heldout_loss) ? ordered_json() : ordered_json(r.heldout_loss)},
                         {"heldout_perplexity",
                          std::isnan(r.heldout_loss) ? ordered_json() : ordered_json(std::exp(r.heldout_loss))},
                         {"wall_time_s", wall},
                         {"trained", what}};
  {
    const std::string tmp = record_path + ".partial";
    std::ofstream out(tmp);
    out << record.dump(2) << "\n";
    if (!out) throw std::runtime_error(tmp + ": write failed");
    out.close();
    fs::rename(tmp, record_path);
  }
  if (log)
    log("base model: wrote " + ck.path + " (hash " + ck.hash + ", held-out perplexity " +
        std::to_string(std::exp(r.heldout_loss)) + ", " + std::to_string(wall) + " s)");
  return ck;
}

}  // namespace flemu
