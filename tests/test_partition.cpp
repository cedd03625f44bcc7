// partition_dataset and label_histograms: the contract in workloads/data/partition.hpp.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "workloads/data/partition.hpp"
#include "workloads/rng.hpp"

using namespace flemu;

namespace {

/// n labels, exactly n/num_classes of each class, in a seeded random order.
std::vector<uint8_t> balanced_labels(int n, int num_classes, uint64_t seed) {
  std::vector<uint8_t> labels(n);
  for (int i = 0; i < n; ++i) labels[i] = uint8_t(i % num_classes);
  Rng rng(seed);
  rng.shuffle(labels);
  return labels;
}

PartitionSpec iid_spec() { return PartitionSpec{PartitionScheme::Iid, 0.5, 2}; }
PartitionSpec dirichlet_spec(double alpha) { return PartitionSpec{PartitionScheme::Dirichlet, alpha, 2}; }
PartitionSpec shards_spec(int shards) { return PartitionSpec{PartitionScheme::Shards, 0.5, shards}; }

/// Checks sizes, ascending order, index range and that no index is given twice.
void check_well_formed(const Partition& p, size_t dataset_size, int num_clients, int samples_per_client) {
  REQUIRE(int(p.size()) == num_clients);
  std::set<int32_t> seen;
  for (const auto& client : p) {
    REQUIRE(int(client.size()) == samples_per_client);
    REQUIRE(std::is_sorted(client.begin(), client.end()));
    for (int32_t i : client) {
      REQUIRE(i >= 0);
      REQUIRE(size_t(i) < dataset_size);
      REQUIRE(seen.insert(i).second);  // false: a second client already holds i
    }
  }
}

/// Per-client label skew: mean over clients of the largest class fraction, and mean
/// KL(client || global) in nats (zero-count classes of a client contribute nothing).
struct Skew {
  double max_fraction = 0, kl = 0;
};
Skew label_skew(const std::vector<uint8_t>& labels, int num_classes, const Partition& p) {
  std::vector<double> global(num_classes, 0);
  for (auto l : labels) global[l] += 1.0 / labels.size();
  Skew s;
  for (const auto& h : label_histograms(labels, num_classes, p)) {
    double total = 0;
    for (int x : h) total += x;
    s.max_fraction += *std::max_element(h.begin(), h.end()) / total;
    for (int k = 0; k < num_classes; ++k) {
      if (h[k] > 0) s.kl += (h[k] / total) * std::log((h[k] / total) / global[k]);
    }
  }
  s.max_fraction /= p.size();
  s.kl /= p.size();
  return s;
}

int distinct_labels(const std::vector<int>& histogram) {
  return int(std::count_if(histogram.begin(), histogram.end(), [](int x) { return x > 0; }));
}

}  // namespace

TEST_CASE("every scheme gives each client samples_per_client distinct indices, none shared",
          "[partition]") {
  const auto labels = balanced_labels(10000, 10, 7);
  const PartitionSpec specs[] = {iid_spec(), dirichlet_spec(100), dirichlet_spec(1), dirichlet_spec(0.1),
                                 dirichlet_spec(0.01), shards_spec(1), shards_spec(2), shards_spec(5)};
  for (const auto& spec : specs) {
    CAPTURE(int(spec.scheme), spec.alpha, spec.shards_per_client);
    SECTION("part of the set") { check_well_formed(partition_dataset(labels, 10, 40, 200, spec, 1), labels.size(), 40, 200); }
    SECTION("the whole set") { check_well_formed(partition_dataset(labels, 10, 50, 200, spec, 1), labels.size(), 50, 200); }
  }
}

TEST_CASE("a partition that uses every sample uses each exactly once", "[partition]") {
  // With alpha = 0.05 the class pools run dry long before the last client: the refill path.
  const auto labels = balanced_labels(6000, 10, 3);
  for (const auto& spec : {iid_spec(), dirichlet_spec(0.05), shards_spec(2)}) {
    const auto p = partition_dataset(labels, 10, 30, 200, spec, 11);
    std::vector<int> uses(labels.size(), 0);
    for (const auto& client : p)
      for (int32_t i : client) ++uses[i];
    CHECK(std::all_of(uses.begin(), uses.end(), [](int u) { return u == 1; }));
  }
}

