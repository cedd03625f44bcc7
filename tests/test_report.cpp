// `flemu report` (analysis/): reading a run's outputs, the numbers derived from them, input
// errors, and the HTML. Expected values are worked out by hand from tests/data/report_run,
// a 3-round, 4-device run written for these tests (its scenario.resolved.json says what
// happens in it).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <fstream>
#include <map>
#include <sstream>

#include "analysis/device_timeline.hpp"
#include "analysis/gnuplot_figures.hpp"
#include "analysis/html_report.hpp"
#include "analysis/report.hpp"
#include "analysis/report_data.hpp"
#include "analysis/round_breakdown.hpp"
#include "analysis/run_reader.hpp"
#include "analysis/vega_specs.hpp"
#include "tests/test_support.hpp"

using namespace flemu::analysis;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

fs::path fixture() { return flemu::test::source_dir() / "tests" / "data" / "report_run"; }

/// summary.json records the hashes of the trace and the metrics; tests that edit one of them
/// test the reader, not the hash check (tested on its own): forget that hash.
void forget_recorded_hash(const fs::path& dir, const std::string& file) {
  const std::map<std::string, std::string> hash_key = {{"events.jsonl", "events_hash"}, {"metrics.csv", "metrics_hash"}};
  if (const auto k = hash_key.find(file); k != hash_key.end()) {
    auto summary = nlohmann::json::parse(flemu::test::read_file(dir / "summary.json"));
    summary.erase(k->second);
    flemu::test::write_file(dir / "summary.json", summary.dump(2));
  }
}

/// A copy of the fixture whose `file` is replaced by `text`.
fs::path fixture_with(const std::string& tag, const std::string& file, const std::string& text) {
  const auto dir = flemu::test::scratch_dir(tag);
  for (const auto& e : fs::directory_iterator(fixture())) fs::copy_file(e.path(), dir / e.path().filename());
  flemu::test::write_file(dir / file, text);
  forget_recorded_hash(dir, file);
  return dir;
}

/// The message of the std::runtime_error that `f` throws ("" if none).
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

bool vendor_present() { return fs::exists(fs::path(default_vendor_dir()) / "vega" / "build" / "vega.min.js"); }

/// Stand-in vendor scripts, so HTML tests run where npm has not been.
fs::path fake_vendor_dir() {
  const auto dir = flemu::test::scratch_dir("report-vendor");
  flemu::test::write_file(dir / "vega.min.js", "/*vega*/");
  flemu::test::write_file(dir / "vega-lite.min.js", "/*vega-lite*/");
  flemu::test::write_file(dir / "vega-embed.min.js", "/*vega-embed*/");
  return dir;
}

std::vector<Segment> segments_of(const DeviceTimeline& tl, int client) {
  std::vector<Segment> out;
  for (const auto& s : tl.segments)
    if (s.client == client) out.push_back(s);
  return out;
}

}  // namespace

TEST_CASE("read_run parses every file of the fixture run", "[report]") {
  const auto run = read_run(fixture().string());
  CHECK(run.summary["scenario"] == "fixture-4clients");
  CHECK(run.scenario["evaluation"]["every"] == 2);
  REQUIRE(run.events.size() == 44);

  const auto& first = run.events.front();
  CHECK(first.kind == "round_start");
  CHECK(first.count == 3);
  CHECK(std::isnan(first.t0));

  const auto& download = run.events[3];  // client 2's first download
  CHECK(download.kind == "download");
  CHECK(download.is_span());
  CHECK(download.t0 == 0);
  CHECK(download.t == 0.5);
  CHECK(download.client == 2);
  CHECK(download.host == "laptop-0");
  CHECK(download.bytes == 1000);

  const auto& off = run.events[8];
  CHECK(off.kind == "device_off");
  CHECK(off.reason == "availability");
  const auto& battery = run.events[13];
  CHECK(battery.kind == "battery");
  CHECK(battery.charge_j == 400);
  CHECK(battery.fraction == 0.4);
  CHECK(run.events[27].kind == "update_dropped");
  CHECK(run.events[27].reason == "offline");
  CHECK(run.events[40].staleness == 1);
  CHECK(run.events.back().kind == "checkpoint_saved");  // unknown kinds are kept, not errors

  const auto& m = run.metrics;
  REQUIRE(m.rows() == 3);
  CHECK(m.columns.size() == 15);
  CHECK(m.at(1, "accuracy") == 0.7);
  CHECK(std::isnan(m.at(2, "accuracy")));  // round 3 was not evaluated
  CHECK(m.text[2][m.index_of("accuracy")].empty());
  CHECK(m.at(2, "cum_energy_j") == 55.75);
  CHECK(std::isnan(m.at(0, "no_such_column")));
}

