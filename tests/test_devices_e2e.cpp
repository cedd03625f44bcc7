// Devices that live and die, end to end: whole runs of the flemu binary on tiny platforms
// whose timings, energies and failures are computed by hand here. Energy, batteries,
// availability (trace files and models), link changes, deadline and over-selection, the
// asynchronous servers, and the shipped scenarios of scenarios/README-devices.md (cut down).
//
// Times use the "exact" network (an uncontended transfer takes latency + bytes/bandwidth)
// and analytic training where accuracy does not matter. Link energy is ~2% coarse in SimGrid
// 3.32 (../shared/FACTS.md), so radio energies are compared within 3%.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "test_support.hpp"
#include "emulator/cli/sweep.hpp"
#include "workloads/models/model_info.hpp"

using namespace flemu;
using namespace flemu::test;
using nlohmann::json;

namespace {

const double kModelBytes = double(describe_model(ModelKind::Mlp).bytes);
const double kTrainFlopsPerSample = describe_model(ModelKind::Mlp).train_flops_per_sample;

/// A scenario of explicit or class devices on the exact network with analytic training;
/// tests fill in the platform and the algorithm.
json tiny(const std::filesystem::path& out) {
  json j = json::parse(R"({
    "name": "devices", "seed": 7, "training": "analytic",
    "platform": {"network": "exact", "server": {"speed": "10Gf"}, "classes": []},
    "workload": {"dataset": "synthetic", "model": "mlp", "samples_per_client": 200},
    "algorithm": {"name": "fedavg", "clients_per_round": 1, "local_epochs": 1, "batch_size": 20, "lr": 0.05},
    "stop": {"rounds": 1}
  })");
  j["output"]["directory"] = out.string();
  return j;
}

/// Writes `j` as <dir>/scenario.json, runs it, requires success; returns the output dir.
std::filesystem::path run_ok(const json& j, const std::filesystem::path& dir, int jobs = 1) {
  const auto path = dir / "scenario.json";
  write_file(path, j.dump(2));
  auto r = run_flemu("run --quiet --jobs " + std::to_string(jobs) + " " + path.string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  return j["output"]["directory"].get<std::string>();
}

/// Dropped updates as (round, client, reason).
std::set<std::tuple<int, int, std::string>> drops(const std::vector<json>& ev) {
  std::set<std::tuple<int, int, std::string>> out;
  for (const auto& e : of_kind(ev, "update_dropped"))
    out.insert({e["round"].get<int>(), e["client"].get<int>(), e["reason"].get<std::string>()});
  return out;
}

}  // namespace

TEST_CASE("one round's energy and battery drain equal power x time", "[e2e][devices][energy]") {
  const auto dir = scratch_dir("energy");
  json s = tiny(dir / "out");
  // 2 cores at 2 Gf; 0.5 W idle, 4 W busy; radio 2 W sending, 1 W receiving; a 100 J battery.
  s["platform"]["devices"] = json::parse(R"([{"name": "phone", "speed": "2Gf", "cores": 2, "uplink": "1Mbps",
      "downlink": "4Mbps", "latency": "30ms",
      "power": {"idle": "0.5W", "busy": "4W", "send": "2W", "receive": "1W"},
      "battery": {"capacity": "100J"}}])");
  s["algorithm"]["local_epochs"] = 10;
  const auto out = run_ok(s, dir);

  const double t_down = 0.030 + kModelBytes / (4e6 / 8);
  const double t_train = kTrainFlopsPerSample * 200 * 10 / (2e9 * 2);
  const double t_up = 0.030 + kModelBytes / (1e6 / 8);
  const double total = t_down + t_train + t_up;
  // Host: idle all the time, busy - idle extra while training. Links: busy while bytes flow
  // (not during the latency), no idle power given.
  const double compute = 0.5 * total + (4 - 0.5) * t_train;
  const double radio = 2 * kModelBytes / (1e6 / 8) + 1 * kModelBytes / (4e6 / 8);

  auto summary = json::parse(read_file(out / "summary.json"));
  REQUIRE(summary["simulated_time_s"].get<double>() == Approx(total).epsilon(1e-6));
  CHECK(summary["energy_j"]["compute"].get<double>() == Approx(compute).epsilon(1e-6));
  CHECK(summary["energy_j"]["radio"].get<double>() == Approx(radio).epsilon(0.03));

  const auto devices = read_csv(out / "devices.csv");
  REQUIRE(devices.size() == 1);
  CHECK(std::stod(devices[0].at("compute_energy_j")) == Approx(compute).epsilon(1e-6));
  CHECK(std::stod(devices[0].at("radio_energy_j")) == Approx(radio).epsilon(0.03));
  const double used = std::stod(devices[0].at("energy_j"));
  CHECK(used == Approx(compute + radio).epsilon(0.02));
  // The battery at the end of the run has lost exactly what the device used.
  CHECK(std::stod(devices[0].at("battery_fraction")) == Approx(1 - used / 100).epsilon(1e-9));

  const auto metrics = read_csv(out / "metrics.csv");
  REQUIRE(metrics.size() == 1);
  CHECK(std::stod(metrics[0].at("energy_j")) == Approx(used).epsilon(1e-9));
  CHECK(std::stod(metrics[0].at("cum_energy_j")) == Approx(used).epsilon(1e-9));
  CHECK(std::stod(metrics[0].at("wasted_energy_j")) == 0);
  // Battery events: the initial full charge at t=0, and the charge only ever goes down.
  const auto battery = of_kind(events(out), "battery");
  REQUIRE(!battery.empty());
  CHECK(battery.front()["t"] == 0.0);
  CHECK(battery.front()["fraction"] == 1.0);
  for (size_t i = 1; i < battery.size(); ++i)
    CHECK(battery[i]["charge_j"].get<double>() <= battery[i - 1]["charge_j"].get<double>());
}