TEST_CASE("partitions are a function of the seed", "[partition]") {
  const auto labels = balanced_labels(5000, 10, 5);
  for (const auto& spec : {iid_spec(), dirichlet_spec(0.5), shards_spec(2)}) {
    CAPTURE(int(spec.scheme));
    const auto a = partition_dataset(labels, 10, 20, 100, spec, 42);
    const auto b = partition_dataset(labels, 10, 20, 100, spec, 42);
    const auto c = partition_dataset(labels, 10, 20, 100, spec, 43);
    CHECK(a == b);
    CHECK(a != c);
  }
}

TEST_CASE("IID clients see close to the global label distribution", "[partition]") {
  // 1000 samples per client from a balanced set: each class count is ~ 100 +- 9.5 (hypergeometric).
  const auto labels = balanced_labels(20000, 10, 9);
  const auto p = partition_dataset(labels, 10, 10, 1000, iid_spec(), 2);
  for (const auto& h : label_histograms(labels, 10, p)) {
    for (int count : h) {
      CHECK(count > 60);
      CHECK(count < 140);
    }
  }
}

TEST_CASE("Dirichlet label skew grows as alpha shrinks", "[partition]") {
  // Half the set is handed out, so the refill path rarely dilutes the skew.
  const auto labels = balanced_labels(20000, 10, 13);
  std::vector<Skew> skews;
  for (double alpha : {100.0, 1.0, 0.1}) {
    skews.push_back(label_skew(labels, 10, partition_dataset(labels, 10, 50, 200, dirichlet_spec(alpha), 4)));
  }
  // Shown on failure, or always with -s.
  INFO("mean max-class fraction at alpha 100, 1, 0.1: " << skews[0].max_fraction << ", "
       << skews[1].max_fraction << ", " << skews[2].max_fraction);
  INFO("mean KL(client||global) in nats at alpha 100, 1, 0.1: " << skews[0].kl << ", " << skews[1].kl
       << ", " << skews[2].kl);
  CHECK(skews[0].max_fraction < skews[1].max_fraction);
  CHECK(skews[1].max_fraction < skews[2].max_fraction);
  CHECK(skews[0].kl < skews[1].kl);
  CHECK(skews[1].kl < skews[2].kl);
  // Dir(100) is near uniform; Dir(0.1) puts most of a client's mass on one or two classes.
  CHECK(skews[0].max_fraction < 0.2);
  CHECK(skews[2].max_fraction > 0.6);
}

TEST_CASE("Dirichlet at the extremes: alpha near 0 is one class per client, huge alpha uniform", "[partition]") {
  // Each Gamma(1e-300) draw underflows to 0; the proportions used to fall back to uniform, the
  // very opposite of what alpha -> 0 means (outputs were identical to alpha = 1e300).
  const auto labels = balanced_labels(20000, 10, 13);
  const Skew tiny = label_skew(labels, 10, partition_dataset(labels, 10, 50, 200, dirichlet_spec(1e-300), 4));
  const Skew huge = label_skew(labels, 10, partition_dataset(labels, 10, 50, 200, dirichlet_spec(1e300), 4));
  INFO("mean max-class fraction: alpha 1e-300 " << tiny.max_fraction << ", alpha 1e300 " << huge.max_fraction);
  CHECK(tiny.max_fraction > 0.95);
  CHECK(huge.max_fraction < 0.15);
  // The Dirichlet draw itself: one-hot for alpha near 0, sums to 1.
  Rng rng(3);
  const auto p = rng.dirichlet(10, 1e-300);
  CHECK(*std::max_element(p.begin(), p.end()) == 1.0);
  double total = 0;
  for (double x : p) total += x;
  CHECK(total == 1.0);
}

