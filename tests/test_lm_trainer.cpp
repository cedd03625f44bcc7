// The language-model trainer (LibTorch): LoRA merged = applied, split = unsplit, pure jobs,
// zeroth-order steps replayable from seeds, deterministic pretraining and its checkpoint cache.
// Tiny models on synthetic text: the whole file runs in seconds.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <future>

#include "algorithms/llm/fedkseed.hpp"
#include "algorithms/llm/lm_methods.hpp"
#include "tests/test_support.hpp"
#include "workloads/models/lm_trainer.hpp"
#include "workloads/rng.hpp"
#include "workloads/text_workload.hpp"

using namespace flemu;
using Catch::Contains;

namespace {

TransformerSpec tiny_lm() {
  TransformerSpec s;
  s.vocab = 257;
  s.context = 16;
  s.d_model = 16;
  s.layers = 3;
  s.heads = 2;
  s.mlp_hidden = 32;
  return s;
}

std::shared_ptr<const TextData> tiny_text() {
  static const auto data = std::make_shared<const TextData>(make_text_data(
      Vocabulary::bytes(), 16, synthetic_category_texts({"a", "b"}, 30, 11), {"a", "b"}, 0.2, 5));
  return data;
}

TrainJob job_for(const std::shared_ptr<const Params>& start, int client = 0, int steps = 4, uint64_t seed = 9) {
  TrainJob j;
  j.client = client;
  j.seed = seed;
  j.start = start;
  j.indices = std::make_shared<const std::vector<int32_t>>(tiny_text()->train_parts[client]);
  j.local.steps = steps;
  j.local.batch_size = 4;
  j.local.lr = 0.1;
  return j;
}

double max_abs_diff(const Params& a, const Params& b) {
  REQUIRE(a.size() == b.size());
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(double(a[i]) - b[i]));
  return m;
}

std::unique_ptr<Trainer> trainer_for(const std::string& algorithm, std::function<void(AlgorithmSpec&)> edit = {}) {
  AlgorithmSpec a;
  a.name = algorithm;
  a.lora.rank = 2;
  a.split.points = {1, 1};
  a.split.prompt_tokens = 3;
  a.fedkseed.candidate_seeds = 16;
  if (edit) edit(a);
  return make_lm_trainer(lm_job_spec(tiny_lm(), a, 3), tiny_text(), nullptr);
}

}  // namespace

TEST_CASE("LoRA merged into the weights equals LoRA applied", "[lm]") {
  auto lora = trainer_for("lora");
  auto full = trainer_for("fedavg");
  Params p = lora->initial_params(1);
  // Train the adapters a little (B starts at 0, so the adapters must move to matter).
  auto trained = lora->train(job_for(std::make_shared<const Params>(p), 0, 6));
  const ModelInfo& m = lora->model();
  const FineTuneSpec& ft = m.fine_tune;
  const auto merged = merge_lora(tiny_lm(), ft, trained.params);
  CHECK(max_abs_diff(merged, Params(trained.params.begin(), trained.params.begin() + merged.size())) > 1e-4);
  const auto applied = lora->evaluate(trained.params, nullptr);
  const auto as_merged = full->evaluate(merged, nullptr);
  CHECK(std::abs(applied.loss - as_merged.loss) < 1e-5);
  CHECK(applied.accuracy == Approx(as_merged.accuracy).margin(1e-9));
  // Only the adapters moved.
  for (const auto& t : m.tensors)
    if (!t.trainable)
      REQUIRE(std::memcmp(trained.params.data() + t.offset, p.data() + t.offset, 4 * t.numel) == 0);
}

TEST_CASE("split forward/backward equals unsplit (SFL and SFPrompt) to 1e-5", "[lm][split]") {
  SECTION("every parameter trains: split learning = the whole network's SGD") {
    auto whole = trainer_for("fedavg");
    auto split = trainer_for("sfl");
    auto start = std::make_shared<const Params>(whole->initial_params(2));
    const auto a = whole->train(job_for(start, 1, 5));
    const auto b = split->train(job_for(start, 1, 5));
    CHECK(max_abs_diff(a.params, b.params) < 1e-5);
    CHECK(max_abs_diff(a.params, *start) > 1e-3);
    CHECK(a.mean_loss == Approx(b.mean_loss).epsilon(1e-6));
  }
  SECTION("prompt and tail: SFPrompt's split step = SGD on the prompt and tail") {
    auto sfp = trainer_for("sfprompt", [](AlgorithmSpec& a) {
      a.split.local_loss_passes = 0;
      a.split.keep_fraction = 1;
    });
    // The same trainable set, trained through the whole network at once.
    LmJobSpec plain = lm_job_spec(tiny_lm(), [] {
      AlgorithmSpec a;
      a.name = "sfprompt";
      a.split.points = {1, 1};
      a.split.prompt_tokens = 3;
      return a;
    }(), 3);
    plain.procedure = LocalProcedure::Sgd;
    auto whole = make_lm_trainer(plain, tiny_text(), nullptr);
    auto start = std::make_shared<const Params>(sfp->initial_params(4));
    const auto a = whole->train(job_for(start, 0, 5));
    const auto b = sfp->train(job_for(start, 0, 5));
    CHECK(max_abs_diff(a.params, b.params) < 1e-5);
    CHECK(max_abs_diff(a.params, *start) > 1e-4);
  }
}