TEST_CASE("a phone whose battery empties during its upload is dropped; the run goes on", "[e2e][devices][battery]") {
  const auto dir = scratch_dir("dying");
  json s = tiny(dir / "out");
  // Two identical devices, but "mortal" has a battery that lasts ~3 s into its 6.4 s upload
  // (it draws 2 W sending): download 1.6 s at 1 W, training 0.04 s at 4 W, then the upload.
  s["platform"]["devices"] = json::parse(R"([
      {"name": "mains", "speed": "2Gf", "cores": 2, "uplink": "1Mbps", "downlink": "4Mbps", "latency": "30ms",
       "power": {"send": "2W", "receive": "1W", "busy": "4W"}},
      {"name": "mortal", "speed": "2Gf", "cores": 2, "uplink": "1Mbps", "downlink": "4Mbps", "latency": "30ms",
       "power": {"send": "2W", "receive": "1W", "busy": "4W"}, "battery": {"capacity": "8J"}}])");
  s["algorithm"]["clients_per_round"] = 2;
  s["stop"]["rounds"] = 3;
  const auto out = run_ok(s, dir);
  const auto ev = events(out);

  const auto off = of_kind(ev, "device_off");
  REQUIRE(off.size() == 1);
  CHECK(off[0]["host"] == "mortal");
  CHECK(off[0]["reason"] == "battery");
  // It died during its upload of round 1, a few seconds in (battery checks are >= 1 s apart).
  double up_start = -1;
  for (const auto& e : of_kind(ev, "train"))
    if (e["client"] == 1) up_start = e["t"];
  REQUIRE(up_start > 0);
  const double died = off[0]["t"];
  CHECK(died > up_start);
  CHECK(died < up_start + kModelBytes / (1e6 / 8));
  // Its update never arrives: dropped for "battery", noticed at the next heartbeat (1 s).
  const auto d = drops(ev);
  CHECK(d == std::set<std::tuple<int, int, std::string>>{{1, 1, "battery"}});
  for (const auto& e : of_kind(ev, "update_dropped")) CHECK(e["t"].get<double>() <= died + 1.0 + 1e-9);
  for (const auto& e : of_kind(ev, "upload")) CHECK(e["client"] == 0);
  // Round 1 ends with the live client's update; later rounds select only it.
  const auto ends = of_kind(ev, "round_end");
  REQUIRE(ends.size() == 3);
  for (const auto& e : ends) CHECK(e["count"] == 1);
  const auto starts = of_kind(ev, "round_start");
  CHECK(starts[0]["count"] == 2);
  CHECK(starts[1]["count"] == 1);
  CHECK(starts[2]["count"] == 1);
  auto summary = json::parse(read_file(out / "summary.json"));
  CHECK(summary["rounds"] == 3);
  CHECK(summary["dropped_updates"] == 1);
  // The dead device's energy was wasted: metrics counts it in round 1.
  const auto metrics = read_csv(out / "metrics.csv");
  CHECK(metrics[0].at("dropped") == "1");
  CHECK(std::stod(metrics[0].at("wasted_energy_j")) > 7.0);
  const auto devices = read_csv(out / "devices.csv");
  CHECK(std::stod(devices[1].at("battery_fraction")) <= 0.0 + 1e-12);
}

