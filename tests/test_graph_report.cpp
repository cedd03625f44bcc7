// The report's decentralized part (analysis/graph_report.hpp) on tests/data/report_gossip_run,
// a 4-round DFedAvg run on a 3 x 3 torus where node-3 is off between 1 s and 2.5 s (its
// scenario.resolved.json): layouts, datasets equal to the files, the charts in the HTML, and the
// page in headless Chromium when it is there.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "analysis/graph_report.hpp"
#include "analysis/html_report.hpp"
#include "analysis/report.hpp"
#include "analysis/report_data.hpp"
#include "analysis/run_reader.hpp"
#include "tests/test_support.hpp"

using namespace flemu::analysis;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using nlohmann::json;

namespace {

fs::path fixture() { return flemu::test::source_dir() / "tests" / "data" / "report_gossip_run"; }

}  // namespace

TEST_CASE("graph layout: lattices on their grid, the star's hub in the centre, others on a circle", "[report][graph]") {
  const json torus = {{"nodes", 6}, {"topology", "torus"}, {"lattice", {{"rows", 2}, {"cols", 3}}}, {"edge_list", json::array()}};
  const auto t = graph_layout(torus);
  CHECK(t[0] == std::make_pair(0.0, 1.0));
  CHECK(t[2] == std::make_pair(1.0, 1.0));
  CHECK(t[4] == std::make_pair(0.5, 0.0));
  const json star = {{"nodes", 4}, {"topology", "star"}, {"edge_list", {{0, 1}, {0, 2}, {0, 3}}}};
  const auto s = graph_layout(star);
  CHECK(s[0] == std::make_pair(0.5, 0.5));
  CHECK(s[1].first == Approx(0.5));
  CHECK(s[1].second == Approx(1.0));
  const json ring = {{"nodes", 4}, {"topology", "ring"}, {"edge_list", {{0, 1}, {1, 2}, {2, 3}, {0, 3}}}};
  const auto r = graph_layout(ring);
  CHECK(r[0].second == Approx(1.0));  // first node on top, then clockwise
  CHECK(r[1].first == Approx(1.0));
  CHECK(r[2].second == Approx(0.0).margin(1e-12));
}

TEST_CASE("graph charts: datasets equal nodes.csv and topology.json", "[report][graph]") {
  ReportData d = build_report_data({read_run(fixture().string())}, {"gossip"});
  std::vector<ChartSpec> charts;
  add_graph_charts(d, charts);
  REQUIRE(charts.size() == 3);
  CHECK(charts[0].id == "graph");
  CHECK(charts[1].id == "node-curves");
  CHECK(charts[2].id == "consensus");
  for (const auto& c : charts) CHECK(c.available);
  CHECK(d.datasets["graph_edges"].size() == 18);  // 3 x 3 torus: 2 n edges
  // nodes.csv: 9 nodes tested at rounds 2 and 4.
  CHECK(d.datasets["graph_nodes"].size() == 18);
  CHECK(d.datasets["node_curves"].size() == 18);
  const auto rows = flemu::test::read_file(fixture() / "nodes.csv");
  const auto& first = d.datasets["graph_nodes"][0];
  CHECK(first["round"] == 2);
  CHECK(first["step"] == 1);
  CHECK(first["name"] == "node-0");
  CHECK_THAT(rows, Contains("2," + first["time_s"].dump() + ",0," + first["accuracy"].dump() + ","));
  CHECK(d.datasets["graph_nodes"][17]["step"] == 2);

  // A run without topology.json adds nothing.
  ReportData plain = build_report_data({read_run((flemu::test::source_dir() / "tests" / "data" / "report_run").string())}, {});
  std::vector<ChartSpec> none;
  add_graph_charts(plain, none);
  CHECK(none.empty());
  CHECK_FALSE(plain.datasets.contains("graph_nodes"));
}

TEST_CASE("graph charts: bad nodes.csv names its file and line", "[report][graph]") {
  const auto dir = flemu::test::scratch_dir("graph-bad");
  for (const auto& e : fs::directory_iterator(fixture())) fs::copy_file(e.path(), dir / e.path().filename());
  flemu::test::write_file(dir / "nodes.csv", "round,time_s,node,accuracy,loss,messages,bytes_sent,state\n2,x,0\n");
  ReportData d = build_report_data({read_run(dir.string())}, {});
  std::vector<ChartSpec> charts;
  try {
    add_graph_charts(d, charts);
    FAIL("no error");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(std::string(e.what()), Contains("nodes.csv:2: expected 8 comma-separated fields"));
  }
}

TEST_CASE("the report of a decentralized run has the graph, node curves and consensus", "[report][graph]") {
  const auto out = flemu::test::scratch_dir("graph-html");
  ReportOptions opt;
  opt.run_dirs = {fixture().string()};
  opt.html_path = (out / "report.html").string();
  const bool vendor = fs::exists(fs::path(default_vendor_dir()) / "vega" / "build" / "vega.min.js");
  if (!vendor) {
    const auto v = flemu::test::scratch_dir("graph-vendor");
    for (const char* f : {"vega.min.js", "vega-lite.min.js", "vega-embed.min.js"}) flemu::test::write_file(v / f, "/**/");
    opt.vendor_dir = v.string();
  }
  write_report(opt);
  const auto html = flemu::test::read_file(opt.html_path);
  for (const char* id : {"graph", "node-curves", "consensus"}) CHECK_THAT(html, Contains(std::string("id=\"") + id + "-vis\""));

  const auto script = flemu::test::source_dir() / "tests" / "report_browser_test.mjs";
  const bool have_node = std::system("command -v node > /dev/null 2>&1") == 0;
  const bool have_chromium = fs::exists("/usr/bin/chromium") || std::getenv("CHROMIUM_PATH");
  const bool have_modules = fs::exists(flemu::test::source_dir() / "analysis" / "node_modules" / "playwright-core");
  if (!have_node || !have_chromium || !have_modules || !vendor) {
    WARN("skipping the browser check: needs node, chromium and `npm ci` in analysis/");
    return;
  }
  // Every chart, the graph's included, renders data marks and is not blank.
  const std::string cmd = "node '" + script.string() + "' '" + opt.html_path + "' '" +
                          (fixture() / "metrics.csv").string() + "' '" + (out / "report.png").string() + "'";
  CHECK(std::system(cmd.c_str()) == 0);
}