TEST_CASE("round breakdown: critical path follows the last accepted upload", "[report]") {
  const auto b = round_breakdown(read_run(fixture().string()).events);
  REQUIRE(b.critical_path.size() == 3);
  // Round 1 (0 .. 10.5): client 1 uploads last, at 10; download 2 + train 6 + upload 2 = 10.
  const auto& r1 = b.critical_path[0];
  CHECK(r1.critical_client == 1);
  CHECK(r1.download_s == 2);
  CHECK(r1.compute_s == 6);
  CHECK(r1.upload_s == 2);
  CHECK(r1.waiting_s == Approx(0.5));
  // Round 2 (10.5 .. 16): client 1 died and its update was dropped; client 0's upload (ends
  // 15.5) is the last accepted: 1 + 3 + 1, waiting 0.5.
  const auto& r2 = b.critical_path[1];
  CHECK(r2.critical_client == 0);
  CHECK(r2.download_s == 1);
  CHECK(r2.compute_s == 3);
  CHECK(r2.upload_s == 1);
  CHECK(r2.waiting_s == Approx(0.5));
  // Round 3 (16 .. 18): client 2 ends at 18: 0.5 + 1 + 0.5 = the whole round.
  CHECK(b.critical_path[2].critical_client == 2);
  CHECK(b.critical_path[2].waiting_s == Approx(0));
  for (const auto& s : b.critical_path)
    CHECK(s.download_s + s.compute_s + s.upload_s + s.waiting_s == Approx(s.end_s - s.start_s));
}

TEST_CASE("round breakdown: mean of participants counts dropped clients' spans", "[report]") {
  const auto b = round_breakdown(read_run(fixture().string()).events);
  REQUIRE(b.mean.size() == 3);
  // Round 1, clients 0,1,2: downloads 1,2,0.5; trains 3,6,1; uploads 1,2,0.5.
  CHECK(b.mean[0].participants == 3);
  CHECK(b.mean[0].download_s == Approx(3.5 / 3));
  CHECK(b.mean[0].compute_s == Approx(10.0 / 3));
  CHECK(b.mean[0].upload_s == Approx(3.5 / 3));
  CHECK(b.mean[0].waiting_s == Approx(10.5 - 17.0 / 3));
  // Round 2: client 1 downloaded 2 s and trained 1.5 s, then died (no upload).
  CHECK(b.mean[1].download_s == Approx(3.5 / 3));
  CHECK(b.mean[1].compute_s == Approx(5.5 / 3));
  CHECK(b.mean[1].upload_s == Approx(0.5));
  CHECK(b.mean[1].waiting_s == Approx(2.0));
  // Round 3, clients 2,3: 0.375 + 0.75 + 0.375 of a 2 s round.
  CHECK(b.mean[2].participants == 2);
  CHECK(b.mean[2].waiting_s == Approx(0.5));
}

TEST_CASE("device timeline covers [0, end] with busy, idle, offline and battery-dead states", "[report]") {
  const auto run = read_run(fixture().string());
  const auto tl = device_timeline(run.events, 18);
  REQUIRE(tl.clients == std::vector<int>{0, 1, 2, 3});
  CHECK(tl.hosts == std::vector<std::string>{"phone-0", "phone-1", "laptop-0", "edge-gpu-0"});
  CHECK(tl.end_s == 18);

  // Client 1: busy in round 1, idle 10 .. 10.5, busy until its battery dies at 14, then dead.
  const auto c1 = segments_of(tl, 1);
  REQUIRE(c1.size() == 7);
  CHECK(c1[3].state == DeviceState::Idle);
  CHECK(c1[3].t0 == 10);
  CHECK(c1[3].t1 == 10.5);
  CHECK(c1[5].state == DeviceState::Training);
  CHECK(c1[5].round == 2);
  CHECK(c1[6].state == DeviceState::BatteryDead);
  CHECK(c1[6].t0 == 14);
  CHECK(c1[6].t1 == 18);

  // Client 3: idle, offline 3 .. 12 (availability), idle, one round of work, idle.
  const auto c3 = segments_of(tl, 3);
  REQUIRE(c3.size() == 7);
  CHECK(c3[0].state == DeviceState::Idle);
  CHECK(c3[0].t1 == 3);
  CHECK(c3[1].state == DeviceState::Offline);
  CHECK(c3[1].t0 == 3);
  CHECK(c3[1].t1 == 12);
  CHECK(c3[2].state == DeviceState::Idle);
  CHECK(c3[2].t1 == 16);
  CHECK(c3[6].state == DeviceState::Idle);
  CHECK(c3[6].t0 == 17);

  // Segments of every device tile [0, 18] without gaps.
  for (int c : tl.clients) {
    double covered = 0;
    for (const auto& s : segments_of(tl, c)) {
      CHECK(s.t0 == Approx(covered));
      covered = s.t1;
    }
    CHECK(covered == 18);
  }
  REQUIRE(tl.drops.size() == 1);
  CHECK(tl.drops[0].client == 1);
  CHECK(tl.drops[0].reason == "offline");
}

TEST_CASE("device timeline: a comm lane beside compute, so that overlap shows", "[report]") {
  // Worker 0 trains 0..4 and 4..8 while its all-reduce of round 1 runs 4..6 on its comm lane.
  auto span = [](const char* kind, double t0, double t, int round) {
    TraceEvent e;
    e.kind = kind, e.t0 = t0, e.t = t, e.round = round, e.client = 0, e.actor = "worker-0", e.host = "node0-gpu0";
    return e;
  };
  const std::vector<TraceEvent> events = {span("train", 0, 4, 1), span("train", 4, 8, 2), span("collective", 4, 6, 1)};
  const auto tl = device_timeline(events, 10);
  const auto segs = segments_of(tl, 0);
  REQUIRE(segs.size() == 4);
  // The device's own lane tiles [0, 10]: training, training, idle.
  CHECK(segs[0].state == DeviceState::Training);
  CHECK(segs[1].state == DeviceState::Training);
  CHECK(segs[2].state == DeviceState::Idle);
  CHECK(segs[2].t0 == 8);
  for (int i = 0; i < 3; ++i) CHECK(segs[i].lane == 0);
  // The comm lane: communicating 4..6, overlapping the second training span.
  CHECK(segs[3].state == DeviceState::Communicating);
  CHECK(segs[3].lane == 1);
  CHECK(segs[3].t0 == 4);
  CHECK(segs[3].t1 == 6);
  CHECK(segs[3].round == 1);
  CHECK(std::string(to_string(DeviceState::Communicating)) == "communicating");
}

