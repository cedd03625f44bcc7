// Heavy hitters as a network emulation (`flemu run` on an analytics scenario): the emulation
// reproduces the time-free reference exactly, every user reports once with the bytes of the
// card's formulas, TAPS's time grows with the number of parties while TAP's does not, GRR
// costs a candidate download per user, and users that are offline are waited for or missed.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "algorithms/analytics/federated_heavy_hitters.hpp"
#include "emulator/core/analytics_run.hpp"
#include "workloads/data/fortunes.hpp"
#include "workloads/data/item_workload.hpp"
#include "test_support.hpp"

using namespace flemu;
using namespace flemu::test;
using nlohmann::json;

namespace {

json hh_scenario(const std::string& method, int parties, int users, const std::string& out) {
  json j = json::parse(R"({
    "seed": 11,
    "platform": {
      "network": "exact",
      "server": {"speed": "20Gf", "latency": "2ms"},
      "classes": [
        {"name": "party", "count": 3, "speed": "2Gf", "bandwidth": "100Mbps", "latency": "10ms"},
        {"name": "phone", "count": 300, "speed": "1Gf", "uplink": "1Mbps", "downlink": "8Mbps", "latency": "30ms", "jitter": 0.2}
      ]
    },
    "workload": {"items": {"source": "zipf", "distinct": 2000, "skew": 0.4, "private_items": 100, "bits": 24,
                           "arrival_spread": "60s"}},
    "algorithm": {"name": "tap", "epsilon": 4, "k": 5, "flops_per_check": 200}
  })");
  j["algorithm"]["name"] = method;
  j["platform"]["classes"][0]["count"] = parties;
  j["platform"]["classes"][1]["count"] = users;
  j["output"]["directory"] = out;
  return j;
}

json run_ok(const json& scenario, const std::filesystem::path& dir, int jobs = 1) {
  const auto path = dir / "scenario.json";
  write_file(path, scenario.dump(2));
  auto r = run_flemu("run --quiet --jobs " + std::to_string(jobs) + " " + path.string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  return json::parse(read_file(std::filesystem::path(scenario["output"]["directory"].get<std::string>()) / "summary.json"));
}

std::vector<std::pair<std::string, double>> read_topk(const std::filesystem::path& file) {
  std::vector<std::pair<std::string, double>> rows;
  std::istringstream in(read_file(file));
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream l(line);
    while (std::getline(l, cell, ',')) cells.push_back(cell);
    rows.emplace_back(cells[1].substr(1, cells[1].size() - 2), std::stod(cells[2]));
  }
  return rows;
}

}  // namespace

TEST_CASE("analytics emulation gives the reference's answer and the card's bytes", "[analytics][e2e]") {
  for (const std::string method : {"pem", "pem-local", "tap", "taps"}) {
    const auto dir = scratch_dir("hh-" + method);
    const json scenario = hh_scenario(method, 3, 300, (dir / "out").string());
    const json summary = run_ok(scenario, dir);
    INFO(method << ": " << summary.dump());
    CHECK(summary["reports"] == 300);  // everyone reports once (always on, window long enough)
    CHECK(summary["missed_users"] == 0);
    CHECK(summary["bytes"]["user_to_party"] == 5.0 * 300);  // OLH: 5 bytes per user, exactly
    CHECK(summary["bytes"]["party_to_user"] == 0);

    // The same population and plan, as pure maths.
    const Scenario sc = load_scenario(scenario, "mem.json");
    const AnalyticsLayout layout = analytics_layout(sc);
    const auto plan = analytics::make_hh_plan(sc.algorithm.heavy_hitters, layout.population.party_users, sc.seed);
    const auto reference = analytics::run_heavy_hitters(plan, layout.population.items, sc.seed);
    const auto emulated = read_topk(dir / "out" / "topk.csv");
    REQUIRE(emulated.size() == reference.top.size());
    for (size_t i = 0; i < emulated.size(); ++i) {
      CHECK(emulated[i].first == fmt::format("{:06x}", reference.top[i].item));
      CHECK(emulated[i].second == reference.top[i].count);
    }
    CHECK(summary["bytes"]["party_to_aggregator"] == reference.bytes_party_up);
    CHECK(summary["bytes"]["aggregator_to_party"] == reference.bytes_party_down);
    CHECK(summary["missing_estimates"] == reference.missing);
  }
}

