// pFedGate (algorithms/fl/pfedgate.hpp, workloads/models/gating.hpp) and per-client
// evaluation: the block layout, the selection rule and the flop count by hand; the gated
// LibTorch job; the algorithm's state and server; the per-client summary.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "algorithms/algorithm.hpp"
#include "algorithms/fl/pfedgate.hpp"
#include "emulator/core/per_client_metrics.hpp"
#include "workloads/data/dataset.hpp"
#include "workloads/data/partition.hpp"
#include "workloads/models/gating.hpp"
#include "workloads/models/model_info.hpp"
#include "workloads/models/trainer.hpp"

using namespace flemu;

namespace {

/// Two tensors of three blocks: T0 (a Linear weight, group 0) of 10 + 10 + 10 values and T1
/// (a bias, group 1) of 2 + 2 + 2.
BlockLayout tiny_layout() {
  BlockLayout l;
  l.split = 3;
  int64_t off = 0;
  for (int t = 0; t < 2; ++t)
    for (int i = 0; i < 3; ++i) {
      const int64_t sz = t == 0 ? 10 : 2;
      l.offset.push_back(off);
      l.size.push_back(sz);
      l.tensor.push_back(t);
      l.group.push_back(t);
      l.first.push_back(i == 0);
      off += sz;
    }
  return l;
}

}  // namespace

TEST_CASE("gate blocks of the MLP: 5 sub-blocks per tensor, weights and the rest apart", "[pfedgate]") {
  const auto mlp = describe_model(ModelKind::Mlp);
  const BlockLayout l = gate_blocks(mlp, 5);
  REQUIRE(l.num_blocks() == 30);  // 6 tensors x 5
  CHECK(l.size[0] == 31360);      // 156,800 / 5
  CHECK(l.size[5] == 40);         // fc1's bias: 200 / 5
  CHECK(l.size[29] == 2);         // fc3's bias: 10 / 5
  CHECK(l.group[0] == 0);
  CHECK(l.group[5] == 1);
  CHECK(l.offset[29] + l.size[29] == mlp.num_params);
  CHECK(gate_trainable_size(mlp, 5) == 30 * 784 + 30 + 60);
  CHECK(gate_state_size(mlp, 5) == 30 * 784 + 30 + 120);
  // s = 0.5: per group, the first sub-blocks plus round((0.5 − 0.2) · the rest):
  // weights 39,760 + round(0.3 · 159,040) = 87,472; biases 82 + round(0.3 · 328) = 180;
  // (87,472 + 180) / 199,210 = 0.44001 (the card's "s = 0.5 keeps about 0.44").
  CHECK(gate_kept_share(l, 0.5) == Approx(87652.0 / 199210.0));
  CHECK(gate_kept_share(l, 1.0) == Approx(1.0));
}

TEST_CASE("block selection: first sub-blocks always, then by round(10 â) within the capacity", "[pfedgate]") {
  const BlockLayout l = tiny_layout();
  // s = 0.9, s_min = min(max(1/3, 0.1), 0.9) = 1/3. Group 0: capacity round((0.9 − 1/3) · 20)
  // = 11 → one block of 10; values round(10 · 0.4) = 4 and round(10 · 0.8) = 8: block 2.
  // Group 1: capacity round(0.5667 · 4) = 2 → one block of 2; values 7 and 7 tie: block 4.
  CHECK(select_blocks({0.5, 0.4, 0.8, 0.5, 0.7, 0.71}, l, 0.9) == std::vector<uint8_t>{1, 0, 1, 1, 1, 0});
  // Scores below s_min count as s_min: round(10/3) = 3 for both: the lower index wins.
  CHECK(select_blocks({0.5, 0.01, 0.02, 0.5, 0.7, 0.71}, l, 0.9) == std::vector<uint8_t>{1, 1, 0, 1, 1, 0});
  // s = 0.5: capacity round(0.1667 · 20) = 3 fits no block of 10: only the first ones.
  CHECK(select_blocks({0.9, 0.9, 0.9, 0.9, 0.9, 0.9}, l, 0.5) == std::vector<uint8_t>{1, 0, 0, 1, 0, 0});
  CHECK_THROWS_AS(select_blocks({0.5}, l, 0.5), std::invalid_argument);
  CHECK(gate_min_score(5, 0.3) == Approx(0.2));
  CHECK(gate_min_score(5, 0.1) == Approx(0.1));
}

