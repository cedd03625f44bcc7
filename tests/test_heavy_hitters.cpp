// Federated heavy hitters as pure maths (algorithms/analytics): PEM, PEM per party, TAP-like
// and TAPS-like on the card's zipf-fed workload (analytics-and-data.md A.9), cut to 10^5
// users; the 10^6-user numbers are in scenarios/studies/heavy-hitters/.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <numeric>
#include <set>

#include "algorithms/analytics/federated_heavy_hitters.hpp"
#include "algorithms/analytics/heavy_hitter_metrics.hpp"
#include "workloads/data/fortunes.hpp"
#include "workloads/data/item_population.hpp"
#include "workloads/data/item_workload.hpp"

using namespace flemu;
using namespace flemu::analytics;

namespace {

struct Score {
  double f1 = 0, ncr = 0;
};

Score mean_score(HhMethod method, double eps, double beta, uint64_t users, int seeds, bool fast,
                 OracleKind oracle = OracleKind::Olh, int parties = 5) {
  Score s;
  ZipfItemsSpec z;
  z.skew = beta;
  const std::vector<uint64_t> party_users(static_cast<size_t>(parties), users / static_cast<uint64_t>(parties));
  for (int seed = 0; seed < seeds; ++seed) {
    const auto items = zipf_party_items(z, party_users, 1000 + static_cast<uint64_t>(seed));
    HhParams p;
    p.method = method;
    p.epsilon = eps;
    p.oracle = oracle;
    const auto out = run_heavy_hitters(make_hh_plan(p, party_users, static_cast<uint64_t>(seed)), items,
                                       static_cast<uint64_t>(seed), fast);
    const auto q = score_top_k(out.top, true_counts(items), p.k);
    s.f1 += q.f1 / seeds, s.ncr += q.ncr / seeds;
  }
  return s;
}

}  // namespace

TEST_CASE("top-k scores: F1, NCR and relative error by hand", "[analytics]") {
  TrueCounts t = true_counts({{1, 1, 1, 1, 2, 2, 2, 3, 3, 4}});
  REQUIRE(t.ranked.size() == 4);
  CHECK(t.ranked[0].item == 1);
  // k = 2: T = {1, 2}. Returned {2, 3}: one hit of rank 2.
  auto q = score_top_k({{2, 3.0}, {3, 9.0}}, t, 2);
  CHECK(q.hits == 1);
  CHECK(q.precision == 0.5);
  CHECK(q.recall == 0.5);
  CHECK(q.f1 == 0.5);
  CHECK(q.ncr == Approx(1.0 / 3));  // rank 2 of k=2 scores 1, out of 1 + 2
  CHECK(q.relative_error == 0.0);
  CHECK(score_top_k({}, t, 2).f1 == 0);
}

TEST_CASE("zipf-fed workload: skew moves users to private items, deterministic", "[analytics]") {
  ZipfItemsSpec z;
  z.distinct = 1000, z.private_items = 50;
  const std::vector<uint64_t> users{3000, 3000};
  z.skew = 1.0;
  const auto disjoint = zipf_party_items(z, users, 4);
  std::set<uint64_t> a(disjoint[0].begin(), disjoint[0].end()), b(disjoint[1].begin(), disjoint[1].end());
  for (uint64_t v : a) CHECK_FALSE(b.count(v));
  CHECK(a.size() <= 50);
  z.skew = 0;
  const auto iid = zipf_party_items(z, users, 4);
  CHECK(iid == zipf_party_items(z, users, 4));
  CHECK(true_counts(iid).ranked[0].count > 3000 * 2 * 0.1);  // rank 1 of Zipf(1.1) over 1000 items: ~15%
  CHECK(encode_string("abc", 48) == (0x63ULL << 16 | 0x62ULL << 8 | 0x61ULL));
  CHECK(decode_string(encode_string("keyboard", 48), 48) == "keyboa");  // truncated to 6 bytes
  z.bits = 8;
  CHECK_THROWS(zipf_party_items(z, users, 4));  // 1000 codes cannot fit in 8 bits
}

TEST_CASE("level plans: PEM's s0 and eta, TAP's shared and independent levels", "[analytics]") {
  HhParams p;
  p.k = 10, p.item_bits = 32, p.step_bits = 4;
  p.method = HhMethod::Pem;
  CHECK(level_bits(p) == std::vector<int>{4, 8, 12, 16, 20, 24, 28, 32});  // s0 = floor(log2 10) + 1
  p.k = 20;
  CHECK(level_bits(p) == std::vector<int>{5, 9, 13, 17, 21, 25, 29, 32});
  p.method = HhMethod::Tap;
  CHECK(level_bits(p) == std::vector<int>{4, 8, 12, 16, 20, 24, 28, 32});
  CHECK(tap_phase1_levels(p) == 2);
  p.phase1_share = 0.5;
  const auto shares = level_shares(p);
  CHECK(shares[0] == Approx(0.25));
  CHECK(shares[7] == Approx(0.5 / 6));
  p.shared_bits = 6;
  CHECK_THROWS(check_params(p));  // not a multiple of step_bits
}