TEST_CASE("device timeline: a disk lane for weights streamed from disk, beside compute and comm", "[report]") {
  // An inference device (tpi-llm's memory scheduler): its loader reads block 1 from disk 0..3
  // and block 2 from 3..5 (client 0, actor loader-0) while the device computes block 1 3..4,
  // then all-reduces 4..6.
  auto span = [](const char* kind, double t0, double t, const char* actor) {
    TraceEvent e;
    e.kind = kind, e.t0 = t0, e.t = t, e.round = 1, e.client = 0, e.actor = actor, e.host = "phone-0";
    return e;
  };
  const std::vector<TraceEvent> events = {span("disk_read", 0, 3, "loader-0"), span("disk_read", 3, 5, "loader-0"),
                                          span("train", 3, 4, "master"), span("collective", 4, 6, "master")};
  const auto tl = device_timeline(events, 8);
  REQUIRE(tl.hosts == std::vector<std::string>{"phone-0"});
  const auto segs = segments_of(tl, 0);
  REQUIRE(segs.size() == 6);
  // Lane 0 tiles [0, 8]: idle while the first block loads, computing, idle.
  CHECK(segs[0].state == DeviceState::Idle);
  CHECK(segs[0].t1 == 3);
  CHECK(segs[1].state == DeviceState::Training);
  CHECK(segs[2].state == DeviceState::Idle);
  for (int i = 0; i < 3; ++i) CHECK(segs[i].lane == 0);
  CHECK(segs[3].state == DeviceState::Communicating);
  // The disk lane: both reads, the second overlapping the compute.
  CHECK(segs[4].state == DeviceState::ReadingDisk);
  CHECK(segs[4].lane == 2);
  CHECK(segs[4].t0 == 0);
  CHECK(segs[4].t1 == 3);
  CHECK(segs[5].lane == 2);
  CHECK(segs[5].t0 == 3);
  CHECK(segs[5].t1 == 5);
  CHECK(std::string(to_string(DeviceState::ReadingDisk)) == "reading disk");
  // The report draws it: a timeline layer of lane 2 in the "reading disk" colour, and the
  // state in the legend; the reads do not count twice in the shares of device time.
  RunData run;
  run.label = "inference";
  run.dir = flemu::test::scratch_dir("disk-lane").string();
  run.events = events;
  run.summary = {{"simulated_time_s", 8.0}};
  const auto d = build_report_data({run}, {});
  bool disk_rows = false;
  for (const auto& r : d.datasets["timeline"])
    if (r["state"] == "reading disk") {
      disk_rows = true;
      CHECK(r["lane"] == 2);
    }
  CHECK(disk_rows);
  nlohmann::json spec;
  for (const auto& c : report_charts(d))
    if (c.id == "timeline") spec = c.spec;
  REQUIRE(spec.is_object());
  bool disk_layer = false;
  for (const auto& layer : spec["layer"])
    if (layer.contains("transform") && layer["transform"][0]["filter"].get<std::string>().find("datum.lane == 2") !=
                                           std::string::npos)
      disk_layer = true;
  CHECK(disk_layer);
  CHECK_THAT(spec.dump(), Contains("reading disk"));
}

TEST_CASE("report data: summary row and datasets equal the files' numbers", "[report]") {
  std::vector<RunData> runs{read_run(fixture().string())};
  const auto d = build_report_data(std::move(runs), {});
  REQUIRE(d.summary.size() == 1);
  const auto& s = d.summary[0];
  CHECK(s.label == "fixture-4clients");
  CHECK(s.final_accuracy == "0.7");  // round 3 is not evaluated: the last measured is round 2's
  CHECK(s.final_accuracy_round == 2);
  CHECK(s.final_loss == "0.9");
  CHECK(s.cum_bytes == "15000");
  CHECK(s.energy_j == 55.75);
  CHECK(s.updates_dropped == 1);
  CHECK(s.device_offs == 2);
  CHECK(s.devices == 4);
  CHECK(d.has_energy);
  CHECK(d.has_battery);
  CHECK(d.has_staleness);

  const auto& metrics = d.datasets["metrics"];
  REQUIRE(metrics.size() == 3);
  CHECK(metrics[1]["accuracy"] == 0.7);
  CHECK(metrics[2]["accuracy"].is_null());
  CHECK(metrics[2]["cum_bytes"] == 15000);
  CHECK(d.datasets["breakdown"].size() == 3 * 2 * 4);  // rounds x splits x phases
  CHECK(d.datasets["battery"].size() == 5);
  CHECK(d.datasets["staleness"] == nlohmann::json::parse(
                                       R"([{"run":"fixture-4clients","staleness":0,"updates":6},)"
                                       R"({"run":"fixture-4clients","staleness":1,"updates":1}])"));
}

