// Frequency oracles (GRR, OUE, OLH) against their exact variance formula, on many seeded
// trials: the card's check 1 (analytics-and-data.md A.9), at n = 5,000 users here (the formula
// is exact at any n; the card's n = 10^5 runs as the hidden test "[.card]").
#include <catch2/catch.hpp>

#include <cmath>

#include "algorithms/analytics/binomial.hpp"
#include "algorithms/analytics/frequency_oracle.hpp"
#include "algorithms/analytics/prefix_tree.hpp"

using namespace flemu;
using namespace flemu::analytics;

namespace {

struct Moments {
  double mean_z = 0, mean_z2 = 0;  ///< pooled over values and trials: z = (c^ - c) / sd_formula
  double worst_mean_se = 0;        ///< largest |mean c^ - c| of one value, in standard errors of its mean
  int samples = 0;
};

/// `trials` runs over `d` values whose true counts decay (so n_v differs), per-user reports or
/// the fast path; errors normalised by the exact formula.
Moments oracle_moments(OracleKind kind, double eps, uint64_t n, uint64_t d, int trials, bool fast) {
  std::vector<uint64_t> holders(d);
  uint64_t left = n;
  for (uint64_t v = 0; v < d; ++v) left -= holders[v] = v + 1 == d ? left : std::min<uint64_t>(left, n / (4 * (v + 1)));
  std::vector<uint64_t> truth;
  for (uint64_t v = 0; v < d; ++v) truth.insert(truth.end(), holders[v], v);
  const FrequencyOracle fo = make_oracle(kind, eps, d);
  std::vector<uint64_t> values(d);
  for (uint64_t v = 0; v < d; ++v) values[v] = v;
  std::vector<double> sum(d, 0.0);
  Moments m;
  for (int t = 0; t < trials; ++t) {
    std::vector<double> support;
    Rng rng(derive_seed(77, {static_cast<uint64_t>(kind), static_cast<uint64_t>(t), fast}));
    if (fast) {
      support = sample_support_counts(fo, holders, n, rng);
    } else {
      std::vector<Report> reports;
      reports.reserve(n);
      for (uint64_t v : truth) reports.push_back(perturb(fo, v, rng));
      support = support_counts(fo, reports, values);
    }
    const auto c = estimate_counts(fo, support, n);
    for (uint64_t v = 0; v < d; ++v) {
      const double z = (c[v] - holders[v]) / std::sqrt(count_variance(fo, n, holders[v]));
      m.mean_z += z, m.mean_z2 += z * z, ++m.samples;
      sum[v] += c[v];
    }
  }
  m.mean_z /= m.samples, m.mean_z2 /= m.samples;
  for (uint64_t v = 0; v < d; ++v) {
    const double se = std::sqrt(count_variance(fo, n, holders[v]) / trials);
    m.worst_mean_se = std::max(m.worst_mean_se, std::abs(sum[v] / trials - holders[v]) / se);
  }
  return m;
}

}  // namespace

TEST_CASE("oracle probabilities and wire sizes follow the formulas", "[analytics][oracle]") {
  const double e = std::exp(1.0);
  auto grr = make_oracle(OracleKind::Grr, 1.0, 64);
  CHECK(grr.p == Approx(e / (e + 63)));
  CHECK(grr.q == Approx(1 / (e + 63)));
  CHECK(report_bytes(grr) == 1);  // 6 bits
  auto oue = make_oracle(OracleKind::Oue, 1.0, 64);
  CHECK(oue.p == 0.5);
  CHECK(oue.q == Approx(1 / (e + 1)));
  CHECK(report_bytes(oue) == 8);
  auto olh = make_oracle(OracleKind::Olh, 1.0);
  CHECK(olh.g == 3);  // floor(e) + 1, as PEM's code
  CHECK(olh.p == Approx(e / (e + 2)));
  CHECK(olh.q == Approx(1.0 / 3));
  CHECK(report_bytes(olh) == 5);  // card A.6: 5 bytes for eps <= 5.5
  CHECK(report_bytes(make_oracle(OracleKind::Olh, 5.5)) == 5);
  CHECK(report_bytes(make_oracle(OracleKind::Olh, 8.0)) == 6);
  // Rare-value variance is the textbook n q (1 - q) / (p - q)^2.
  CHECK(count_variance(grr, 1e5, 0) == Approx(1e5 * grr.q * (1 - grr.q) / std::pow(grr.p - grr.q, 2)));
  CHECK_THROWS(make_oracle(OracleKind::Grr, 1.0, 1));
  CHECK_THROWS(make_oracle(OracleKind::Olh, 0.0));
}

