// A shared server link: flemu's fluid model (emulator/core/fluid_transfers.hpp) against
// SimGrid's own solver on the same small runs. Every transfer must end within 0.1% of its
// duration of where SimGrid ends it, every other event within 0.1% of its time, and the runs
// must tell the same story (same events, same drops). summary.json names the model and why.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "test_support.hpp"

using nlohmann::json;
using namespace flemu::test;

namespace {

json read_json(const std::filesystem::path& p) { return json::parse(read_file(p)); }

json golden_scenario(const std::string& name) {
  return read_json(source_dir() / "tests" / "data" / "golden" / (name + ".json"));
}

struct Run {
  std::vector<json> events;
  json summary;
};

Run run(json scenario, const std::string& solver, const std::string& tag) {
  const auto dir = scratch_dir("shared-link-" + tag + "-" + solver);
  scenario["platform"]["server"]["link_solver"] = solver;
  scenario["output"]["directory"] = (dir / "out").string();
  write_file(dir / "s.json", scenario.dump());
  const auto r = run_flemu("run --quiet --jobs 1 " + (dir / "s.json").string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  Run out;
  std::istringstream lines(read_file(dir / "out" / "events.jsonl"));
  for (std::string line; std::getline(lines, line);) out.events.push_back(json::parse(line));
  out.summary = read_json(dir / "out" / "summary.json");
  return out;
}

/// Events keyed by (kind, host, occurrence of that kind on that host).
std::map<std::tuple<std::string, std::string, int>, json> keyed(const std::vector<json>& events) {
  std::map<std::tuple<std::string, std::string, int>, json> out;
  std::map<std::pair<std::string, std::string>, int> seen;
  for (const auto& e : events) {
    const std::string kind = e["kind"], host = e["host"];
    out[{kind, host, seen[{kind, host}]++}] = e;
  }
  return out;
}

/// Runs `scenario` with SimGrid's solver and with "auto" (which must pick the fluid model),
/// compares them event by event; returns the largest error of a transfer's end relative to
/// its duration.
double compare_with_simgrid(const json& scenario, const std::string& tag, int min_transfers) {
  const Run sg = run(scenario, "simgrid", tag), fl = run(scenario, "auto", tag);
  CHECK(sg.summary["shared_link"]["model"] == "simgrid");
  CHECK(fl.summary["shared_link"]["model"] == "fluid");
  const auto a = keyed(sg.events), b = keyed(fl.events);
  REQUIRE(a.size() == b.size());
  double worst = 0;
  int transfers = 0;
  for (const auto& [key, e] : a) {
    INFO(e.dump());
    REQUIRE(b.count(key));
    const json& f = b.at(key);
    CHECK(f.value("round", -1) == e.value("round", -1));
    CHECK(f.value("reason", "") == e.value("reason", ""));
    const double t = e["t"], u = f["t"];
    if (e.contains("t0") && (e["kind"] == "download" || e["kind"] == "upload")) {
      const double duration = t - e["t0"].get<double>();
      REQUIRE(duration > 0);
      worst = std::max(worst, std::abs(u - t) / duration);
      ++transfers;
    }
    CHECK(std::abs(u - t) <= 1e-3 * std::max(t, 1e-3));
  }
  CHECK(transfers >= min_transfers);
  CHECK(worst <= 1e-3);
  WARN(tag << ": " << transfers << " transfers, largest end error " << worst << " of a duration");
  return worst;
}

/// A sync round where 30 jittered devices contend for a 20 Mbps server link: some flows stay
/// below their own links' caps, others reach them as the link frees up.
json contended_sync() {
  json s = json::parse(R"({
    "name": "shared-sync", "seed": 3, "training": "analytic",
    "platform": {
      "network": "lv08",
      "server": {"speed": "50Gf", "cores": 8, "bandwidth": "20Mbps", "latency": "1ms"},
      "classes": [
        {"name": "phone", "count": 20, "speed": "1Gf", "cores": 2, "uplink": "2Mbps", "downlink": "8Mbps",
         "latency": "30ms", "jitter": 0.3, "jitter_step": 0},
        {"name": "laptop", "count": 10, "speed": "4Gf", "cores": 4, "bandwidth": "50Mbps", "latency": "10ms",
         "jitter": 0.2, "jitter_step": 0}
      ]
    },
    "workload": {"dataset": "synthetic", "model": "mlp", "samples_per_client": 100},
    "algorithm": {"name": "fedavg", "clients_per_round": 20, "over_selection": 0.25, "local_epochs": 1,
                  "batch_size": 20, "lr": 0.05},
    "stop": {"rounds": 2}
  })");
  return s;
}

}  // namespace

