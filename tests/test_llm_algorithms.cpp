// The language-model methods' maths (algorithms/llm, algorithms/compression/topk): pure
// functions fed known vectors; no LibTorch, no SimGrid.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <future>

#include "algorithms/compression/topk.hpp"
#include "algorithms/llm/fedkseed.hpp"
#include "algorithms/llm/ferret.hpp"
#include "algorithms/llm/flasc.hpp"
#include "algorithms/llm/lm_methods.hpp"
#include "algorithms/llm/seed_history.hpp"
#include "workloads/models/model_info.hpp"
#include "workloads/random_directions.hpp"
#include "workloads/rng.hpp"

using namespace flemu;

namespace {
std::vector<float> gaussian(int64_t n, uint64_t seed) {
  Rng r(seed);
  std::vector<float> v(static_cast<size_t>(n));
  for (auto& x : v) x = static_cast<float>(r.normal());
  return v;
}

/// A model of three trainable tensors (sizes 6, 4, 2) around a frozen one (size 3).
ModelInfo toy_model() {
  ModelInfo m;
  m.kind = ModelKind::Transformer;
  m.tensors = {{"frozen", {3}, 0, 3, false, -1}, {"a", {6}, 3, 6, true, 0}, {"b", {4}, 9, 4, true, 0},
               {"c", {2}, 13, 2, true, 1}};
  m.num_params = 15;
  m.trainable_params = 12;
  m.bytes = 60;
  return m;
}
}  // namespace

TEST_CASE("top-k: largest magnitudes, ties to the lower index, wire size with indices", "[topk]") {
  const std::vector<float> x = {0.5f, -3.f, 1.f, 3.f, -0.1f, 0.f};
  const auto s = top_k(x, 2);
  CHECK(s.indices == std::vector<uint32_t>{1, 3});  // |-3| == |3|: both, by index
  CHECK(s.values == std::vector<float>{-3.f, 3.f});
  CHECK(top_k(x, 1).indices == std::vector<uint32_t>{1});
  CHECK(densify(s) == std::vector<float>{0, -3, 0, 3, 0, 0});
  CHECK(top_k_count(0.25, 10) == 2);  // floor, as int(P * rho)
  CHECK(top_k_count(0.01, 10) == 1);
  CHECK(top_k_count(1.0, 10) == 10);
  // 4-byte count + min(4k index list, n/8 bitmap) + 4k values.
  CHECK(sparse_wire_bytes(1000, 10) == 4 + 40 + 40);
  CHECK(sparse_wire_bytes(1000, 100) == 4 + 125 + 400);
}

TEST_CASE("FLASC: masked download, sparse delta against it, AdamW on the mean", "[flasc]") {
  const ModelInfo m = toy_model();
  Params theta = {9, 9, 9, 1, -6, 2, 0.5f, 3, -4, 0.1f, 0.2f, 5, 0.3f, -0.4f, 0.6f};
  const Params masked = flasc_masked(m, theta, 0.25);  // k = 3 of 12 trainable: -6, 5, ... |4|
  CHECK(masked == Params{9, 9, 9, 0, -6, 0, 0, 0, -4, 0, 0, 5, 0, 0, 0});
  Params trained = masked;
  trained[4] = -5.5f;   // delta +0.5... start - trained = -0.5
  trained[14] = 0.9f;   // a masked-out entry trained from 0: delta -0.9
  trained[3] = 0.1f;    // delta -0.1
  const auto p = flasc_encode(m, masked, trained, 0.25);
  // Trainable order: a(3..8), b(9..12), c(13..14); deltas at trainable indices 1 (-0.5),
  // 11 (-0.9), 0 (-0.1); top 3 keep all three.
  CHECK(p.delta.indices == std::vector<uint32_t>{0, 1, 11});
  CHECK(p.delta.values[1] == Approx(-0.5));
  CHECK(p.wire_bytes == sparse_wire_bytes(12, 3));
  // AdamW's first step moves each entry by about lr against the sign of g.
  std::vector<float> t = {1.f, 1.f};
  AdamState st;
  FlascParams fp;
  fp.adam_weight_decay = 0;
  adamw_step(t, {2.0, -0.5}, st, fp);
  CHECK(t[0] == Approx(1 - 1e-3).epsilon(1e-6));
  CHECK(t[1] == Approx(1 + 1e-3).epsilon(1e-6));
}