TEST_CASE("SFPrompt's job: local-loss phase, pruning to the kept share, frozen head and body", "[lm][split]") {
  auto sfp = trainer_for("sfprompt", [](AlgorithmSpec& a) { a.split.keep_fraction = 0.5; });
  auto start = std::make_shared<const Params>(sfp->initial_params(4));
  TrainJob j = job_for(start, 0, 0);
  j.local.steps = 0;
  j.local.epochs = 1;
  const auto r = sfp->train(j);
  const int64_t n = static_cast<int64_t>(j.indices->size());
  CHECK(r.steps == steps_taken(j.local, split_prompt_kept(0.5, n)));
  for (const auto& t : sfp->model().tensors)
    if (!t.trainable) REQUIRE(std::memcmp(r.params.data() + t.offset, start->data() + t.offset, 4 * t.numel) == 0);
  CHECK(sfp->train(j).params == r.params);
}

TEST_CASE("language-model jobs are pure: same bits in any thread", "[lm]") {
  auto t = trainer_for("fedavg");
  auto start = std::make_shared<const Params>(t->initial_params(5));
  const auto ref = t->train(job_for(start, 0, 3));
  auto other = std::async(std::launch::async, [&] { return t->train(job_for(start, 0, 3)); });
  const auto b = t->train(job_for(start, 1, 3));
  CHECK(other.get().params == ref.params);
  CHECK(b.params != ref.params);
  const auto e1 = t->evaluate(ref.params, nullptr), e2 = t->evaluate(ref.params, nullptr);
  CHECK(e1.loss == e2.loss);
  CHECK(std::isfinite(e1.loss));
}

TEST_CASE("FedKSeed: the server replays a client's zeroth-order steps from (seed, scalar) pairs", "[lm][fedkseed]") {
  auto t = trainer_for("fedkseed");
  auto start = std::make_shared<const Params>(t->initial_params(6));
  auto job = job_for(start, 0, 12);
  job.local.lr = 1e-3;
  const auto r = t->train(job);
  REQUIRE_FALSE(r.seed_scalars.empty());
  CHECK(r.seed_scalars.size() <= 12);
  std::map<uint32_t, double> coeff;
  for (const auto& [k, g] : r.seed_scalars) coeff[k] += job.local.lr * g;
  const auto seeds = fedkseed_seeds(3, 16);
  const auto delta = fedkseed_reconstruct(coeff, seeds, t->model());
  Params replayed = *start;
  for (size_t i = 0; i < replayed.size(); ++i) replayed[i] = static_cast<float>(replayed[i] - delta[i]);
  CHECK(max_abs_diff(replayed, r.params) < 1e-5);
  CHECK(max_abs_diff(r.params, *start) > 1e-6);
}

TEST_CASE("pretraining is deterministic and lowers the loss", "[lm][pretrain]") {
  PretrainSpec p;
  p.steps = 30;
  p.batch_size = 8;
  p.lr = 3e-3;
  const auto a = pretrain_transformer(tiny_lm(), *tiny_text(), p);
  const auto b = pretrain_transformer(tiny_lm(), *tiny_text(), p);
  CHECK(a.params == b.params);
  auto t = trainer_for("fedavg");
  const double before = t->evaluate(transformer_initial_base(tiny_lm(), p.seed), nullptr).loss;
  CHECK(a.heldout_loss < before - 0.5);
  CHECK(std::abs(a.heldout_loss - t->evaluate(a.params, nullptr).loss) < 1e-9);
}

TEST_CASE("the base checkpoint is built once, cached by key, rebuilt when its file changed", "[lm][pretrain]") {
  const auto dir = test::scratch_dir("ckpt");
  WorkloadSpec w;
  w.dataset = "synthetic-text";
  w.model = ModelKind::Transformer;
  w.transformer = tiny_lm();
  w.init.kind = InitSpec::Pretrain;
  w.init.pretrain.categories = {"a", "b"};
  w.init.pretrain.steps = 5;
  w.init.pretrain.batch_size = 4;
  w.init.cache_dir = dir.string();
  const auto first = base_checkpoint(w, "");
  CHECK(first.built);
  CHECK(first.hash.size() == 16);
  const auto second = base_checkpoint(w, "");
  CHECK_FALSE(second.built);
  CHECK(second.hash == first.hash);
  CHECK(*second.params == *first.params);
  // Another step count, another key.
  w.init.pretrain.steps = 6;
  const auto other = base_checkpoint(w, "");
  CHECK(other.key != first.key);
  w.init.pretrain.steps = 5;
  // A damaged file is rebuilt, to the same bits.
  {
    std::fstream f(first.path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-4, std::ios::end);
    f.write("XXXX", 4);
  }
  const auto rebuilt = base_checkpoint(w, "");
  CHECK(rebuilt.built);
  CHECK(rebuilt.hash == first.hash);
  // A given checkpoint file with the wrong expected hash is refused.
  WorkloadSpec given = w;
  given.init.kind = InitSpec::Checkpoint;
  given.init.checkpoint = first.path;
  given.init.expected_hash = "0123456789abcdef";
  CHECK_THROWS_WITH(base_checkpoint(given, ""), Contains("the scenario expects 0123456789abcdef"));
  given.init.expected_hash = first.hash;
  CHECK(*base_checkpoint(given, "").params == *first.params);
  TransformerSpec wider = tiny_lm();
  wider.d_model = 32;
  given.transformer = wider;
  CHECK_THROWS_WITH(base_checkpoint(given, ""), Contains("another architecture"));
}
