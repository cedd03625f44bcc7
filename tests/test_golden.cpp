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

void check_against_golden(const std::string& name, int jobs) {
  const auto out = scratch_dir("golden-" + name);
  const auto r = run_flemu("run --quiet --jobs " + std::to_string(jobs) + " -o " + out.string() + " " +
                           (golden_dir() / (name + ".json")).string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const bool update = std::getenv("FLEMU_UPDATE_GOLDEN") != nullptr;
  for (const std::string file : {"events.jsonl", "metrics.csv"}) {
    const auto golden = golden_dir() / (name + "." + file);
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