TEST_CASE("Ferret groups: the code's block-wise rule (G = 6 for the MLP of the card)", "[ferret]") {
  ModelInfo mlp = describe_model(ModelKind::Mlp);
  int64_t off = 0;
  for (int64_t n : {156800, 200, 40000, 200, 2000, 10}) {
    mlp.tensors.push_back({"t", {n}, off, n, true, -1});
    off += n;
  }
  CHECK(ferret_groups(mlp).size() == 6);  // median 1100 -> target 990: every tensor alone
  // Small neighbours merge: sizes 6, 4, 2 have median 4 -> target 3: 6 | 4 | 2.
  CHECK(ferret_groups(toy_model()).size() == 3);
}

TEST_CASE("Ferret: reconstruction from (seeds, scalars) is bit-identical on server and client", "[ferret]") {
  const ModelInfo m = toy_model();
  const auto groups = ferret_groups(m);
  const auto seeds = ferret_seeds(7, 16);
  FerretParams p;
  p.seeds = 16;
  Params start(15, 0.f), trained(15, 0.f);
  const auto noise = gaussian(15, 3);
  for (int i = 0; i < 15; ++i) trained[i] = 0.01f * noise[i];
  const auto payload = ferret_encode(groups, seeds, p, start, trained, 42);
  CHECK(payload.wire_bytes == 8 + 3 * 2 + payload.coefficients.size() * (1 + 4));
  std::vector<double> table(16 * groups.size(), 0.0);
  for (const auto& c : payload.coefficients) table[c.seed * groups.size() + c.group] += c.value;
  const auto server = ferret_reconstruct(table, groups, seeds, p, 15);
  auto client = std::async(std::launch::async, [&] { return ferret_reconstruct(table, groups, seeds, p, 15); }).get();
  REQUIRE(server.size() == client.size());
  CHECK(std::memcmp(server.data(), client.data(), server.size() * sizeof(float)) == 0);
  // The frozen tensor never moves; the same client seed picks the same seeds.
  CHECK(server[0] == 0.f);
  CHECK(ferret_encode(groups, seeds, p, start, trained, 42).coefficients.size() == payload.coefficients.size());
}

TEST_CASE("Ferret's projection: unbiased with Rademacher bases, a third with the code's truncated normal", "[ferret]") {
  // One group of d = 64, K = 64 seeds each used once (n_g = K): the mean of many independent
  // reconstructions estimates E[sum_k (d/K) <x, v_k> v_k] = d Var(v) x.
  const int64_t d = 64;
  ModelInfo m;
  m.kind = ModelKind::Transformer;
  m.tensors = {{"w", {d}, 0, d, true, 0}};
  m.num_params = m.trainable_params = d;
  const auto groups = ferret_groups(m);
  const auto x = gaussian(d, 1);
  Params start(x.begin(), x.end()), zero(d, 0.f);
  for (DirectionLaw law : {DirectionLaw::Rademacher, DirectionLaw::TruncatedNormal}) {
    FerretParams p;
    p.basis = law;
    std::vector<double> mean(d, 0.0);
    const int trials = 300;
    for (int t = 0; t < trials; ++t) {
      const auto seeds = ferret_seeds(100 + t, 64);
      const auto pay = ferret_encode(groups, seeds, p, start, zero, t);  // delta = x
      std::vector<double> table(64, 0.0);
      for (const auto& c : pay.coefficients) table[c.seed] += c.value;
      const auto r = ferret_reconstruct(table, groups, seeds, p, d);
      for (int64_t i = 0; i < d; ++i) mean[i] += r[i] / trials;
    }
    double dot = 0, xx = 0;
    for (int64_t i = 0; i < d; ++i) dot += mean[i] * x[i], xx += double(x[i]) * x[i];
    const double ratio = dot / xx;  // the component of the mean reconstruction along x
    if (law == DirectionLaw::Rademacher)
      CHECK(ratio == Approx(1.0).margin(0.1));
    else
      CHECK(ratio == Approx(1.0 / 3).margin(0.05));
  }
  CHECK(direction_variance(DirectionLaw::TruncatedNormal, 0.125) == Approx(0.125 * 0.125 / 3).epsilon(0.01));
}