TEST_CASE("report data: cum_energy_j is derived from energy_j when only that is written", "[report]") {
  const auto dir = fixture_with("report-energy", "metrics.csv",
                                "round,time_s,duration_s,selected,updates,bytes_down,bytes_up,flops,train_loss,"
                                "accuracy,loss,eval_samples,cum_bytes,energy_j\n"
                                "1,10.5,10.5,3,3,3000,3000,10000000,2,0.5,1.5,100,6000,30.5\n"
                                "2,16,5.5,3,2,3000,2000,5500000,1.15,0.7,0.9,100,11000,20.25\n");
  const auto d = build_report_data({read_run(dir.string())}, {});
  CHECK(d.datasets["metrics"][1]["cum_energy_j"] == 50.75);
  CHECK(d.summary[0].energy_j == 50.75);
}

TEST_CASE("run labels: given, from the scenario, or from directories when names repeat", "[report]") {
  auto a = read_run(fixture().string());
  auto b = a;
  a.dir = "out/sweep/alpha-0.1";
  b.dir = "out/sweep/alpha-1/";
  CHECK(run_labels({a}, {}) == std::vector<std::string>{"fixture-4clients"});
  CHECK(run_labels({a, b}, {}) == std::vector<std::string>{"alpha-0.1", "alpha-1"});
  CHECK(run_labels({a, b}, {"x", "x"}) == std::vector<std::string>{"x", "x (2)"});
  CHECK_THAT(error_of([&] { run_labels({a, b}, {"only one"}); }), Contains("expected one --label per run"));
}

TEST_CASE("per-class view: devices, energy, updates, staleness and time by class", "[report]") {
  const auto d = build_report_data({read_run(fixture().string())}, {});
  CHECK(d.has_classes);
  const auto& rows = d.datasets["per_class"];
  REQUIRE(rows.size() == 3);
  // Classes in the order of their first device: phone (0, 1), laptop (2), edge-gpu (3).
  CHECK(rows[0]["class"] == "phone");
  CHECK(rows[0]["devices"] == 2);
  CHECK(rows[0]["energy_j"] == 35.5);  // devices.csv: 20 + 15.5
  CHECK(rows[0]["updates_sent"] == 3);
  CHECK(rows[0]["updates_accepted"] == 3);
  CHECK(rows[0]["updates_dropped"] == 1);  // phone-1's round 2, dropped before it uploaded
  CHECK(rows[0]["staleness_mean"] == 0.0);
  CHECK(rows[1]["class"] == "laptop");
  CHECK(rows[1]["updates_sent"] == 3);
  CHECK(rows[1]["staleness_mean"].get<double>() == Approx(1.0 / 3));
  CHECK(rows[1]["staleness_max"] == 1);
  CHECK(rows[2]["class"] == "edge-gpu");
  CHECK(rows[2]["energy_j"] == 8.0);
  // laptop-0 over [0, 18]: three rounds of 0.5 s download, 1 s training, 0.5 s upload.
  std::map<std::string, double> laptop;
  for (const auto& r : d.datasets["per_class_states"])
    if (r["class"] == "laptop") laptop[r["state"]] = r["seconds"];
  CHECK(laptop["downloading"] == 1.5);
  CHECK(laptop["training"] == 3.0);
  CHECK(laptop["uploading"] == 1.5);
  CHECK(laptop["idle"] == 12.0);
}

TEST_CASE("device activity: shares of device time per window add up to one", "[report]") {
  const auto d = build_report_data({read_run(fixture().string())}, {});
  const auto& rows = d.datasets["activity"];
  REQUIRE(rows.size() == 40 * 6);  // windows x states
  std::map<double, double> total;
  for (const auto& r : rows) total[r["w0"].get<double>()] += r["share"].get<double>();
  for (const auto& [w0, share] : total) CHECK(share == Approx(1.0));
  // First window [0, 0.45): all four devices exist; laptop-0 downloads, phones 0 and 1
  // download, edge-gpu-0 is idle.
  double downloading = 0;
  for (const auto& r : rows)
    if (r["w0"] == 0.0 && r["state"] == "downloading") downloading = r["share"];
  CHECK(downloading == Approx(0.75));
}

TEST_CASE("only runs whose rounds bound their uploads get a round breakdown", "[report]") {
  auto sync = read_run(fixture().string());
  CHECK(has_synchronous_rounds(sync.events));
  // The same uploads, each landing after its round closed: an asynchronous run.
  auto async = sync;
  async.dir = "async";
  for (auto& e : async.events)
    if (e.kind == "upload") e.t += 100;
  CHECK_FALSE(has_synchronous_rounds(async.events));
  const auto d = build_report_data({sync, async}, {"sync", "async"});
  for (const auto& r : d.datasets["breakdown"]) CHECK(r["run"] == "sync");
  bool noted = false;
  for (const auto& c : report_charts(d))
    if (c.id == "round-breakdown") noted = c.caption.find("Not shown: async") != std::string::npos;
  CHECK(noted);
}