TEST_CASE("a deadline drops exactly the clients slower than it", "[e2e][devices][deadline]") {
  const auto dir = scratch_dir("deadline");
  json s = tiny(dir / "out");
  // fast: ~0.2 s per round; slow: ~6.5 s. Deadline 2 s.
  s["platform"]["classes"] = json::parse(R"([
      {"name": "fast", "count": 2, "speed": "10Gf", "bandwidth": "100Mbps", "latency": "5ms"},
      {"name": "slow", "count": 2, "speed": "0.2Gf", "bandwidth": "2Mbps", "latency": "50ms"}])");
  s["algorithm"]["clients_per_round"] = 4;
  s["algorithm"]["deadline"] = "2s";
  s["stop"]["rounds"] = 2;
  const auto out = run_ok(s, dir);
  const auto ev = events(out);
  CHECK(drops(ev) == std::set<std::tuple<int, int, std::string>>{
                         {1, 2, "deadline"}, {1, 3, "deadline"}, {2, 2, "deadline"}, {2, 3, "deadline"}});
  const auto starts = of_kind(ev, "round_start"), ends = of_kind(ev, "round_end");
  REQUIRE(ends.size() == 2);
  for (int r = 0; r < 2; ++r) {
    CHECK(ends[r]["count"] == 2);
    CHECK(ends[r]["t"].get<double>() - starts[r]["t"].get<double>() == Approx(2.0).epsilon(1e-9));
  }
  for (const auto& e : of_kind(ev, "upload")) CHECK(e["client"].get<int>() < 2);
  const auto metrics = read_csv(out / "metrics.csv");
  CHECK(metrics[0].at("dropped") == "2");
  CHECK(metrics[1].at("updates") == "2");
}

TEST_CASE("a client killed mid-transfer at the deadline leaves nothing behind for the next round",
          "[e2e][devices][deadline][transfers]") {
  // Device d's link crawls (10 kB/s) until 5.9 s, so in round 1 its download (or upload)
  // is still running at the 6 s deadline and the client is killed mid-transfer. In round 2
  // the link is back to 1e6 B/s: both of d's transfers must take exactly latency +
  // bytes/bandwidth, i.e. match the server's end of round 2, not a leftover of round 1.
  for (const std::string way : {"downlink", "uplink"}) {
    DYNAMIC_SECTION("killed during its " << way) {
      const auto dir = scratch_dir("killed-" + way);
      json s = tiny(dir / "out");
      s["platform"]["devices"] = json::parse(R"([
          {"name": "d", "speed": "1Gf", "bandwidth": "8Mbps", "latency": "10ms"},
          {"name": "e", "speed": "1Gf", "bandwidth": "8Mbps", "latency": "10ms"}])");
      s["platform"]["link_changes"] = json::array({{{"from", "0s"}, {"until", "5.9s"}, {"devices", "d"}, {way, "0.08Mbps"}}});
      s["algorithm"]["clients_per_round"] = 2;
      s["algorithm"]["deadline"] = "6s";
      s["stop"]["rounds"] = 2;
      const auto out = run_ok(s, dir);
      const auto ev = events(out);
      CHECK(drops(ev) == std::set<std::tuple<int, int, std::string>>{{1, 0, "deadline"}});
      const double exact = 0.010 + kModelBytes / 1e6;
      int d_transfers = 0;
      for (const auto& e : ev) {
        if (e["round"] != 2 || e["client"] != 0 || (e["kind"] != "download" && e["kind"] != "upload")) continue;
        ++d_transfers;
        CHECK(span(e) == Approx(exact).epsilon(1e-9));
      }
      CHECK(d_transfers == 2);
      const auto metrics = read_csv(out / "metrics.csv");
      REQUIRE(metrics.size() == 2);
      CHECK(metrics[0].at("updates") == "1");
      CHECK(metrics[1].at("updates") == "2");
    }
  }
}