TEST_CASE("shared link: fluid model = SimGrid, sync rounds with over-selection, LV08 and exact",
          "[shared_link][fluid]") {
  json s = contended_sync();
  compare_with_simgrid(s, "sync-lv08", 80);
  s["platform"]["network"] = "exact";
  compare_with_simgrid(s, "sync-exact", 80);
}

TEST_CASE("shared link: fluid model = SimGrid, deadline kills clients mid-transfer", "[shared_link][fluid]") {
  json s = contended_sync();
  s["algorithm"]["deadline"] = "12s";
  s["stop"] = {{"rounds", 3}};
  compare_with_simgrid(s, "deadline", 50);
}

TEST_CASE("shared link: fluid model = SimGrid, FedBuff on devices switching off mid-transfer",
          "[shared_link][fluid]") {
  json s = golden_scenario("golden-fedbuff");
  s["platform"]["server"]["bandwidth"] = "15Mbps";
  for (auto& c : s["platform"]["classes"]) c["jitter_step"] = 0;
  s["stop"] = {{"time", "60s"}};
  compare_with_simgrid(s, "fedbuff", 50);
}

// Anarchic clients on phones with batteries and compute power (radio power left out: that
// keeps SimGrid). With a shared link and energy metered, every SimGrid flow is a managed one
// (device_transfer.hpp), suspended during its latency: this case caught SimGrid 3.32 resuming
// such flows with a sharing penalty of 1 (8% on a transfer's duration, 214 vs 206 events).
TEST_CASE("shared link: fluid model = SimGrid, anarchic clients with batteries", "[shared_link][fluid]") {
  json s = golden_scenario("golden-anarchic");
  s["platform"]["server"]["bandwidth"] = "10Mbps";
  for (auto& c : s["platform"]["classes"]) {
    c["jitter_step"] = 0;
    if (c.contains("power")) c["power"].erase("radio_idle"), c["power"].erase("send"), c["power"].erase("receive");
  }
  REQUIRE(s["platform"]["classes"][0].contains("battery"));
  compare_with_simgrid(s, "anarchic", 60);
}

// SimGrid's own solver, with and without the energy meter: metering makes every flow behind
// the shared link a managed flow (suspended during its latency, resumed by flemu), which must
// share the link as an unmanaged flow does. The routes' latencies differ (30 ms phones, 10 ms
// laptops), so the flows' sharing penalties differ too.
TEST_CASE("shared link: managed flows share SimGrid's link as plain comms do", "[shared_link][managed]") {
  for (const std::string network : {"lv08", "exact"}) {
    json s = contended_sync();
    s["platform"]["network"] = network;
    const Run plain = run(s, "simgrid", "plain-" + network);
    for (auto& c : s["platform"]["classes"]) c["power"] = {{"idle", "0.5W"}, {"busy", "2W"}};
    const Run managed = run(s, "simgrid", "managed-" + network);
    const auto a = keyed(plain.events), b = keyed(managed.events);
    int transfers = 0;
    for (const auto& [key, e] : a) {
      if (e["kind"] != "download" && e["kind"] != "upload") continue;
      INFO(network << " " << e.dump());
      REQUIRE(b.count(key));
      const double t = e["t"], u = b.at(key)["t"];
      CHECK(std::abs(u - t) <= 1e-9 * t);
      ++transfers;
    }
    CHECK(transfers >= 80);
  }
}

TEST_CASE("shared link: where the fluid model is not exact, SimGrid runs and summary.json says why",
          "[shared_link]") {
  json s = contended_sync();
  s["stop"] = {{"rounds", 1}};
  SECTION("no shared link") {
    s["platform"]["server"].erase("bandwidth");
    const Run r = run(s, "auto", "none");
    CHECK(r.summary["shared_link"]["model"] == "none");
  }
  SECTION("radio power") {
    s["platform"]["classes"][0]["power"] = {{"busy", "2W"}, {"send", "1W"}};
    const Run r = run(s, "auto", "radio");
    CHECK(r.summary["shared_link"]["model"] == "simgrid");
    CHECK(r.summary["shared_link"]["reason"].get<std::string>().find("radio power") != std::string::npos);
  }
  SECTION("link changes") {
    s["platform"]["link_changes"] = json::array({{{"from", "1s"}, {"devices", "phone"}, {"uplink", "1Mbps"}}});
    const Run r = run(s, "auto", "changes");
    CHECK(r.summary["shared_link"]["model"] == "simgrid");
    CHECK(r.summary["shared_link"]["reason"].get<std::string>().find("link_changes") != std::string::npos);
  }
  SECTION("compute power alone keeps the fluid model") {
    s["platform"]["classes"][0]["power"] = {{"idle", "0.5W"}, {"busy", "2W"}};
    const Run r = run(s, "auto", "compute-power");
    CHECK(r.summary["shared_link"]["model"] == "fluid");
  }
}