TEST_CASE("timeline rows are device names grouped by class", "[report]") {
  const auto d = build_report_data({read_run(fixture().string())}, {});
  REQUIRE(d.row_hosts.size() == 1);
  CHECK(d.row_hosts[0] == std::vector<std::string>{"phone-0", "phone-1", "laptop-0", "edge-gpu-0"});
  for (const auto& r : d.datasets["timeline"])
    if (r["host"] == "edge-gpu-0") CHECK(r["row"] == 3);
  for (const auto& r : d.datasets["battery"]) CHECK(r["class"] == "phone");
}

TEST_CASE("runs get their sweep label from their own outputs, one colour each, and seed groups", "[report]") {
  auto variant = [](const std::string& dir, const std::string& label, const std::string& group, double acc) {
    auto run = read_run(fixture().string());
    run.dir = dir;
    run.scenario["overrides"] = {{"sweep", "uplink"}, {"label", label}, {"group", group}};
    const int col = run.metrics.index_of("accuracy");
    run.metrics.value[1][col] = acc;
    run.metrics.text[1][col] = std::to_string(acc);
    return run;
  };
  std::vector<RunData> runs{variant("out/u/v000", "uplink=1Mbps seed=1", "uplink=1Mbps", 0.6),
                            variant("out/u/v001", "uplink=1Mbps seed=2", "uplink=1Mbps", 0.8),
                            variant("out/u/v002", "uplink=4Mbps seed=1", "uplink=4Mbps", 0.7)};
  // Passed as plain folders (v00*), the runs still read as their overrides.
  const auto d = build_report_data(runs, {});
  CHECK(d.runs[0].label == "uplink=1Mbps seed=1");
  CHECK(d.runs[2].label == "uplink=4Mbps seed=1");
  CHECK(d.runs[0].color != d.runs[1].color);
  CHECK(d.runs[1].color != d.runs[2].color);
  // Only the group with two seeds is shown as mean and spread.
  REQUIRE(d.groups.size() == 1);
  CHECK(d.groups[0].group == "uplink=1Mbps");
  CHECK(d.groups[0].final_accuracy.n == 2);
  CHECK(d.groups[0].final_accuracy.mean == Approx(0.7));
  CHECK(d.groups[0].final_accuracy.sd == Approx(std::sqrt(0.02)));
  bool round2 = false;
  for (const auto& r : d.datasets["seed_groups"])
    if (r["round"] == 2) {
      round2 = true;
      CHECK(r["runs"] == 2);
      CHECK(r["accuracy_min"] == 0.6);
      CHECK(r["accuracy_max"] == 0.8);
    }
  CHECK(round2);
  // --set overrides without a sweep label read as key=value.
  auto set = read_run(fixture().string());
  set.scenario["overrides"] = {{"set", {{{"pointer", "/platform/classes/0/uplink"},
                                         {"given", "/platform/classes/phone/uplink"},
                                         {"value", "1Mbps"},
                                         {"from", "--set"}}}}};
  CHECK(run_labels({set}, {}) == std::vector<std::string>{"uplink=1Mbps"});
  // Two sweeps' variants that read alike are told apart by their sweep.
  auto other = runs[0];
  other.scenario["overrides"]["sweep"] = "other";
  CHECK(run_labels({runs[0], other}, {}) ==
        std::vector<std::string>{"uplink: uplink=1Mbps seed=1", "other: uplink=1Mbps seed=1"});
  // Every chart colouring runs uses the runs' colours, in their order.
  for (const auto& c : report_charts(d)) {
    if (!c.available) continue;
    const std::string spec = c.spec.dump();
    if (spec.find("\"field\":\"run\",\"legend\"") == std::string::npos &&
        spec.find("\"field\":\"run\",\"scale\"") == std::string::npos)
      continue;
    INFO(c.id);
    CHECK_THAT(spec, Contains("\"range\":[\"" + d.runs[0].color + "\",\"" + d.runs[1].color));
  }
}