TEST_CASE("over-selection keeps the first clients_per_round updates", "[e2e][devices][over_selection]") {
  const auto dir = scratch_dir("oversel");
  json s = tiny(dir / "out");
  s["platform"]["devices"] = json::parse(R"([
      {"name": "d0", "speed": "8Gf", "bandwidth": "80Mbps", "latency": "1ms"},
      {"name": "d1", "speed": "4Gf", "bandwidth": "40Mbps", "latency": "1ms"},
      {"name": "d2", "speed": "2Gf", "bandwidth": "20Mbps", "latency": "1ms"},
      {"name": "d3", "speed": "1Gf", "bandwidth": "10Mbps", "latency": "1ms"}])");
  s["algorithm"]["clients_per_round"] = 2;
  s["algorithm"]["over_selection"] = 1.0;  // select 4, keep 2
  s["stop"]["rounds"] = 2;
  const auto out = run_ok(s, dir);
  const auto ev = events(out);
  for (const auto& e : of_kind(ev, "round_start")) CHECK(e["count"] == 4);
  CHECK(drops(ev) == std::set<std::tuple<int, int, std::string>>{
                         {1, 2, "over_selection"}, {1, 3, "over_selection"}, {2, 2, "over_selection"},
                         {2, 3, "over_selection"}});
  // The round ends when d1's update arrives: 1 ms + B/5 MB/s down, then up.
  const double t_d1 = 2 * (0.001 + kModelBytes / 5e6) + kTrainFlopsPerSample * 200 / 4e9;
  const auto ends = of_kind(ev, "round_end");
  REQUIRE(ends.size() == 2);
  CHECK(ends[0]["t"].get<double>() == Approx(t_d1).epsilon(1e-6));
  CHECK(ends[0]["count"] == 2);
  for (const auto& e : of_kind(ev, "upload")) CHECK(e["client"].get<int>() < 2);
}

// Regression: a mailbox-based inbox handed out updates in the order their uploads *started*.
// Here the slow-uplink client starts first (1 Mbps, 6.4 s) and the fast-link one arrives at
// ~1 s: the server must keep the early one and end the round at ~1 s.
TEST_CASE("over-selection keeps the update that arrived first, not the one that started first",
          "[e2e][devices][over_selection]") {
  const auto dir = scratch_dir("arrival");
  json s = tiny(dir / "out");
  s["platform"]["devices"] = json::parse(R"([
      {"name": "slow-train-fast-link", "speed": "0.2Gf", "bandwidth": "100Mbps", "latency": "1ms"},
      {"name": "fast-train-slow-link", "speed": "10Gf", "downlink": "100Mbps", "uplink": "1Mbps", "latency": "1ms"}])");
  s["algorithm"]["clients_per_round"] = 1;
  s["algorithm"]["over_selection"] = 1.0;
  const auto out = run_ok(s, dir);
  const auto ev = events(out);
  double arrived0 = -1;
  for (const auto& e : of_kind(ev, "upload"))
    if (e["client"] == 0) arrived0 = e["t"];
  REQUIRE(arrived0 > 0);
  REQUIRE(arrived0 < 1.5);
  CHECK(drops(ev) == std::set<std::tuple<int, int, std::string>>{{1, 1, "over_selection"}});
  CHECK(of_kind(ev, "round_end").at(0)["t"].get<double>() == Approx(arrived0));
}

TEST_CASE("an availability trace file: devices off are never selected while off", "[e2e][devices][availability]") {
  const auto dir = scratch_dir("avail");
  // Each round of these devices takes ~1.3 s; d0 is off from the start, d1 comes on at 5 s,
  // d2 goes off at 3 s.
  write_file(dir / "availability.csv",
             "device,time,state\n# a comment\nd0,0,off\nd1,0,off\nd1,5s,on\nd2,3,off\n\n");
  json s = tiny(dir / "out");
  // Explicit devices d0..d3 inheriting one template class, so that the trace can name them.
  s["platform"]["classes"] = json::parse(R"([{"name": "x", "count": 0, "speed": "4Gf", "bandwidth": "10Mbps",
                                              "latency": "10ms"}])");
  for (int i = 0; i < 4; ++i) s["platform"]["devices"].push_back({{"name", "d" + std::to_string(i)}, {"class", "x"}});
  s["platform"]["availability_trace"] = "availability.csv";
  s["algorithm"]["clients_per_round"] = 2;
  s["stop"]["rounds"] = 8;
  const auto out = run_ok(s, dir);
  const auto ev = events(out);

  std::map<std::string, std::vector<std::pair<double, std::string>>> switches;  // host -> (t, kind)
  for (const auto& e : ev)
    if (e["kind"] == "device_off" || e["kind"] == "device_on") switches[e["host"]].push_back({e["t"], e["kind"]});
  CHECK(switches["d0"] == std::vector<std::pair<double, std::string>>{{0.0, "device_off"}});
  CHECK(switches["d1"] == std::vector<std::pair<double, std::string>>{{0.0, "device_off"}, {5.0, "device_on"}});
  CHECK(switches["d2"] == std::vector<std::pair<double, std::string>>{{3.0, "device_off"}});
  CHECK(switches.count("d3") == 0);
  for (const auto& e : of_kind(ev, "device_off")) CHECK(e["reason"] == "offline");
  for (const auto& e : of_kind(ev, "device_on")) CHECK(e["reason"] == "online");

  // Selection is visible as the download's start (t0).
  bool d1_selected = false;
  for (const auto& e : of_kind(ev, "download")) {
    const int c = e["client"];
    const double t0 = e["t0"];
    CHECK(c != 0);
    if (c == 1) {
      CHECK(t0 >= 5.0);
      d1_selected = true;
    }
    if (c == 2) CHECK(t0 < 3.0);
  }
  CHECK(d1_selected);
  // The scenario records where the trace came from, resolved next to the scenario file.
  auto resolved = json::parse(read_file(out / "scenario.resolved.json"));
  CHECK(resolved["platform"]["availability_trace"] == "availability.csv");
}