TEST_CASE("per-user reports: unbiased, variance as the exact formula", "[analytics][oracle]") {
  for (OracleKind kind : {OracleKind::Grr, OracleKind::Oue, OracleKind::Olh})
    for (double eps : {1.0, 4.0}) {
      const Moments m = oracle_moments(kind, eps, 5000, 64, 200, /*fast=*/false);
      INFO(to_string(kind) << " eps " << eps << ": mean z " << m.mean_z << ", mean z^2 " << m.mean_z2
                           << ", worst value " << m.worst_mean_se << " SE");
      CHECK(std::abs(m.mean_z) < 3 / std::sqrt(200.0));  // the pooled mean, in standard errors of one trial's mean
      CHECK(m.worst_mean_se < 4);                         // every value's mean within 4 SE (64 values)
      CHECK(m.mean_z2 == Approx(1).epsilon(0.10));        // empirical variance within 10% of the formula
    }
}

TEST_CASE("fast path: support counts drawn directly have the same law", "[analytics][oracle]") {
  for (OracleKind kind : {OracleKind::Grr, OracleKind::Oue, OracleKind::Olh}) {
    const Moments m = oracle_moments(kind, 2.0, 100000, 64, 200, /*fast=*/true);
    INFO(to_string(kind) << ": mean z " << m.mean_z << ", mean z^2 " << m.mean_z2);
    CHECK(std::abs(m.mean_z) < 3 / std::sqrt(200.0));
    CHECK(m.worst_mean_se < 4);
    CHECK(m.mean_z2 == Approx(1).epsilon(0.10));
  }
}

TEST_CASE("the card's setting: n = 10^5, eps 1 and 4, d = 64, 200 seeds", "[.card]") {
  for (OracleKind kind : {OracleKind::Grr, OracleKind::Oue, OracleKind::Olh})
    for (double eps : {1.0, 4.0}) {
      const Moments m = oracle_moments(kind, eps, 100000, 64, 200, false);
      WARN(to_string(kind) << " eps " << eps << ": mean z " << m.mean_z << ", var ratio " << m.mean_z2 << ", worst "
                           << m.worst_mean_se << " SE");
      CHECK(m.worst_mean_se < 4);
      CHECK(m.mean_z2 == Approx(1).epsilon(0.10));
    }
}

TEST_CASE("binomial sampler: mean and variance, edge cases", "[analytics][oracle]") {
  Rng rng(3);
  CHECK(sample_binomial(0, 0.3, rng) == 0);
  CHECK(sample_binomial(10, 0.0, rng) == 0);
  CHECK(sample_binomial(10, 1.0, rng) == 10);
  for (auto [n, p] : {std::pair<uint64_t, double>{20, 0.3}, {1000000, 0.5}, {1000000, 0.0003}, {50, 0.97}}) {
    double s = 0, s2 = 0;
    const int draws = 4000;
    for (int i = 0; i < draws; ++i) {
      const double x = static_cast<double>(sample_binomial(n, p, rng));
      REQUIRE(x <= static_cast<double>(n));
      s += x, s2 += x * x;
    }
    const double mean = s / draws, var = s2 / draws - mean * mean, nd = static_cast<double>(n);
    INFO("n " << n << " p " << p);
    CHECK(std::abs(mean - nd * p) < 4 * std::sqrt(nd * p * (1 - p) / draws));
    CHECK(var == Approx(nd * p * (1 - p)).epsilon(0.1));
  }
  const auto m = sample_uniform_multinomial(1000, 7, rng);
  uint64_t total = 0;
  for (auto x : m) total += x;
  CHECK(total == 1000);
}

TEST_CASE("prefix tree: bit order, extension, candidate domain with an other slot", "[analytics]") {
  CHECK(prefix_of(0xABCD, 8) == 0xCD);  // low-order bits first (PEM's order)
  CHECK(extend_prefixes({0x1, 0x3}, 2, 3) == std::vector<uint64_t>{0x1, 0x5, 0x3, 0x7});
  CHECK(all_prefixes(2) == std::vector<uint64_t>{0, 1, 2, 3});
  const CandidateDomain dom({0x5, 0x9}, 4);
  CHECK(dom.index_of_item(0xF5) == 0);
  CHECK(dom.index_of_item(0xF9) == 1);
  CHECK(dom.index_of_item(0xF1) == 2);  // outside: the other slot, still reported (card trap 4)
  CHECK(dom.oracle(OracleKind::Grr, 1.0).domain == 3);
  CHECK(group_sizes(10, 3) == std::vector<uint64_t>{4, 3, 3});
  CHECK(group_sizes(10, 2, {0.25, 0.75}) == std::vector<uint64_t>{3, 7});
  const auto g = assign_groups(10, {4, 3, 3}, 1);
  CHECK(std::count(g.begin(), g.end(), 0) == 4);
  CHECK(top_indices({1, 3, 3, 2}, {10, 11, 9, 12}, 3) == std::vector<size_t>{2, 1, 3});  // ties: smaller value first
}