TEST_CASE("fortunes items: real words, parties = categories, the emulation gives the reference's answer", "[analytics][e2e][fortunes]") {
  if (!std::filesystem::is_directory(kFortunesDir)) {
    WARN("fortunes not installed (run setup.sh): skipping");
    return;
  }
  const auto dir = scratch_dir("hh-fortunes");
  json scenario = hh_scenario("tap", 3, 300, (dir / "out").string());
  scenario["workload"]["items"] = {{"source", "fortunes"}, {"categories", {"computers", "cookie", "science"}}, {"bits", 48}};
  const json summary = run_ok(scenario, dir);
  INFO(summary.dump());
  CHECK(summary["reports"] == 300);
  const Scenario sc = load_scenario(scenario, "mem.json");
  const AnalyticsLayout layout = analytics_layout(sc);
  CHECK(layout.population.party_names == std::vector<std::string>{"computers", "cookie", "science"});
  const auto plan = analytics::make_hh_plan(sc.algorithm.heavy_hitters, layout.population.party_users, sc.seed);
  const auto reference = analytics::run_heavy_hitters(plan, layout.population.items, sc.seed);
  const auto emulated = read_topk(dir / "out" / "topk.csv");
  REQUIRE(emulated.size() == reference.top.size());
  for (size_t i = 0; i < emulated.size(); ++i) {
    CHECK(emulated[i].first == decode_string(reference.top[i].item, 48));  // topk.csv prints the words
    CHECK(emulated[i].second == reference.top[i].count);
  }
  CHECK_THAT(read_file(dir / "out" / "topk.csv"), Catch::Contains("# true top-5: the="));
  // A category count that does not match the parties, and bits that are not bytes, are
  // the scenario's errors.
  scenario["workload"]["items"]["categories"] = {"computers", "cookie"};
  write_file(dir / "bad.json", scenario.dump(2));
  auto r = run_flemu("validate " + (dir / "bad.json").string());
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains("/workload/items/categories: expected one category per party (3 parties, 2 categories)"));
  scenario["workload"]["items"] = {{"source", "fortunes"}, {"bits", 20}};
  write_file(dir / "bad.json", scenario.dump(2));
  r = run_flemu("validate " + (dir / "bad.json").string());
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains("/workload/items/bits: expected a multiple of 8"));
}

TEST_CASE("TAPS runs parties in sequence: its time grows with the parties, TAP's does not", "[analytics][e2e]") {
  auto time_of = [](const std::string& method, int parties) {
    const auto dir = scratch_dir("hh-time");
    // Party servers are slow: estimating dominates, as with large populations.
    json s = hh_scenario(method, parties, 60 * parties, (dir / "out").string());
    s["platform"]["classes"][0]["speed"] = "2Mf";
    s["workload"]["items"]["arrival_spread"] = "0s";
    return run_ok(s, dir)["time_to_result_s"].get<double>();
  };
  const double tap2 = time_of("tap", 2), tap6 = time_of("tap", 6), taps2 = time_of("taps", 2), taps6 = time_of("taps", 6);
  INFO("TAP " << tap2 << " -> " << tap6 << " s; TAPS " << taps2 << " -> " << taps6 << " s");
  CHECK(tap6 < 1.2 * tap2);   // parties work in parallel
  CHECK(taps6 > 2.0 * taps2);  // phase II one party after another
}

TEST_CASE("GRR users download their level's candidates first; offline users wait or are missed", "[analytics][e2e]") {
  const auto dir = scratch_dir("hh-grr");
  json s = hh_scenario("tap", 3, 90, (dir / "out").string());
  s["algorithm"]["oracle"] = "grr";
  s["platform"]["classes"][1]["availability"] = {{"model", "exponential"}, {"mean_on", "60s"}, {"mean_off", "60s"}};
  s["algorithm"]["report_window"] = "20s";
  const json summary = run_ok(s, dir);
  INFO(summary.dump());
  CHECK(summary["bytes"]["party_to_user"].get<double>() > 0);
  CHECK(summary["missed_users"].get<int>() > 0);  // some devices stay off through a 20 s window
  CHECK(summary["reports"].get<int>() + summary["missed_users"].get<int>() <= 90);
  const std::string events = read_file(dir / "out" / "events.jsonl");
  CHECK(events.find("\"kind\":\"report\"") != std::string::npos);
  CHECK(events.find("\"reason\":\"window\"") != std::string::npos);
}

TEST_CASE("flemu analytics: the protocol as maths over many users and trials", "[analytics][e2e]") {
  const auto dir = scratch_dir("hh-maths");
  const auto path = dir / "scenario.json";
  write_file(path, hh_scenario("taps", 3, 30, (dir / "out").string()).dump(2));
  auto r = run_flemu("analytics " + path.string() + " --users 30000 --trials 3 --fast --set /algorithm/epsilon=2 -o " +
                     (dir / "maths").string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const json summary = json::parse(read_file(dir / "maths" / "summary.json"));
  CHECK(summary["users"] == 30000);
  CHECK(summary["trials"] == 3);
  CHECK(summary["epsilon"] == 2);
  CHECK(summary["f1_mean"].get<double>() > 0);
  auto bad = run_flemu("analytics " + path.string() + " --set '/algorithm/name=\"fedavg\"'");
  CHECK(bad.exit_code == 2);
}