TEST_CASE("devices that switch at the same instant are all switched before a server picks",
          "[e2e][devices][availability]") {
  // Four devices all go off at 2 s (mid-round) and all come on at 10 s. SimGrid runs the
  // actors of one instant in turns: a server woken by the first device on would, unless it
  // lets the instant finish, start a round with one client (and at 2 s pick devices that are
  // about to go off).
  const auto dir = scratch_dir("avail-same-instant");
  write_file(dir / "availability.csv",
             "device,time,state\nd0,2s,off\nd1,2s,off\nd2,2s,off\nd3,2s,off\n"
             "d0,10s,on\nd1,10s,on\nd2,10s,on\nd3,10s,on\n");
  for (const std::string algorithm : {"fedavg", "fedbuff"}) {
    DYNAMIC_SECTION(algorithm) {
      json s = tiny(dir / ("out-" + algorithm));
      s["platform"]["classes"] = json::parse(R"([{"name": "x", "count": 0, "speed": "4Gf", "bandwidth": "10Mbps",
                                                  "latency": "10ms"}])");
      for (int i = 0; i < 4; ++i) s["platform"]["devices"].push_back({{"name", "d" + std::to_string(i)}, {"class", "x"}});
      s["platform"]["availability_trace"] = "availability.csv";
      s["algorithm"]["name"] = algorithm;
      s["algorithm"]["clients_per_round"] = 4;
      if (algorithm == "fedbuff") {
        s["algorithm"]["concurrency"] = 4;
        s["algorithm"]["buffer_size"] = 4;
      }
      s["stop"] = {{"rounds", 3}};
      const auto ev = events(run_ok(s, dir));
      // Nothing starts between 2 s and 10 s; at 10 s every device is engaged at once.
      std::map<int, double> first_after;  // client -> first download start at or after 2 s
      for (const auto& e : of_kind(ev, "download")) {
        const double t0 = e["t0"];
        CHECK((t0 < 2.0 || t0 >= 10.0));
        if (t0 >= 2.0 && !first_after.count(e["client"].get<int>())) first_after[e["client"]] = t0;
      }
      REQUIRE(first_after.size() == 4);
      for (const auto& [client, t0] : first_after) CHECK(t0 == 10.0);
      if (algorithm == "fedavg")
        for (const auto& e : of_kind(ev, "round_start"))
          if (e["t"].get<double>() >= 2.0) CHECK(e["count"] == 4);
    }
  }
}