TEST_CASE("random directions: same (seed, stream), same bits; streams and laws differ", "[ferret][fedkseed]") {
  for (DirectionLaw law : {DirectionLaw::Gaussian, DirectionLaw::Rademacher, DirectionLaw::TruncatedNormal}) {
    const auto a = make_direction(5, 2, law, 0.5, 101), b = make_direction(5, 2, law, 0.5, 101);
    CHECK(std::memcmp(a.data(), b.data(), a.size() * 4) == 0);
    CHECK(make_direction(5, 3, law, 0.5, 101) != a);
  }
  const auto r = make_direction(1, 0, DirectionLaw::Rademacher, 0.25, 1000);
  for (float v : r) CHECK(std::abs(v) == 0.25f);
  const auto t = make_direction(1, 0, DirectionLaw::TruncatedNormal, 0.1, 1000);
  for (float v : t) CHECK(std::abs(v) <= 0.1f);
}

TEST_CASE("seed history: replay bytes of the missed versions, capped by the model", "[fedkseed][ferret]") {
  SeedHistory h;
  CHECK(h.cost(SeedDownload::History, 3, 0, 1000) == std::pair<uint64_t, double>{0, 0.0});  // holds version 0
  h.record(1, 100, 5);
  h.record(2, 200, 7);
  CHECK(h.cost(SeedDownload::History, 3, 2, 1000) == std::pair<uint64_t, double>{300, 12.0});
  h.synced(3, 1);
  CHECK(h.cost(SeedDownload::History, 3, 2, 1000) == std::pair<uint64_t, double>{200, 7.0});
  CHECK(h.cost(SeedDownload::History, 4, 2, 250) == std::pair<uint64_t, double>{250, 0.0});  // the model is smaller
  CHECK(h.cost(SeedDownload::Model, 3, 2, 1000) == std::pair<uint64_t, double>{1000, 0.0});
  CHECK(fedkseed_pairs_bytes(10, 4096) == 8 + 10 * 6);
}

TEST_CASE("which parameters each method trains, and how", "[lm]") {
  TransformerSpec t;
  AlgorithmSpec a;
  for (const char* name : {"fedavg", "ferret", "fedprox"}) {
    a.name = name;
    const auto j = lm_job_spec(t, a, 1);
    CHECK(j.fine_tune.trainable == Trainable::All);
    CHECK(j.procedure == LocalProcedure::Sgd);
  }
  a.name = "flasc";
  CHECK(lm_job_spec(t, a, 1).fine_tune.trainable == Trainable::Lora);
  a.name = "fedkseed";
  a.fedkseed.candidate_seeds = 8;
  CHECK(lm_job_spec(t, a, 1).zeroth_order.seeds == fedkseed_seeds(1, 8));
  a.name = "sfprompt";
  const auto s = lm_job_spec(t, a, 1);
  CHECK(s.fine_tune.trainable == Trainable::PromptTail);
  CHECK(s.fine_tune.prompt_tokens == 5);
  CHECK(s.procedure == LocalProcedure::SplitPrompt);
  a.name = "sfl";
  CHECK(lm_job_spec(t, a, 1).procedure == LocalProcedure::Split);
}