TEST_CASE("bad inputs fail with file, line and what was expected", "[report]") {
  const std::string good_line = R"({"t":0,"kind":"round_start","actor":"server","round":1,"count":3})";
  SECTION("an events line that is not an object with t and kind") {
    const auto dir = fixture_with("report-bad", "events.jsonl", good_line + "\n" + good_line + "\n{\"kind\":\"x\"}\n");
    CHECK_THAT(error_of([&] { read_run(dir.string()); }),
               Contains((dir / "events.jsonl").string() + ":3: expected a JSON object with \"t\" and \"kind\""));
  }
  SECTION("an events line that is not JSON") {
    const auto dir = fixture_with("report-bad", "events.jsonl", good_line + "\n{\"t\": 1,\n");
    CHECK_THAT(error_of([&] { read_run(dir.string()); }), Contains("events.jsonl:2: expected a JSON object"));
  }
  SECTION("a key of the wrong type") {
    const auto dir = fixture_with("report-bad", "events.jsonl", R"({"t":0,"kind":"upload","round":"one"})");
    CHECK_THAT(error_of([&] { read_run(dir.string()); }),
               Contains("events.jsonl:1: expected \"round\" to be an integer, got \"one\""));
  }
  SECTION("a span that ends before it starts") {
    const auto dir = fixture_with("report-bad", "events.jsonl", R"({"t":1,"t0":2,"kind":"train"})");
    CHECK_THAT(error_of([&] { read_run(dir.string()); }), Contains("events.jsonl:1: expected \"t0\" <= \"t\""));
  }
  SECTION("a metrics row with a missing cell") {
    const auto dir = fixture_with("report-bad", "metrics.csv",
                                  "round,time_s,duration_s,selected,updates,bytes_down,bytes_up,flops,train_loss,"
                                  "accuracy,loss,eval_samples,cum_bytes\n1,2,2,1,1,5,5,5,,,,0,10\n1,2\n");
    CHECK_THAT(error_of([&] { read_run(dir.string()); }),
               Contains("metrics.csv:3: expected 13 cells like the header, got 2"));
  }
  SECTION("a metrics cell that is not a number") {
    const auto dir = fixture_with("report-bad", "metrics.csv",
                                  "round,time_s,duration_s,selected,updates,bytes_down,bytes_up,flops,train_loss,"
                                  "accuracy,loss,eval_samples,cum_bytes\n1,2,2,1,1,5,5,5,,high,,0,10\n");
    CHECK_THAT(error_of([&] { read_run(dir.string()); }),
               Contains("metrics.csv:2: expected column \"accuracy\" to be a number or empty, got \"high\""));
  }
  SECTION("a metrics header without a required column") {
    const auto dir = fixture_with("report-bad", "metrics.csv", "round,time_s\n1,2\n");
    CHECK_THAT(error_of([&] { read_run(dir.string()); }), Contains("metrics.csv:1: expected a header with column"));
  }
  SECTION("a summary that is not a JSON object") {
    const auto dir = fixture_with("report-bad", "summary.json", "{\n  \"scenario\": \"x\",\n  oops\n}\n");
    CHECK_THAT(error_of([&] { read_run(dir.string()); }), Contains("summary.json:3: expected a JSON object"));
  }
  SECTION("a number out of range in the trace or the summary") {
    auto dir = fixture_with("report-bad", "events.jsonl", good_line + "\n{\"t\":1e400,\"kind\":\"x\"}\n");
    CHECK_THAT(error_of([&] { read_run(dir.string()); }),
               Contains("events.jsonl:2: expected a JSON object with \"t\" and \"kind\" ("));
    dir = fixture_with("report-bad", "summary.json", "{\n  \"rounds\": 1e400\n}\n");
    CHECK_THAT(error_of([&] { read_run(dir.string()); }), Contains("summary.json:1: expected a JSON object ("));
  }
  SECTION("a trace that is not the one summary.json records") {
    const auto dir = flemu::test::scratch_dir("report-hash");
    for (const auto& e : fs::directory_iterator(fixture())) fs::copy_file(e.path(), dir / e.path().filename());
    flemu::test::write_file(dir / "events.jsonl", flemu::test::read_file(dir / "events.jsonl") + good_line + "\n");
    CHECK_THAT(error_of([&] { read_run(dir.string()); }),
               Contains((dir / "events.jsonl").string() +
                        ": expected the file whose hash summary.json records (events_hash cd9dd6106ea32fcb), got one "
                        "hashing to "));
  }
  SECTION("a directory without outputs") {
    const auto dir = flemu::test::scratch_dir("report-empty");
    CHECK_THAT(error_of([&] { read_run(dir.string()); }), Contains("summary.json: cannot open"));
  }
  SECTION("vendor scripts that are not there") {
    const auto dir = flemu::test::scratch_dir("report-novendor");
    CHECK_THAT(error_of([&] { load_vendor_scripts(dir.string()); }), Contains("npm ci"));
  }
}

TEST_CASE("the HTML report embeds the data, the specs and the libraries, and escapes text", "[report]") {
  const auto out = flemu::test::scratch_dir("report-html");
  ReportOptions opt;
  opt.run_dirs = {fixture().string()};
  opt.labels = {"fixture </script> & co"};
  opt.html_path = (out / "sub" / "report.html").string();
  opt.vendor_dir = fake_vendor_dir().string();
  write_report(opt);
  const auto html = flemu::test::read_file(opt.html_path);
  CHECK_THAT(html, Contains("/*vega*/"));
  CHECK_THAT(html, Contains("/*vega-embed*/"));
  CHECK_THAT(html, Contains("<td class=\"num\" data-field=\"final_accuracy\">0.7</td>"));
  CHECK_THAT(html, Contains("fixture &lt;/script&gt; &amp; co"));
  CHECK(html.find("fixture </script>") == std::string::npos);  // nowhere, not even in the JSON

  // The embedded datasets are exactly the report data (metrics values equal the CSV's).
  const auto start = html.find("<script type=\"application/json\" id=\"flemu-data\">");
  REQUIRE(start != std::string::npos);
  const auto body = start + std::string("<script type=\"application/json\" id=\"flemu-data\">").size();
  const auto data = nlohmann::json::parse(html.substr(body, html.find("</script>", body) - body));
  const auto run = read_run(fixture().string());
  REQUIRE(data["metrics"].size() == run.metrics.rows());
  for (size_t r = 0; r < run.metrics.rows(); ++r)
    for (const auto& col : run.metrics.columns) {
      const double v = run.metrics.at(r, col);
      if (std::isnan(v)) CHECK(data["metrics"][r][col].is_null());
      else CHECK(data["metrics"][r][col].get<double>() == v);
    }
  for (const char* id : {"accuracy-time", "accuracy-bytes", "accuracy-energy", "round-breakdown", "timeline", "battery",
                         "staleness"})
    CHECK_THAT(html, Contains(std::string("id=\"") + id + "-vis\""));
}