TEST_CASE("a bandwidth drop during an upload lengthens it by the bytes it held back", "[e2e][devices][link_changes]") {
  const auto dir = scratch_dir("linkchange");
  json s = tiny(dir / "out");
  // 8 Mbps = 1e6 B/s, 10 ms latency; from 0 s to 1.5 s the uplink runs at 2 Mbps (a quarter).
  // (With a 0 ms latency, SimGrid 3.32 keeps a transfer that starts inside the window at the
  // reduced rate after the window ends: links in scenarios have a latency.)
  s["platform"]["devices"] = json::parse(R"([{"name": "d", "speed": "1Gf", "bandwidth": "8Mbps", "latency": "10ms"}])");
  s["platform"]["link_changes"] = json::parse(R"([{"from": "0s", "until": "1.5s", "devices": "d", "uplink": "2Mbps"}])");
  const auto out = run_ok(s, dir);
  const auto ev = events(out);
  const auto up = of_kind(ev, "upload"), down = of_kind(ev, "download");
  REQUIRE(up.size() == 1);
  // The downlink is untouched.
  CHECK(span(down[0]) == Approx(0.010 + kModelBytes / 1e6).epsilon(1e-9));
  const double start = up[0]["t0"];
  REQUIRE(start == Approx(0.010 + kModelBytes / 1e6 + kTrainFlopsPerSample * 200 / 1e9).epsilon(1e-9));
  // Bytes flow from start + latency; until 1.5 s at a quarter of the rate, so the upload
  // lasts longer by (1.5 - start - latency) x (1 - 1/4).
  REQUIRE(start + 0.010 < 1.5);
  CHECK(span(up[0]) == Approx(0.010 + kModelBytes / 1e6 + (1.5 - start - 0.010) * 0.75).epsilon(1e-6));

  // The same change on another device's class leaves this one alone.
  json other = s;
  other["output"]["directory"] = (dir / "out2").string();
  other["platform"]["devices"].push_back(json::parse(R"({"name": "e", "speed": "1Gf", "bandwidth": "8Mbps", "latency": "10ms"})"));
  other["platform"]["link_changes"][0]["devices"] = "e";
  other["algorithm"]["clients_per_round"] = 2;
  const auto out2 = run_ok(other, scratch_dir("linkchange2"));
  const auto up2 = of_kind(events(out2), "upload");
  REQUIRE(up2.size() == 2);
  for (const auto& e : up2)
    if (e["client"] == 0) CHECK(span(e) == Approx(0.010 + kModelBytes / 1e6).epsilon(1e-9));
    else CHECK(span(e) > 0.010 + kModelBytes / 1e6 + 0.1);
}

TEST_CASE("fedbuff and fedasync: staleness on uploads, one version per server step, deterministic",
          "[e2e][devices][async]") {
  const auto dir = scratch_dir("async");
  auto scenario = [&](const std::string& algo, const std::string& name, int seed) {
    json s = tiny(dir / name);
    s["seed"] = seed;
    s["training"] = "real";
    s["platform"]["classes"] = json::parse(R"([
        {"name": "fast", "count": 3, "speed": "4Gf", "bandwidth": "50Mbps", "latency": "5ms", "jitter": 0.2},
        {"name": "slow", "count": 3, "speed": "0.4Gf", "bandwidth": "5Mbps", "latency": "50ms", "jitter": 0.2}])");
    s["algorithm"]["name"] = algo;
    s["algorithm"]["clients_per_round"] = 4;
    s["algorithm"]["concurrency"] = 4;
    if (algo == "fedbuff") s["algorithm"]["buffer_size"] = 3;
    s["workload"]["samples_per_client"] = 40;
    s["evaluation"] = {{"every", 2}, {"test_samples", 200}};
    s["stop"] = {{"rounds", 8}};
    return s;
  };
  for (const std::string algo : {"fedbuff", "fedasync"}) {
    SECTION(algo) {
      const auto a = run_ok(scenario(algo, algo + "-a", 3), scratch_dir("async-a"));
      const auto b = run_ok(scenario(algo, algo + "-b", 3), scratch_dir("async-b"));
      const auto c = run_ok(scenario(algo, algo + "-c", 4), scratch_dir("async-c"));
      const auto ev = events(a);
      const int per_step = algo == "fedbuff" ? 3 : 1;
      const auto aggs = of_kind(ev, "aggregate");
      REQUIRE(aggs.size() == 8);
      for (size_t i = 0; i < aggs.size(); ++i) {
        CHECK(aggs[i]["round"] == int(i) + 1);  // versions count up by one
        CHECK(aggs[i]["count"] == per_step);
      }
      const auto uploads = of_kind(ev, "upload");
      int stale = 0, merged = 0, versions = 0;
      for (const auto& e : ev) {
        if (e["kind"] == "aggregate") ++versions;
        if (e["kind"] != "upload") continue;
        // Staleness: the versions made since the client started from version round - 1,
        // before its own arrival (the trace shows the upload before what the server does).
        REQUIRE(e.contains("staleness"));
        CHECK(e["staleness"].get<int>() == versions - (e["round"].get<int>() - 1));
        stale += e["staleness"].get<int>() > 0;
      }
      // 8 versions x per_step updates merged; the slow clients arrive after versions moved on.
      for (const auto& g : aggs) merged += g["count"].get<int>();
      CHECK(merged == 8 * per_step);
      CHECK(int(uploads.size()) >= merged);
      if (algo == "fedbuff") CHECK(stale > 0);  // slow clients arrive after versions moved on
      // Clients still at work at the end are reported, not silently lost.
      for (const auto& d : of_kind(ev, "update_dropped")) CHECK(d["reason"] == "stopped");
      CHECK(of_kind(ev, "update_dropped").size() + merged >= 1);
      auto summary = json::parse(read_file(a / "summary.json"));
      CHECK(summary["rounds"] == 8);
      CHECK(read_file(a / "events.jsonl") == read_file(b / "events.jsonl"));
      CHECK(read_file(a / "metrics.csv") == read_file(b / "metrics.csv"));
      CHECK(read_file(a / "events.jsonl") != read_file(c / "events.jsonl"));
    }
  }
}

