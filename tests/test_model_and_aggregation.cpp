// Flop counting against a hand count, FedAvg maths on known tensors, client sampling.
#include <catch2/catch.hpp>

#include "algorithms/aggregation.hpp"
#include "algorithms/fl/fedavg.hpp"
#include "workloads/models/model_info.hpp"
#include "workloads/models/trainer.hpp"

using namespace flemu;

TEST_CASE("MLP flops match a hand count", "[model]") {
  const auto m = describe_model(ModelKind::Mlp);
  // Forward: 2*(784*200 + 200*200 + 200*10) = 397,600. Backward: first layer 1x (weight
  // gradient only) = 313,600; others 2x = 2*(80,000 + 4,000) = 168,000. Total 879,200.
  CHECK(m.forward_flops_per_sample == Approx(397600.0));
  CHECK(m.train_flops_per_sample == Approx(879200.0));
  CHECK(m.num_params == 784 * 200 + 200 + 200 * 200 + 200 + 200 * 10 + 10);
  CHECK(m.bytes == 4 * m.num_params);
}

TEST_CASE("CNN flops match a hand count", "[model]") {
  const auto m = describe_model(ModelKind::Cnn);
  const double conv1 = 2.0 * 32 * 28 * 28 * 1 * 25;   // 1,254,400
  const double conv2 = 2.0 * 64 * 14 * 14 * 32 * 25;  // 20,070,400
  const double fc1 = 2.0 * 3136 * 512, fc2 = 2.0 * 512 * 10;
  CHECK(m.forward_flops_per_sample == Approx(conv1 + conv2 + fc1 + fc2));
  CHECK(m.train_flops_per_sample == Approx(2 * conv1 + 3 * (conv2 + fc1 + fc2)));
  CHECK(m.train_flops_per_sample / 1e6 == Approx(72.4).epsilon(0.01));  // ../shared/FACTS.md
}

TEST_CASE("initial parameters are a pure function of the seed", "[model]") {
  const auto m = describe_model(ModelKind::Mlp);
  auto a = initial_parameters(m, 7), b = initial_parameters(m, 7), c = initial_parameters(m, 8);
  REQUIRE(a.size() == size_t(m.num_params));
  CHECK(a == b);
  CHECK(a != c);
  // fc1 weights lie within +-1/sqrt(784).
  for (int i = 0; i < 784 * 200; ++i) REQUIRE(std::abs(a[i]) <= 1.0f / 28.0f);
}

TEST_CASE("samples and steps of a local job", "[model]") {
  LocalTrainingSpec s;
  s.batch_size = 32;
  s.epochs = 2;
  CHECK(samples_processed(s, 100) == 200);
  CHECK(steps_taken(s, 100) == 8);  // 4 batches (32,32,32,4) per epoch
  s.steps = 5;
  CHECK(steps_taken(s, 100) == 5);
  CHECK(samples_processed(s, 100) == 100 + 32);  // one full pass (4 steps) + one batch
}

TEST_CASE("weighted average on known vectors", "[aggregation]") {
  Params a{1, 2, 3}, b{3, 6, 9};
  auto avg = weighted_average({&a, &b}, {1, 3});  // (1*a + 3*b) / 4
  CHECK(avg[0] == Approx(2.5));
  CHECK(avg[1] == Approx(5.0));
  CHECK(avg[2] == Approx(7.5));
  CHECK_THROWS_AS(weighted_average({}, {}), std::invalid_argument);
  Params short_one{1};
  CHECK_THROWS_AS(weighted_average({&a, &short_one}, {1, 1}), std::invalid_argument);
  CHECK_THROWS_AS(weighted_average({&a}, {0}), std::invalid_argument);
}

TEST_CASE("FedAvg aggregates by sample count and applies the server learning rate", "[aggregation]") {
  AlgorithmSpec spec;
  ClientUpdate u1, u2;
  u1.params = std::make_shared<const Params>(Params{0, 10});
  u1.num_samples = 100;
  u2.params = std::make_shared<const Params>(Params{4, 20});
  u2.num_samples = 300;
  const Params global{1, 1};
  FedAvg fedavg(spec, AlgorithmContext{});
  auto next = fedavg.aggregate(global, {u1, u2});
  CHECK(next[0] == Approx(3.0));   // (100*0 + 300*4) / 400
  CHECK(next[1] == Approx(17.5));  // (100*10 + 300*20) / 400
  spec.server_lr = 0.5;
  FedAvg half(spec, AlgorithmContext{});
  auto damped = half.aggregate(global, {u1, u2});
  CHECK(damped[0] == Approx(2.0));   // 1 + 0.5 * (3 - 1)
  CHECK(damped[1] == Approx(9.25));  // 1 + 0.5 * (17.5 - 1)
}

TEST_CASE("client sampling is seeded, without replacement and sorted", "[algorithm]") {
  std::vector<int> all(20);
  for (int i = 0; i < 20; ++i) all[i] = i;
  auto a = sample_without_replacement(all, 5, 11), b = sample_without_replacement(all, 5, 11);
  CHECK(a == b);
  REQUIRE(a.size() == 5);
  CHECK(std::is_sorted(a.begin(), a.end()));
  CHECK(std::adjacent_find(a.begin(), a.end()) == a.end());
  bool differs = false;
  for (uint64_t s = 12; s < 20 && !differs; ++s) differs = sample_without_replacement(all, 5, s) != a;
  CHECK(differs);
  CHECK(sample_without_replacement(all, 50, 1) == all);
}