TEST_CASE("report without -o: next to its inputs, never over another file", "[report][cli]") {
  const auto base = flemu::test::scratch_dir("report-default");
  const auto cwd = fs::current_path();
  fs::current_path(base);
  struct Back {
    fs::path to;
    ~Back() { fs::current_path(to); }
  } back{cwd};

  // Where it goes: in the one folder given, else in the deepest folder that holds them all.
  CHECK(default_report_path({"out/q"}) == "out/q/report.html");
  CHECK(default_report_path({"out/q/"}) == "out/q/report.html");
  CHECK(default_report_path({"out/sweep/v000-a", "out/sweep/v001-b"}) == "out/sweep/report.html");
  CHECK(default_report_path({"out/quickstart", "out/tutorials/03/v000"}) == "out/report.html");
  CHECK(default_report_path({"out/ab", "out/a"}) == "out/report.html");  // by folder, not by prefix
  CHECK_THAT(error_of([] { default_report_path({"/no-such-a/x", "/no-such-b/y"}); }), Contains("-o FILE.html"));

  // Writing: a run folder gets its report; a second report of it replaces the first.
  for (const char* name : {"a", "b"}) {
    fs::create_directories(base / "out" / name);
    for (const auto& e : fs::directory_iterator(fixture()))
      fs::copy_file(e.path(), base / "out" / name / e.path().filename());
  }
  ReportOptions opt;
  opt.run_dirs = {"out/a"};
  opt.vendor_dir = fake_vendor_dir().string();
  CHECK(write_report(opt) == "out/a/report.html");
  CHECK(fs::exists(base / "out" / "a" / "report.html"));
  CHECK(write_report(opt) == "out/a/report.html");

  // Both runs: out/report.html. Then a report of other runs, or a file of the user's, is left alone.
  opt.run_dirs = {"out/a", "out/b"};
  CHECK(write_report(opt) == "out/report.html");
  opt.run_dirs = {"out/b", "out/a"};  // another report (other order of runs, other colours)
  CHECK_THAT(error_of([&] { write_report(opt); }), Contains("out/report.html exists and is a flemu report of other"));
  flemu::test::write_file(base / "out" / "b" / "report.html", "my notes");
  opt.run_dirs = {"out/b"};
  const auto err = error_of([&] { write_report(opt); });
  CHECK_THAT(err, Contains("out/b/report.html exists and is a file that is not a flemu report"));
  CHECK_THAT(err, Contains("-o FILE.html"));
  CHECK(flemu::test::read_file(base / "out" / "b" / "report.html") == "my notes");
  // With -o the user has chosen: written there, whatever was there.
  opt.html_path = (base / "out" / "b" / "report.html").string();
  CHECK(write_report(opt) == opt.html_path);
  CHECK_THAT(flemu::test::read_file(opt.html_path), Contains("flemu report"));
}

TEST_CASE("charts without data become notes", "[report]") {
  // The fixture without its energy columns, battery events and staleness.
  std::string events;
  {
    std::istringstream in(flemu::test::read_file(fixture() / "events.jsonl"));
    for (std::string line; std::getline(in, line);)
      if (line.find("\"battery\"") == std::string::npos) events += line + "\n";
  }
  auto pos = events.find(",\"staleness\":");
  while (pos != std::string::npos) {
    events.erase(pos, events.find('}', pos) - pos);
    pos = events.find(",\"staleness\":");
  }
  const auto dir = fixture_with("report-plain", "events.jsonl", events);
  flemu::test::write_file(dir / "metrics.csv",
        "round,time_s,duration_s,selected,updates,bytes_down,bytes_up,flops,train_loss,accuracy,loss,eval_samples,"
        "cum_bytes\n1,10.5,10.5,3,3,3000,3000,10000000,2,0.5,1.5,100,6000\n");
  forget_recorded_hash(dir, "metrics.csv");
  const auto d = build_report_data({read_run(dir.string())}, {});
  CHECK_FALSE(d.has_energy);
  CHECK_FALSE(d.has_battery);
  CHECK_FALSE(d.has_staleness);
  const auto charts = report_charts(d);
  int notes = 0;
  for (const auto& c : charts) notes += c.available ? 0 : 1;
  CHECK(notes == 3);
  const auto html = render_html(d, charts, VendorScripts{});
  CHECK_THAT(html, Contains("data-absent=\"accuracy-energy\""));
  CHECK_THAT(html, Contains("data-absent=\"battery\""));
  CHECK_THAT(html, Contains("data-absent=\"staleness\""));
}