// Regression: anarchic clients used to wait for the model in a mailbox receive; killing such
// an actor (device off) crashed SimGrid 3.32's link energy plugin (a comm without source).
// Transfers are now host-to-host comms that die with their actor.
TEST_CASE("anarchic clients on devices that go off mid-request: the run finishes",
          "[e2e][devices][anarchic]") {
  const auto dir = scratch_dir("anarchic-off");
  json s = tiny(dir / "out");
  s["platform"]["classes"] = json::parse(R"([
      {"name": "phone", "count": 4, "speed": "1Gf", "cores": 4, "uplink": "1Mbps", "downlink": "20Mbps", "latency": "40ms",
       "power": {"busy": "3W", "send": "1W"}, "availability": {"model": "exponential", "mean_on": "20s", "mean_off": "10s"}},
      {"name": "edge", "count": 2, "speed": "20Gf", "bandwidth": "100Mbps", "latency": "5ms",
       "availability": {"model": "exponential", "mean_on": "20s", "mean_off": "10s"}}])");
  s["algorithm"] = json::parse(R"({"name": "afa-cd", "updates_per_step": 2, "server_lr": 5,
      "policies": {"*": {"think_time": "2s", "steps": "random", "min_steps": 1, "max_steps": 10}}})");
  s["stop"] = {{"time", "300s"}};
  const auto path = dir / "scenario.json";
  write_file(path, s.dump(2));
  auto r = run_flemu("run --quiet --jobs 1 " + path.string());
  INFO(r.output);
  CHECK(r.exit_code == 0);
}

namespace {

/// A shipped scenario cut down to seconds: synthetic data, few samples, few rounds or a short
/// time budget; the platform, power, batteries, availability and algorithm are unchanged.
json shipped_cut_down(const std::string& file, const std::filesystem::path& out, int seed) {
  const auto src = source_dir() / "scenarios" / file;
  json s = json::parse(read_file(src));
  s["seed"] = seed;
  s["workload"]["dataset"] = "synthetic";
  s["workload"]["samples_per_client"] = 30;
  s["evaluation"] = {{"every", 1}, {"test_samples", 200}};
  json stop = json::object();
  if (s["stop"].contains("rounds")) stop["rounds"] = std::min(3, s["stop"]["rounds"].get<int>());
  if (s["stop"].contains("time") || !stop.contains("rounds")) stop["time"] = "90s";
  if (s["algorithm"]["name"] != "fedavg") stop["rounds"] = 4;
  s["stop"] = stop;
  if (s["platform"].contains("availability_trace"))
    s["platform"]["availability_trace"] = (src.parent_path() / s["platform"]["availability_trace"].get<std::string>()).string();
  s["output"]["directory"] = out.string();
  return s;
}

}  // namespace

TEST_CASE("shipped device scenarios are valid and replay byte for byte", "[e2e][devices][shipped]") {
  const std::vector<std::string> files{"battery-drain.base.json", "diurnal-availability.json",
                                       "trace-availability.json", "async-vs-sync.base.json", "anarchic.base.json"};
  for (const auto& file : files) {
    SECTION(file) {
      const auto src = source_dir() / "scenarios" / file;
      auto v = run_flemu("validate " + src.string());
      INFO(v.output);
      REQUIRE(v.exit_code == 0);
      const auto dir = scratch_dir("shipped");
      const auto a = run_ok(shipped_cut_down(file, dir / "a", 42), scratch_dir("shipped-a"));
      const auto b = run_ok(shipped_cut_down(file, dir / "b", 42), scratch_dir("shipped-b"), 2);
      const auto c = run_ok(shipped_cut_down(file, dir / "c", 43), scratch_dir("shipped-c"));
      const std::string ea = read_file(a / "events.jsonl");
      CHECK(ea.size() > 1000);
      CHECK(ea == read_file(b / "events.jsonl"));
      CHECK(read_file(a / "metrics.csv") == read_file(b / "metrics.csv"));
      CHECK(ea != read_file(c / "events.jsonl"));
    }
  }
}