TEST_CASE("PEM in one party: F1 grows with epsilon and is 1 without noise", "[analytics]") {
  for (OracleKind oracle : {OracleKind::Olh, OracleKind::Grr}) {
    const double low = mean_score(HhMethod::Pem, 1.0, 0, 20000, 3, false, oracle, 1).f1;
    const double high = mean_score(HhMethod::Pem, 4.0, 0, 20000, 3, false, oracle, 1).f1;
    INFO(to_string(oracle) << ": F1 eps=1 " << low << ", eps=4 " << high);
    CHECK(low < high);
  }
  // eps = infinity (p = 1, q = 0): counts are exact, so with heavy hitters far above the tail
  // (no sampling doubt between the level groups) PEM finds all of them, and the users whose
  // prefix is no candidate land in the residual slot without disturbing anything.
  std::vector<uint64_t> items;
  for (uint64_t v = 0; v < 10; ++v) items.insert(items.end(), 1000, 0x9E3779B9u * (v + 1) & 0xFFFFFFFFu);
  for (uint64_t v = 0; v < 1000; ++v) items.insert(items.end(), 5, 0x85EBCA6Bu * (v + 11) & 0xFFFFFFFFu);
  for (OracleKind oracle : {OracleKind::Olh, OracleKind::Grr}) {
    HhParams p;
    p.method = HhMethod::Pem, p.oracle = oracle, p.epsilon = INFINITY;
    const std::vector<uint64_t> users{items.size()};
    const auto out = run_heavy_hitters(make_hh_plan(p, users, 1), {items}, 1);
    CHECK(score_top_k(out.top, true_counts({items}), 10).f1 == 1.0);
  }
}

TEST_CASE("every user reports once; bytes follow the wire formulas", "[analytics]") {
  ZipfItemsSpec z;
  z.skew = 0.3;
  const std::vector<uint64_t> users{1500, 2500, 1000};
  const auto items = zipf_party_items(z, users, 9);
  for (HhMethod m : {HhMethod::Pem, HhMethod::PemLocal, HhMethod::Tap, HhMethod::Taps}) {
    HhParams p;
    p.method = m;
    const auto plan = make_hh_plan(p, users, 9);
    const auto out = run_heavy_hitters(plan, items, 9);
    INFO(to_string(m));
    CHECK(out.reports == 5000);
    CHECK(out.bytes_user_up == 5.0 * 5000);  // OLH: 5 bytes per user, card check 5
    CHECK(out.bytes_user_down == 0);         // OLH needs no candidate download
    CHECK(out.top.size() == 10);
    // Same seed, same answer; another seed, other reports.
    const auto again = run_heavy_hitters(plan, items, 9);
    CHECK(again.top.front().count == out.top.front().count);
    if (m == HhMethod::PemLocal) CHECK(out.bytes_party_up == 3.0 * wire::item_counts(10, 32));
  }
  HhParams grr;
  grr.method = HhMethod::Tap;
  grr.oracle = OracleKind::Grr;
  const auto out = run_heavy_hitters(make_hh_plan(grr, users, 9), items, 9);
  CHECK(out.bytes_user_down > 0);  // GRR users download their level's candidates first (card trap 6)
}

TEST_CASE("per-user path and fast path agree on the answer's quality", "[analytics]") {
  const Score slow = mean_score(HhMethod::Tap, 4.0, 0.6, 20000, 4, false);
  const Score fast = mean_score(HhMethod::Tap, 4.0, 0.6, 20000, 4, true);
  INFO("F1 per-user " << slow.f1 << ", fast " << fast.f1);
  CHECK(std::abs(slow.f1 - fast.f1) < 0.15);
}

TEST_CASE("zipf-fed at 10^5 users, beta 0.6: the federated ordering of the card", "[analytics]") {
  // Card check 3 (qualitative): local PEM + merge < TAP-like <= TAPS-like, pooled PEM near the
  // top. 10 seeds, fast path, eps = 4 (at eps <= 2 and 10^5 users all methods are noise-bound).
  const Score local = mean_score(HhMethod::PemLocal, 4.0, 0.6, 100000, 10, true);
  const Score tap = mean_score(HhMethod::Tap, 4.0, 0.6, 100000, 10, true);
  const Score taps = mean_score(HhMethod::Taps, 4.0, 0.6, 100000, 10, true);
  const Score pooled = mean_score(HhMethod::Pem, 4.0, 0.6, 100000, 10, true);
  INFO("F1 local " << local.f1 << ", TAP " << tap.f1 << ", TAPS " << taps.f1 << ", pooled " << pooled.f1);
  CHECK(local.f1 < tap.f1);
  CHECK(local.f1 < taps.f1);
  CHECK(pooled.f1 >= local.f1);
}