TEST_CASE("gated flops: the kept weights of each layer plus the gate", "[pfedgate]") {
  const auto mlp = describe_model(ModelKind::Mlp);
  const BlockLayout l = gate_blocks(mlp, 5);
  const double gate = 4.0 * 784 * 30;  // forward and weight gradient of Linear(784, 30)
  // First sub-blocks only: a fifth of every weight matrix.
  CHECK(gated_min_train_flops_per_sample(mlp, l) == Approx(0.2 * mlp.train_flops_per_sample + gate));
  CHECK(gated_train_flops_per_sample(mlp, l, std::vector<uint8_t>(30, 1)) ==
        Approx(mlp.train_flops_per_sample + gate));
  CHECK(typical_mask(l, 1.0) == std::vector<uint8_t>(30, 1));
  const auto half = typical_mask(l, 0.5);
  const double f = gated_train_flops_per_sample(mlp, l, half);
  CHECK(f < 0.5 * mlp.train_flops_per_sample + gate);
  CHECK(f > 0.3 * mlp.train_flops_per_sample);
}

TEST_CASE("held-out splits: a seeded share of each client's own samples, disjoint, never all", "[pfedgate][partition]") {
  Partition p = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {42}, {10, 11}};
  const Partition original = p;
  Partition q = original;
  const Partition held = split_holdouts(p, 0.2, 5);
  CHECK(held == split_holdouts(q, 0.2, 5));
  CHECK(held[0].size() == 2);
  CHECK(p[0].size() == 8);
  CHECK(held[1].empty());  // one sample: nothing to hold out
  CHECK(held[2].size() == 1);  // round(0.4) = 0, but at least one of two
  for (size_t c = 0; c < p.size(); ++c) {
    std::set<int32_t> all(p[c].begin(), p[c].end());
    for (int32_t i : held[c]) CHECK(all.insert(i).second);  // disjoint
    CHECK(all == std::set<int32_t>(original[c].begin(), original[c].end()));
    CHECK(std::is_sorted(p[c].begin(), p[c].end()));
  }
  CHECK_THROWS_AS(split_holdouts(p, 0.0, 1), std::invalid_argument);
}

TEST_CASE("per-client summary: sample-weighted mean, client mean, 10th percentile, per class", "[pfedgate]") {
  ClassCounts a{{3, 0}, {4, 1}}, b{{0, 2}, {0, 2}}, c{{1, 1}, {2, 2}}, empty{{0, 0}, {0, 0}};
  const AccuracySummary s = summarize_clients({a, b, c, empty});
  CHECK(s.clients == 3);
  CHECK(s.mean == Approx(7.0 / 11));                   // (3 + 2 + 2) / (5 + 2 + 4)
  CHECK(s.client_mean == Approx((0.6 + 1.0 + 0.5) / 3));
  CHECK(s.p10 == Approx(0.5));                         // sorted (0.5, 0.6, 1.0), element ⌊3/10⌋
  REQUIRE(s.per_class.size() == 2);
  CHECK(s.per_class[0] == Approx(4.0 / 6));
  CHECK(s.per_class[1] == Approx(3.0 / 5));
  CHECK(std::isnan(summarize_clients({}).mean));
}

TEST_CASE("pFedGate's server and state: budgets per class, gates kept, online aggregation by hand", "[pfedgate][algorithm]") {
  CHECK(pfedgate_budget({{"phone", 0.3}, {"*", 0.8}}, "phone") == 0.3);
  CHECK(pfedgate_budget({{"phone", 0.3}, {"*", 0.8}}, "laptop") == 0.8);
  CHECK(pfedgate_budget({}, "laptop") == 1.0);
  const auto x = std::make_shared<const Params>(Params{1, 1});
  auto up = [&](int client, float a, float b) {
    ClientUpdate u;
    u.client = client;
    u.start = x;
    u.params = std::make_shared<const Params>(Params{a, b});
    u.num_samples = 100;
    return u;
  };
  // θ + (100/400)(−0.2, −0.1) + (100/400)(−0.4, 0.1)
  const Params on = pfedgate_online_average(*x, {up(0, 0.8f, 0.9f), up(2, 0.6f, 1.1f)}, 400);
  CHECK(on[0] == Approx(0.85));
  CHECK(on[1] == Approx(1.0));

  AlgorithmSpec spec;
  spec.name = "pfedgate";
  spec.budgets = {{"phone", 0.3}};
  spec.gate_lr = 0.05;
  AlgorithmContext ctx;
  ctx.num_clients = 2;
  ctx.model = describe_model(ModelKind::Mlp);
  ctx.model_params = ctx.model.num_params;
  ctx.model_bytes = ctx.model.bytes;
  ctx.client_classes = {"phone", "laptop"};
  ctx.total_samples = 200;
  auto algo = make_sync_algorithm(spec, ctx);
  REQUIRE(algo->personalizes());
  const ClientPlan p = algo->plan(0, 1, x);
  REQUIRE(p.local.gate);
  CHECK(p.local.gate->spec.sparsity == 0.3);
  CHECK(p.local.gate->spec.lr == 0.05);
  CHECK(p.local.gate->state->size() == size_t(gate_state_size(ctx.model, 5)));
  CHECK(p.local.rule.momentum == 0.9);
  CHECK(p.local.inputs.return_momentum);
  CHECK(p.wire.up.bytes() == ctx.model.bytes);  // dense: what the code sends
  CHECK(algo->plan(1, 1, x).local.gate->spec.sparsity == 1.0);
  // A fresh gate is the same every time it is asked for (seeded per client), and differs by client.
  CHECK(*algo->personal_model(0).gate->state == *p.local.gate->state);
  CHECK(*algo->personal_model(1).gate->state != *p.local.gate->state);
  // The trained gate is committed with the update.
  ClientUpdate u = up(0, 0.8f, 0.9f);
  u.gate_state = std::make_shared<const Params>(Params(gate_state_size(ctx.model, 5), 0.5f));
  u.momentum = std::make_shared<const Params>(Params{0.1f, 0.2f});
  const Params next = algo->aggregate(*x, {u});
  CHECK(next[0] == Approx(0.8));  // FedAvg over the sampled
  CHECK((*algo->personal_model(0).gate->state)[0] == 0.5f);
  CHECK(algo->footprint().clients == 1);
  // The paper's sparse accounting: the kept share plus a bit mask.
  spec.sparse_wire = true;
  auto sparse = make_sync_algorithm(spec, ctx);
  const int64_t kept = static_cast<int64_t>(gate_kept_share(gate_blocks(ctx.model, 5), 0.3) * ctx.model_params) * 4;
  CHECK(sparse->plan(0, 1, x).wire.up.bytes() == kept + (ctx.model_params + 7) / 8);
}