TEST_CASE("label-pure shards give a client at most shards_per_client labels", "[partition]") {
  // 600 of each class and shards of 100: every shard holds one label.
  const auto labels = balanced_labels(6000, 10, 17);
  for (int shards : {1, 2, 4}) {
    const auto p = partition_dataset(labels, 10, 30, 200 / shards * shards, shards_spec(shards), 8);
    for (const auto& h : label_histograms(labels, 10, p)) CHECK(distinct_labels(h) <= shards);
  }
}

TEST_CASE("shards that straddle a label boundary give at most 2*shards_per_client labels",
          "[partition]") {
  // 1000 of each class and shards of 30: some shards hold the end of one class and the start
  // of the next, never more (each class is longer than a shard).
  const auto labels = balanced_labels(10000, 10, 19);
  const auto p = partition_dataset(labels, 10, 166, 60, shards_spec(2), 8);  // 332 of 333 shards
  int most = 0;
  for (const auto& h : label_histograms(labels, 10, p)) most = std::max(most, distinct_labels(h));
  CHECK(most <= 4);
  CHECK(most > 2);  // otherwise this test would not exercise the straddling case
}

TEST_CASE("label_histograms counts each client's labels", "[partition]") {
  const std::vector<uint8_t> labels{0, 1, 1, 2, 2, 2};
  const Partition p{{0, 1}, {2, 3, 4, 5}, {}};
  const std::vector<std::vector<int>> want{{1, 1, 0}, {0, 1, 3}, {0, 0, 0}};
  CHECK(label_histograms(labels, 3, p) == want);
  CHECK_THROWS_AS(label_histograms(labels, 3, Partition{{6}}), std::invalid_argument);
  CHECK_THROWS_AS(label_histograms(labels, 2, p), std::invalid_argument);
}

TEST_CASE("invalid partition requests throw std::invalid_argument", "[partition]") {
  using Catch::Contains;
  const auto labels = balanced_labels(1000, 10, 1);
  CHECK_THROWS_WITH(partition_dataset(labels, 10, 11, 100, iid_spec(), 1),
                    Contains("1100 samples needed") && Contains("only 1000"));
  CHECK_THROWS_AS(partition_dataset(labels, 10, 11, 100, dirichlet_spec(1), 1), std::invalid_argument);
  CHECK_THROWS_AS(partition_dataset(labels, 10, 0, 100, iid_spec(), 1), std::invalid_argument);
  CHECK_THROWS_AS(partition_dataset(labels, 10, 10, 0, iid_spec(), 1), std::invalid_argument);
  CHECK_THROWS_AS(partition_dataset(labels, 10, -1, 100, iid_spec(), 1), std::invalid_argument);
  CHECK_THROWS_AS(partition_dataset(labels, 0, 10, 10, iid_spec(), 1), std::invalid_argument);
  CHECK_THROWS_WITH(partition_dataset(labels, 5, 10, 10, iid_spec(), 1), Contains("label"));
  CHECK_THROWS_WITH(partition_dataset(labels, 10, 10, 10, dirichlet_spec(0), 1), Contains("alpha"));
  CHECK_THROWS_AS(partition_dataset(labels, 10, 10, 10, dirichlet_spec(-1), 1), std::invalid_argument);
  CHECK_THROWS_AS(partition_dataset(labels, 10, 10, 10, dirichlet_spec(NAN), 1), std::invalid_argument);
  CHECK_THROWS_AS(partition_dataset(labels, 10, 10, 10, dirichlet_spec(INFINITY), 1), std::invalid_argument);
  CHECK_THROWS_WITH(partition_dataset(labels, 10, 10, 10, shards_spec(0), 1), Contains("shards_per_client"));
  CHECK_THROWS_WITH(partition_dataset(labels, 10, 10, 10, shards_spec(3), 1), Contains("multiple"));
  // 2^31 clients x 1 sample must not overflow into a small product.
  CHECK_THROWS_AS(partition_dataset(labels, 10, INT32_MAX, 2, iid_spec(), 1), std::invalid_argument);
}