TEST_CASE("shipped device sweeps expand into valid variants", "[e2e][devices][shipped]") {
  const std::map<std::string, std::vector<std::string>> sweeps{
      {"battery-drain.json",
       {"v000-wait-for-all", "v001-deadline-3.5s", "v002-deadline-3.5s-over-selection-0.3"}},
      {"async-vs-sync.json", {"v000-sync-fedavg", "v001-fedbuff", "v002-fedasync"}},
      {"anarchic.json", {"v000-afa-cd", "v001-fedavg-anarchic"}}};
  for (const auto& [file, ids] : sweeps) {
    const SweepPlan plan = load_sweep((source_dir() / "scenarios" / file).string());  // validates each variant
    std::vector<std::string> got;
    for (const auto& v : plan.variants) got.push_back(v.id);
    CHECK(got == ids);
  }
}

TEST_CASE("bad device inputs fail validation with the file, the path and what was expected",
          "[e2e][devices][errors]") {
  const auto dir = scratch_dir("bad");
  json base = tiny(dir / "out");
  base["platform"]["classes"] = json::parse(R"([{"name": "phone", "count": 2, "speed": "1Gf", "bandwidth": "10Mbps",
                                                "latency": "1ms"}])");
  auto validate = [&](const json& s, const std::string& name) {
    const auto path = dir / (name + ".json");
    write_file(path, s.dump(2));
    auto r = run_flemu("validate " + path.string());
    CHECK(r.exit_code == 2);
    return std::make_pair(path.string(), r.output);
  };
  SECTION("a bad availability CSV names its file and line") {
    write_file(dir / "bad.csv", "device,time,state\nphone-0,0,off\nphone-0,5x,on\n");
    json s = base;
    s["platform"]["availability_trace"] = "bad.csv";
    auto [path, out] = validate(s, "csv");
    CHECK_THAT(out, Catch::Contains(path + ": /platform/availability_trace: expected a readable availability trace: " +
                                    (dir / "bad.csv").string() +
                                    ":3: expected a time in seconds (\"1800\") or a duration like \"30min\", got \"5x\""));
  }
  SECTION("an availability CSV naming a device the platform lacks") {
    write_file(dir / "ghost.csv", "device,time,state\nphone-7,0,off\n");
    json s = base;
    s["platform"]["availability_trace"] = "ghost.csv";
    auto [path, out] = validate(s, "ghost");
    CHECK_THAT(out, Catch::Contains(path + ": /platform/availability_trace: expected device names of this platform in " +
                                    (dir / "ghost.csv").string() + " (\"phone-7\" is none)"));
  }
  SECTION("link_changes for an unknown class") {
    json s = base;
    s["platform"]["link_changes"] = json::parse(R"([{"from": "1s", "devices": "tablet", "uplink": "1Mbps"}])");
    auto [path, out] = validate(s, "lc");
    CHECK_THAT(out, Catch::Contains(path + ": /platform/link_changes/0/devices: expected a class name, a device name or \"*\""));
  }
  SECTION("a policy for an unknown class") {
    json s = base;
    s["algorithm"] = json::parse(R"({"name": "afa-cd", "policies": {"tablet": {"max_steps": 5}}})");
    auto [path, out] = validate(s, "policy");
    CHECK_THAT(out, Catch::Contains(path + ": /algorithm/policies/tablet: expected a device class name or \"*\""));
  }
  SECTION("a key of another algorithm") {
    json s = base;
    s["algorithm"]["buffer_size"] = 4;
    auto [path, out] = validate(s, "buffer");
    CHECK_THAT(out, Catch::Contains(path + ": /algorithm/buffer_size: expected no \"buffer_size\" with algorithm \"fedavg\": it applies to fedbuff"));
    json d = base;
    d["algorithm"] = json::parse(R"({"name": "fedbuff", "deadline": "10s"})");
    auto [path2, out2] = validate(d, "deadline");
    CHECK_THAT(out2, Catch::Contains(path2 + ": /algorithm/deadline: expected no \"deadline\" with algorithm \"fedbuff\": it applies to fedadam, fedavg, fedavgm, "
                                          "fedcm, feddyn, fedgamma, fedkseed, fedprox, fedsam, fedsmoo, fedspeed, fedyogi, ferret, "
                                          "flasc, lora, mofedsam, pfedgate, scaffold, sfl and sfprompt"));
  }
}