TEST_CASE("a gated job: deterministic, trains the gate, costs what its sub-models cost", "[pfedgate][trainer]") {
  auto data = std::make_shared<const TrainTest>(make_synthetic_dataset(600, 200, 3));
  auto trainer = make_torch_trainer(ModelKind::Mlp, data, "cpu", 0);
  const ModelInfo& m = trainer->model();
  auto start = std::make_shared<const Params>(trainer->initial_params(5));
  std::vector<int32_t> idx(120);
  for (int i = 0; i < 120; ++i) idx[i] = i;
  auto job_for = [&](double s) {
    TrainJob job;
    job.seed = 9;
    job.start = start;
    job.indices = std::make_shared<const std::vector<int32_t>>(idx);
    job.local.epochs = 1;
    job.local.batch_size = 32;  // 32, 32, 32, 24
    job.local.lr = 0.05;
    job.local.rule.momentum = 0.9;
    job.local.inputs.return_momentum = true;
    auto gate = std::make_shared<GateJob>();
    gate->spec.sparsity = s;
    gate->spec.lr = 0.1;
    gate->spec.step.momentum = 0.9;
    gate->state = std::make_shared<const Params>(initial_gate_state(m, 5, 11));
    job.local.gate = gate;
    return job;
  };
  const auto a = trainer->train(job_for(0.3)), b = trainer->train(job_for(0.3));
  CHECK(a.params == b.params);
  CHECK(a.gate_state == b.gate_state);
  CHECK(a.params != *start);
  CHECK(a.gate_state != *job_for(0.3).local.gate->state);
  CHECK(a.gate_state.size() == size_t(gate_state_size(m, 5)));
  CHECK(a.gate_momentum.size() == size_t(gate_trainable_size(m, 5)));
  CHECK(a.momentum.size() == size_t(m.num_params));
  CHECK(std::isfinite(a.mean_loss));
  const auto full = trainer->train(job_for(1.0));
  const BlockLayout l = gate_blocks(m, 5);
  // 120 samples: the budget-0.3 sub-models cost less than the full model, never less than
  // the first sub-blocks; budget 1 keeps everything.
  CHECK(a.flops < full.flops);
  CHECK(a.flops >= 120 * gated_min_train_flops_per_sample(m, l));
  CHECK(full.flops == Approx(120 * gated_train_flops_per_sample(m, l, std::vector<uint8_t>(30, 1))));
  // Personal evaluation on held-out samples: counts per class, every sample counted once.
  std::vector<int32_t> held = {200, 201, 202, 203, 204, 205, 206};
  GateJob personal = *job_for(0.3).local.gate;
  personal.state = std::make_shared<const Params>(a.gate_state);
  const ClassCounts c = trainer->evaluate_samples(a.params, held, &personal, 4);
  CHECK(c.samples() == 7);
  CHECK(trainer->evaluate_samples(a.params, held, nullptr, 4).samples() == 7);
}
