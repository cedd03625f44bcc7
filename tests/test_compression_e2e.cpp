// Compressed transfers end to end (algorithm.compression): the loader's checks, the encoded
// payload setting each transfer's time exactly, codec work on the devices' and the server's
// time, codec state kept only for uploads that arrived, every schedule (sync, async,
// anarchic), and determinism across --jobs.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "emulator/config/scenario.hpp"
#include "test_support.hpp"

using nlohmann::json;
using namespace flemu;
using namespace flemu::test;

namespace {

json read_json(const std::filesystem::path& p) {
  std::ifstream in(p);
  return json::parse(in);
}

/// Runs `scenario` into a fresh directory; returns it.
std::filesystem::path run(const json& scenario, const std::string& tag, int jobs = 2) {
  const auto dir = scratch_dir(tag);
  json s = scenario;
  s["output"]["directory"] = (dir / "out").string();
  write_file(dir / "s.json", s.dump(2));
  const auto r = run_flemu("run --quiet --jobs " + std::to_string(jobs) + " " + (dir / "s.json").string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  return dir / "out";
}

std::string load_error(const json& doc) {
  try {
    load_scenario(doc, "c.json");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("compression settings: each codec's keys, its defaults, downloads quantized only", "[compression][scenario]") {
  json s = tiny_scenario("/tmp/unused");
  s["algorithm"]["compression"] = {{"up", {{"name", "dgc"}}}};
  const Scenario sc = load_scenario(s, "c.json");
  CHECK(sc.algorithm.compression.up.name == "dgc");
  CHECK(sc.algorithm.compression.up.density == 0.001);  // the paper's, not topk's 0.01
  CHECK(sc.algorithm.compression.up.warmup == "paper");
  CHECK(sc.algorithm.compression.down.name == "none");
  const json& resolved = sc.resolved["algorithm"]["compression"];
  CHECK(resolved["up"]["momentum"] == 0.9);
  CHECK(resolved["down"] == json{{"name", "none"}});
  CHECK(!resolved["up"].contains("keep"));  // another codec's key is not filled in

  s["algorithm"]["compression"] = {{"up", {{"name", "fp16"}, {"density", 0.1}}}};
  CHECK(load_error(s) ==
        "c.json: /algorithm/compression/up/density: expected no \"density\" with codec \"fp16\": it applies to topk, "
        "randk and dgc");
  s["algorithm"]["compression"] = {{"down", {{"name", "topk"}}}};
  CHECK_THAT(load_error(s), Catch::Contains("/algorithm/compression/down/name: expected one of \"none\", \"fp16\", "
                                            "\"qsgd\", \"fedpaq\""));
  s["algorithm"]["compression"] = {{"up", {{"name", "zip"}}}};
  CHECK_THAT(load_error(s), Catch::Contains("/algorithm/compression/up/name"));
  s["algorithm"]["compression"] = {{"up", {{"name", "topk"}, {"density", 0}}}};
  CHECK_THAT(load_error(s), Catch::Contains("/algorithm/compression/up/density"));
  // Decentralized and other families have no server transfers to compress.
  CHECK(load_scenario(tiny_scenario("/tmp/unused"), "c.json").resolved["algorithm"].contains("compression") == false);
}

TEST_CASE("an encoded upload crosses the link in latency + payload/bandwidth, its codec work on the device",
          "[compression][e2e][timing]") {
  // One device, exact network: every span is hand-checkable.
  json s = tiny_scenario("");
  s["platform"]["classes"] = json::array(
      {{{"name", "one"}, {"count", 1}, {"speed", "1Gf"}, {"cores", 1}, {"uplink", "1Mbps"}, {"downlink", "8Mbps"},
        {"latency", "10ms"}}});
  s["algorithm"]["clients_per_round"] = 1;
  s["algorithm"]["compression"] = {{"up", {{"name", "topk"}, {"density", 0.05}}}, {"down", {{"name", "fp16"}}}};
  s["stop"] = {{"rounds", 2}};
  const auto out = run(s, "comp-timing");
  const auto events = read_events(out);
  const int64_t dense = 199210 * 4;
  std::map<std::string, int> seen;
  double last_train_end = -1, encode_end = -1;
  for (const auto& e : events) {
    const std::string kind = e["kind"];
    ++seen[kind + (e["actor"] == "server" ? "@server" : "")];
    if (kind == "download") {
      CHECK(e["bytes"].get<double>() == 8 + 6 * 4 + 2 * 199210.0);  // fp16: header, 6 tensor blocks, 2 B a value
      CHECK(e["dense_bytes"].get<double>() == dense);
      CHECK(e["t"].get<double>() - e["t0"].get<double>() == Approx(0.010 + e["bytes"].get<double>() / 1e6).epsilon(1e-9));
    }
    if (kind == "train") last_train_end = e["t"];
    if (kind == "encode" && e["actor"] != "encode-model") {
      CHECK(e["t0"].get<double>() == Approx(last_train_end));
      CHECK(e["t"].get<double>() - e["t0"].get<double>() == Approx(e["flops"].get<double>() / 1e9).epsilon(1e-9));
      encode_end = e["t"];
    }
    if (kind == "upload") {
      const double bytes = e["bytes"];
      CHECK(bytes < dense / 8.0);  // 5% density with indices
      CHECK(e["dense_bytes"].get<double>() == dense);
      CHECK(e["t0"].get<double>() == Approx(encode_end));
      CHECK(e["t"].get<double>() - e["t0"].get<double>() == Approx(0.010 + bytes / 125000.0).epsilon(1e-9));
    }
  }
  CHECK(seen["encode"] == 4);          // two model broadcasts, two client updates
  CHECK(seen["decode"] == 2);          // the client decodes each download
  CHECK(seen["decode@server"] == 2);   // the server decodes each update
  const json summary = read_json(out / "summary.json");
  CHECK(summary["compression"]["up"] == "topk");
  CHECK(summary["compression"]["ratio_up"].get<double>() > 8);
  CHECK(summary["compression"]["ratio_down"].get<double>() == Approx(2).epsilon(1e-3));
  CHECK(summary["compression"]["clients_with_codec_state"] == 1);
  // metrics.csv: encoded bytes, and the dense ones beside them.
  std::ifstream metrics(out / "metrics.csv");
  std::string header;
  std::getline(metrics, header);
  CHECK_THAT(header, Catch::EndsWith(",dense_bytes_down,dense_bytes_up,compression_ratio,paper_bytes_up,codec_flops"));
}

TEST_CASE("codec state is kept only by clients whose upload arrived", "[compression][e2e]") {
  // Two devices; the slow one's upload cannot beat the deadline, so it never arrives.
  json s = tiny_scenario("");
  s["platform"]["classes"] = json::array(
      {{{"name", "fast"}, {"count", 1}, {"speed", "10Gf"}, {"cores", 1}, {"bandwidth", "100Mbps"}, {"latency", "5ms"}},
       {{"name", "slow"}, {"count", 1}, {"speed", "10Gf"}, {"cores", 1}, {"uplink", "10kbps"}, {"downlink", "100Mbps"},
        {"latency", "5ms"}}});
  s["algorithm"]["clients_per_round"] = 2;
  s["algorithm"]["deadline"] = "3s";
  s["algorithm"]["compression"] = {{"up", {{"name", "topk"}, {"density", 0.05}}}};
  s["stop"] = {{"rounds", 2}};
  const auto out = run(s, "comp-state");
  const json summary = read_json(out / "summary.json");
  CHECK(summary["compression"]["clients_with_codec_state"] == 1);
  CHECK(summary["compression"]["codec_state_bytes"] == 199210 * 4);
  int dropped = 0;
  for (const auto& e : read_events(out))
    if (e["kind"] == "update_dropped") {
      ++dropped;
      CHECK(e["client"] == 1);
    }
  CHECK(dropped == 2);
}

TEST_CASE("compressed runs are deterministic across --jobs on every schedule, and learn", "[compression][e2e][determinism]") {
  struct Case {
    std::string algorithm, up, down;
  };
  for (const Case& c : {Case{"fedavg", "fedzip", "qsgd"}, Case{"fedbuff", "topk", "fp16"},
                        Case{"afa-cd", "qsgd", "none"}, Case{"fedprox", "dgc", "fedpaq"}}) {
    INFO(c.algorithm << " " << c.up << "/" << c.down);
    json s = tiny_scenario("");
    s["algorithm"]["name"] = c.algorithm;
    if (c.algorithm == "fedbuff") s["algorithm"]["buffer_size"] = 2;
    if (c.algorithm == "afa-cd") {
      s["algorithm"].erase("clients_per_round");
      s["algorithm"].erase("local_epochs");
      s["algorithm"]["updates_per_step"] = 2;
      s["stop"] = {{"time", "60s"}};
    }
    s["algorithm"]["compression"] = {{"up", {{"name", c.up}}}, {"down", {{"name", c.down}}}};
    const auto a = run(s, "comp-det-a", 1), b = run(s, "comp-det-b", 2);
    CHECK(read_file(a / "events.jsonl") == read_file(b / "events.jsonl"));
    CHECK(read_file(a / "metrics.csv") == read_file(b / "metrics.csv"));
    const json summary = read_json(a / "summary.json");
    CHECK(summary["compression"]["ratio_up"].get<double>() > 1.5);
    CHECK(summary["rounds"].get<int>() >= 2);
    REQUIRE(summary["final_accuracy"].is_number());
    CHECK(summary["final_accuracy"].get<double>() > 0.15);  // synthetic data, 10 classes: learns something
  }
}