TEST_CASE("fortunes items: parties are categories, each user holds a real word of its category", "[analytics][fortunes]") {
  if (!std::filesystem::is_directory(kFortunesDir)) {
    WARN("fortunes not installed (run setup.sh): skipping");
    return;
  }
  const FortunesCorpus corpus = load_fortunes();
  ItemsSpec spec;
  spec.source = ItemsSpec::Source::Fortunes;
  spec.bits = 64;
  spec.categories = {"computers", "cookie", "science"};
  const uint64_t users = 3000;
  const auto pop = make_item_population(spec, 3, users, 7);
  CHECK(pop.party_names == spec.categories);
  REQUIRE(pop.items.size() == 3);
  // Party sizes: one user each, the rest in proportion to the categories' words.
  std::vector<int64_t> words;
  for (const auto& c : spec.categories) {
    int64_t n = 0;
    for (const auto& [w, k] : word_counts(corpus.texts_of(c))) n += k;
    words.push_back(n);
  }
  const double all = static_cast<double>(words[0] + words[1] + words[2]);
  CHECK(std::accumulate(pop.party_users.begin(), pop.party_users.end(), uint64_t{0}) == users);
  for (size_t j = 0; j < 3; ++j) {
    INFO(spec.categories[j]);
    CHECK(pop.items[j].size() == pop.party_users[j]);
    CHECK(std::abs(static_cast<double>(pop.party_users[j]) - 1 - (users - 3) * words[j] / all) <= 1.0);
    // Every item is a word of the party's category, and (fewer users than words: one pass
    // without replacement) no word is held more often than the category uses it.
    std::map<uint64_t, int64_t> occurs, held;
    for (const auto& [w, k] : word_counts(corpus.texts_of(spec.categories[j]))) occurs[encode_string(w, 64)] += k;
    for (uint64_t item : pop.items[j]) ++held[item];
    for (const auto& [item, k] : held) {
      INFO(decode_string(item, 64));
      REQUIRE(occurs.count(item));
      CHECK(k <= occurs[item]);
    }
  }
  // Real text: "the" is the most held word overall.
  CHECK(decode_string(true_counts(pop.items).ranked[0].item, 64) == "the");
  // Deterministic; the seed changes the draw, not the parties.
  CHECK(make_item_population(spec, 3, users, 7).items == pop.items);
  const auto other = make_item_population(spec, 3, users, 8);
  CHECK(other.items != pop.items);
  CHECK(other.party_users == pop.party_users);
  // Equal parties.
  spec.proportional_parties = false;
  CHECK(make_item_population(spec, 3, users, 7).party_users == std::vector<uint64_t>{1000, 1000, 1000});
  // More users than words: the category is used in whole shuffled passes (pratchett: one
  // cookie); 48-bit items truncate words to 6 bytes.
  spec.categories = {"pratchett"};
  spec.bits = 48;
  int64_t pratchett = 0;
  for (const auto& [w, k] : word_counts(corpus.texts_of("pratchett"))) pratchett += k;
  const auto small = make_item_population(spec, 1, static_cast<uint64_t>(3 * pratchett), 1);
  std::map<uint64_t, int64_t> held;
  for (uint64_t item : small.items[0]) ++held[item];
  std::map<uint64_t, int64_t> occurs;
  for (const auto& [w, k] : word_counts(corpus.texts_of("pratchett"))) occurs[encode_string(w, 48)] += k;
  for (const auto& [item, k] : occurs) CHECK(held[item] == 3 * k);
  // No categories named: the ones with the most words.
  spec.categories.clear();
  std::vector<std::pair<int64_t, std::string>> sizes;
  for (const auto& c : corpus.categories) {
    int64_t n = 0;
    for (const auto& [w, k] : word_counts(corpus.texts_of(c))) n += k;
    sizes.push_back({-n, c});
  }
  std::sort(sizes.begin(), sizes.end());
  CHECK(make_item_population(spec, 2, 100, 1).party_names == std::vector<std::string>{sizes[0].second, sizes[1].second});
  // Clear errors.
  spec.categories = {"no-such-category"};
  CHECK_THROWS_WITH(make_item_population(spec, 1, 10, 1), Catch::Contains("no-such-category"));
  spec.categories = {"cookie", "science"};
  CHECK_THROWS_WITH(make_item_population(spec, 2, 1, 1), Catch::Contains("at least one user per party"));
  spec.bits = 12;
  CHECK_THROWS_WITH(make_item_population(spec, 2, 10, 1), Catch::Contains("bits must be 8, 16"));
  spec.bits = 48;
  spec.corpus = "/nonexistent/fortunes";
  CHECK_THROWS_WITH(make_item_population(spec, 2, 10, 1), Catch::Contains("fortunes"));
}
