// Golden traces: small analytic runs whose events.jsonl and metrics.csv must stay byte for
// byte what they were when the files under tests/data/golden/ were written.
//
// They pin the simulated timeline (transfers, training, deaths, drops, staleness, event
// order) across refactorings of the engine glue: a change that moves one event by one ulp,
// or emits two events in another order, fails here with the first line that differs.
// Analytic training keeps them independent of the BLAS kernel (../shared/FACTS.md).
//
// When a change of the timeline is intended, regenerate and review the diff:
//   FLEMU_UPDATE_GOLDEN=1 build/flemu_tests "[golden]"
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <cstdlib>
#include <sstream>
#include <string>

#include "test_support.hpp"

using namespace flemu::test;

namespace {

std::filesystem::path golden_dir() { return source_dir() / "tests" / "data" / "golden"; }

/// "line N: expected <a>, got <b>" for the first line where the texts differ.
std::string first_difference(const std::string& expected, const std::string& actual) {
  std::istringstream a(expected), b(actual);
  std::string la, lb;
  for (int n = 1;; ++n) {
    const bool more_a = static_cast<bool>(std::getline(a, la)), more_b = static_cast<bool>(std::getline(b, lb));
    if (!more_a && !more_b) return "identical";
    if (!more_a) la = "<end of file>";
    if (!more_b) lb = "<end of file>";
    if (la != lb || !more_a || !more_b)
      return "line " + std::to_string(n) + ":\n  expected " + la + "\n  got      " + lb;
  }
}

/// Runs `scenario` (default: tests/data/golden/<name>.json) and compares its outputs with
/// <golden>.events.jsonl and <golden>.metrics.csv (default golden: name).
void check_against_golden(const std::string& name, int jobs, std::filesystem::path scenario = {},
                          std::string golden_name = "") {
  if (scenario.empty()) scenario = golden_dir() / (name + ".json");
  if (golden_name.empty()) golden_name = name;
  const auto out = scratch_dir("golden-" + name);
  const auto r = run_flemu("run --quiet --jobs " + std::to_string(jobs) + " -o " + out.string() + " " +
                           scenario.string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const bool update = std::getenv("FLEMU_UPDATE_GOLDEN") != nullptr;
  for (const std::string file : {"events.jsonl", "metrics.csv"}) {
    const auto golden = golden_dir() / (golden_name + "." + file);
    const std::string actual = read_file(out / file);
    if (update) write_file(golden, actual);
    REQUIRE(std::filesystem::exists(golden));
    const std::string expected = read_file(golden);
    INFO(name << " " << file << " differs from " << golden.string() << " at "
              << first_difference(expected, actual));
    CHECK(actual == expected);
  }
}

}  // namespace

TEST_CASE("golden trace: sync FedAvg, dying phones, deadline, over-selection, link drop", "[golden]") {
  check_against_golden("golden-sync", 1);
}

TEST_CASE("golden trace: FedBuff on devices that switch on and off", "[golden]") {
  check_against_golden("golden-fedbuff", 2);
}

TEST_CASE("golden trace: FedAsync on devices that are always on", "[golden]") {
  check_against_golden("golden-fedasync", 1);
}

TEST_CASE("golden trace: AFA-CD anarchic clients", "[golden]") { check_against_golden("golden-anarchic", 1); }

TEST_CASE("golden trace: CO2 on a cluster, hierarchical all-reduce on the comm lane", "[golden]") {
  check_against_golden("golden-co2", 2);
}

TEST_CASE("golden trace: DDP with bucketed all-reduce overlapping backward", "[golden]") {
  check_against_golden("golden-ddp", 1);
}

TEST_CASE("golden trace: AugLocal over a chain of devices", "[golden]") { check_against_golden("golden-auglocal", 2); }

TEST_CASE("golden trace: backpropagation pipeline with micro-batches", "[golden]") {
  check_against_golden("golden-bp-pipeline", 1);
}

TEST_CASE("golden traces: every local rule sends what it declares and pays for its gradient evaluations",
          "[golden][local_rule]") {
  // One scenario (golden-rules.json), one run per algorithm. Algorithms that move the same
  // bytes and make the same gradient evaluations share one golden timeline: the table says
  // which, and is itself part of what is checked (analytic training: only time, bytes, flops,
  // energy and drops are in the trace).
  const std::vector<std::pair<std::string, std::string>> algorithms = {
      {"fedavg", "golden-rules-1x"},     {"fedprox", "golden-rules-1x"},    {"feddyn", "golden-rules-1x"},
      {"fedadam", "golden-rules-1x"},    {"fedyogi", "golden-rules-1x"},    {"fedavgm", "golden-rules-1x"},
      {"fedsam", "golden-rules-sam"},    {"fedspeed", "golden-rules-sam"},  {"scaffold", "golden-rules-2x"},
      {"fedgamma", "golden-rules-2x-sam"}, {"fedsmoo", "golden-rules-2x-sam"}, {"fedcm", "golden-rules-fedcm"},
      {"mofedsam", "golden-rules-mofedsam"}, {"pfedgate", "golden-rules-pfedgate"}};
  const nlohmann::json base = nlohmann::json::parse(read_file(golden_dir() / "golden-rules.json"));
  for (const auto& [name, golden] : algorithms) {
    INFO(name);
    nlohmann::json s = base;
    s["algorithm"]["name"] = name;
    if (name == "pfedgate") s["algorithm"]["budgets"] = {{"phone", 0.3}, {"laptop", 0.6}};  // smaller sub-models
    s["name"] = "golden-rules-" + name;
    const auto path = scratch_dir("golden-rules") / (name + ".json");
    write_file(path, s.dump(2));
    check_against_golden("rules-" + name, name == "fedspeed" ? 2 : 1, path, golden);
  }
}

TEST_CASE("golden trace: FedBuff clients taking SAM steps", "[golden][local_rule]") {
  check_against_golden("golden-fedbuff-sam", 2);
}

TEST_CASE("golden trace: DFedAvg gossip rounds on a torus, devices off and back", "[golden][decentralized]") {
  check_against_golden("golden-gossip", 2);
}

TEST_CASE("golden trace: AD-PSGD pairwise averaging with locks", "[golden][decentralized]") {
  check_against_golden("golden-adpsgd", 1);
}

TEST_CASE("golden trace: Poisson-clock gossip over direct links", "[golden][decentralized]") {
  check_against_golden("golden-poisson-gossip", 2);
}

TEST_CASE("golden trace: DADAO with SimGrid durations on a star", "[golden][decentralized][dadao]") {
  check_against_golden("golden-dadao", 1);
}

TEST_CASE("golden trace: SFPrompt's split schedule (four messages per batch, a shared server)", "[golden]") {
  check_against_golden("golden-sfprompt", 2);
}

TEST_CASE("golden trace: FedAvg with DGC uploads and QSGD downloads", "[golden][compression]") {
  check_against_golden("golden-compressed", 2);
}

TEST_CASE("golden trace: TAPS-like heavy hitters, GRR downloads, users coming and going", "[golden]") {
  check_against_golden("golden-hh-taps", 2);
}

TEST_CASE("golden trace: FedZO on Ackley with the honest accept rule", "[golden]") {
  check_against_golden("golden-zo-fedzo", 2);
}

TEST_CASE("golden trace: DFedSAM-MGS, three gossip steps per round over direct links", "[golden][decentralized]") {
  check_against_golden("golden-dfedsam-mgs", 2);
}

TEST_CASE("golden trace: TPI-LLM, star all-reduces and the memory scheduler's disk reads", "[golden][inference]") {
  check_against_golden("golden-tpi-llm", 2);
}

TEST_CASE("golden trace: the LLM pipeline baseline over three devices", "[golden][inference]") {
  check_against_golden("golden-llm-pipeline", 1);
}

TEST_CASE("golden trace: Video-Infinity's halos and global all-gathers over three GPUs", "[golden][video]") {
  check_against_golden("golden-video-infinity", 2);
}