TEST_CASE("gnuplot figures: PNG and SVG for each figure", "[report][gnuplot]") {
  if (!gnuplot_available()) {
    WARN("gnuplot is not installed: skipping the figure test (apt-get install gnuplot-nox)");
    return;
  }
  const auto out = flemu::test::scratch_dir("report-figures");
  auto a = read_run(fixture().string());
  auto b = a;
  b.dir = "other";
  const auto d = build_report_data({a, b}, {"base", "it's a variant"});
  const auto figures = write_gnuplot_figures(d, (out / "fig").string());
  for (const char* name : {"accuracy_time", "accuracy_bytes", "accuracy_energy", "round_breakdown-base",
                           "timeline-base", "round_breakdown-it-s-a-variant", "timeline-it-s-a-variant"}) {
    INFO(name);
    CHECK(fs::file_size(out / "fig" / (std::string(name) + ".png")) > 1000);
    CHECK_THAT(flemu::test::read_file(out / "fig" / (std::string(name) + ".svg")), Contains("<svg"));
    CHECK(fs::exists(out / "fig" / (std::string(name) + ".gp")));
  }
  CHECK(figures.size() == 14);
  CHECK_THAT(flemu::test::read_file(out / "fig" / "metrics-base.dat"), Contains("2 16 11000 50.75 0.7"));
}

TEST_CASE("a seeded sweep made with --vary renders readably in headless Chromium", "[report][browser][sweep][e2e]") {
  // --vary and --seeds end to end: a scenario with power, batteries and two classes, the
  // phones' uplink at two rates, two seeds each; then the report of the sweep folder.
  const auto dir = flemu::test::scratch_dir("report-sweep");
  auto s = flemu::test::tiny_scenario((dir / "unused").string());
  s["platform"]["classes"][0]["power"] = {{"idle", "0.1W"}, {"busy", "3W"}, {"send", "1W"}, {"receive", "0.5W"}};
  s["platform"]["classes"][0]["battery"] = {{"capacity", "40J"}, {"floor", 0.05}};
  s["platform"]["classes"][1]["power"] = {{"idle", "1W"}, {"busy", "10W"}};
  flemu::test::write_file(dir / "s.json", s.dump(2));
  const auto out = dir / "sweep";
  auto r = flemu::test::run_flemu("sweep --quiet --parallel 2 " + (dir / "s.json").string() +
                                  " --vary /platform/classes/slow/uplink=1Mbps,4Mbps --seeds 2 -o " + out.string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto index = nlohmann::json::parse(flemu::test::read_file(out / "index.json"));
  REQUIRE(index["variants"].size() == 4);
  CHECK(index["variants"][1]["label"] == "uplink=1Mbps seed=6");
  CHECK(index["variants"][1]["group"] == "uplink=1Mbps");
  const auto html = (dir / "sweep.html").string();
  auto rep = flemu::test::run_flemu("report " + out.string() + " -o " + html);
  INFO(rep.output);
  REQUIRE(rep.exit_code == 0);
  const std::string page = flemu::test::read_file(html);
  CHECK_THAT(page, Contains("id=\"seed-table\""));
  CHECK_THAT(page, Contains("id=\"per-class-vis\""));
  CHECK_THAT(page, Contains("id=\"seed-spread-vis\""));
  // Passed as variant folders, the runs are still named by their overrides.
  std::string dirs;
  for (const auto& v : index["variants"]) dirs += " " + v["directory"].get<std::string>();
  auto rep2 = flemu::test::run_flemu("report" + dirs + " -o " + (dir / "folders.html").string());
  REQUIRE(rep2.exit_code == 0);
  CHECK_THAT(flemu::test::read_file(dir / "folders.html"), Contains("uplink=4Mbps seed=6"));

  const auto script = flemu::test::source_dir() / "tests" / "report_browser_test.mjs";
  const bool have_node = std::system("command -v node > /dev/null 2>&1") == 0;
  const bool have_chromium = fs::exists("/usr/bin/chromium") || std::getenv("CHROMIUM_PATH");
  const bool have_modules = fs::exists(flemu::test::source_dir() / "analysis" / "node_modules" / "playwright-core");
  if (!have_node || !have_chromium || !have_modules || !vendor_present()) {
    WARN("skipping the browser part: needs node, chromium and `npm ci` in analysis/");
    return;
  }
  const std::string cmd = "node '" + script.string() + "' '" + html + "' '" +
                          (fs::path(index["variants"][2]["directory"].get<std::string>()) / "metrics.csv").string() +
                          "' '" + (dir / "sweep.png").string() + "'";
  CHECK(std::system(cmd.c_str()) == 0);
}

TEST_CASE("the report renders in headless Chromium", "[report][browser]") {
  const auto script = flemu::test::source_dir() / "tests" / "report_browser_test.mjs";
  const bool have_node = std::system("command -v node > /dev/null 2>&1") == 0;
  const bool have_chromium = fs::exists("/usr/bin/chromium") || std::getenv("CHROMIUM_PATH");
  const bool have_modules = fs::exists(flemu::test::source_dir() / "analysis" / "node_modules" / "playwright-core");
  if (!have_node || !have_chromium || !have_modules || !vendor_present()) {
    WARN("skipping the browser test: needs node, chromium and `npm ci` in analysis/");
    return;
  }
  const auto out = flemu::test::scratch_dir("report-browser");
  ReportOptions opt;
  opt.run_dirs = {fixture().string()};
  opt.html_path = (out / "report.html").string();
  write_report(opt);
  const std::string cmd = "node '" + script.string() + "' '" + opt.html_path + "' '" +
                          (fixture() / "metrics.csv").string() + "' '" + (out / "report.png").string() + "'";
  CHECK(std::system(cmd.c_str()) == 0);
}
