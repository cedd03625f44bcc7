// Fuzz harness (issue 10): mutants of every shipped scenario (tests/scenario_fuzz.hpp) must
// either load or fail with a ScenarioError that names the file and a JSON path or a line;
// through the CLI, `flemu validate` exits 0 or 2, never by a signal; valid mutants run in
// --smoke form end under a timeout, exit 0, 1 or 2 and leave no staging folder.
//
// CI runs a fixed, seeded sample. The bench runs more, with the same code:
//   FLEMU_FUZZ_CASES=20000 FLEMU_FUZZ_CLI=400 FLEMU_FUZZ_SMOKE=40 FLEMU_FUZZ_SEED=1 \
//     ./build/flemu_tests "[fuzz]"            (bench/README.md: "Fuzzing scenarios")
// Failing mutants are kept under $TMPDIR/flemu-fuzz-failures/ to reproduce them.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>

#include "emulator/config/scenario.hpp"
#include "scenario_fuzz.hpp"
#include "test_support.hpp"

using namespace flemu;
using namespace flemu::test;
namespace fs = std::filesystem;

namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

/// The shipped scenarios (not sweeps, not the schema), as text, in a fixed order.
std::vector<std::pair<std::string, std::string>> shipped_scenarios() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : fs::recursive_directory_iterator(source_dir() / "scenarios")) {
    if (e.path().extension() != ".json" || e.path().filename() == "scenario.schema.json") continue;
    const std::string text = read_file(e.path());
    const auto doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || doc.contains("base") || !doc.contains("platform")) continue;
    out.emplace_back(e.path().string(), text);
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// "<file>: /a/b: expected ...", "<file>: line L, column C: expected ...", "<file>: expected ...".
bool names_a_place(const std::string& message, const std::string& file) {
  if (message.rfind(file + ": ", 0) != 0) return false;
  const std::string rest = message.substr(file.size() + 2);
  return (rest.rfind("/", 0) == 0 || rest.rfind("line ", 0) == 0 || rest.rfind("byte ", 0) == 0 ||
          rest.rfind("expected ", 0) == 0) &&
         rest.find("expected") != std::string::npos;
}

struct Case {
  fs::path file;
  fuzz::Mutant mutant;
  std::string scenario;
};

/// The mutants of one run of the harness, written into `dir`, with their relative files
/// (availability traces, mixing matrices) copied beside them.
std::vector<Case> make_cases(const fs::path& dir, int count, uint64_t seed) {
  const auto scenarios = shipped_scenarios();
  REQUIRE(!scenarios.empty());
  fuzz::Mutator mutator(seed);
  std::vector<Case> cases;
  for (int i = 0; i < count; ++i) {
    const auto& [path, text] = scenarios[static_cast<size_t>(i) % scenarios.size()];
    const fs::path sub = dir / fs::path(path).parent_path().filename();
    if (!fs::exists(sub)) {
      fs::create_directories(sub);
      for (const auto& e : fs::directory_iterator(fs::path(path).parent_path()))
        if (e.is_regular_file() && e.path().extension() != ".json") fs::copy_file(e.path(), sub / e.path().filename());
    }
    Case c{sub / ("mutant-" + std::to_string(i) + ".json"), mutator.mutate(text), path};
    write_file(c.file, c.mutant.text);
    cases.push_back(std::move(c));
  }
  return cases;
}

void keep_failure(const Case& c, const std::string& why) {
  const fs::path keep = fs::temp_directory_path() / "flemu-fuzz-failures";
  fs::create_directories(keep);
  fs::copy_file(c.file, keep / c.file.filename(), fs::copy_options::overwrite_existing);
  write_file(keep / (c.file.filename().string() + ".why.txt"),
             c.scenario + "\n" + fuzz::kind_name(c.mutant.kind) + " at " + c.mutant.where + "\n" + why + "\n");
}

}  // namespace

TEST_CASE("fuzz: mutants of the shipped scenarios load or fail with a path or a line", "[fuzz]") {
  const int count = env_int("FLEMU_FUZZ_CASES", 1000);
  const auto dir = scratch_dir("fuzz-load");
  const auto cases = make_cases(dir, count, static_cast<uint64_t>(env_int("FLEMU_FUZZ_SEED", 1)));
  std::map<std::string, int> valid, refused;
  int failures = 0;
  for (const auto& c : cases) {
    const std::string kind = fuzz::kind_name(c.mutant.kind);
    const auto start = std::chrono::steady_clock::now();
    std::string problem;
    try {
      load_scenario(c.file.string());
      valid[kind]++;
    } catch (const ScenarioError& e) {
      refused[kind]++;
      if (!names_a_place(e.what(), c.file.string())) problem = std::string("message names no place: ") + e.what();
    } catch (const std::exception& e) {
      problem = std::string("not a ScenarioError: ") + e.what();
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (problem.empty() && seconds > 10) problem = "took " + std::to_string(seconds) + " s to validate";
    if (!problem.empty()) {
      ++failures;
      keep_failure(c, problem);
      FAIL_CHECK(c.scenario << " (" << kind << " at " << c.mutant.where << "): " << problem);
    }
  }
  std::string table;
  for (int k = 0; k < fuzz::kKinds; ++k) {
    const std::string kind = fuzz::kind_name(static_cast<fuzz::Kind>(k));
    table += "  " + kind + ": " + std::to_string(valid[kind]) + " valid, " + std::to_string(refused[kind]) + " refused\n";
  }
  WARN(count << " mutants, " << failures << " failures\n" << table);
  CHECK(failures == 0);
  // The sample exercises every kind of mutation, and both outcomes.
  for (int k = 0; k < fuzz::kKinds; ++k) {
    const std::string kind = fuzz::kind_name(static_cast<fuzz::Kind>(k));
    CHECK(valid[kind] + refused[kind] > 0);
  }
  int total_valid = 0;
  for (const auto& [k, n] : valid) total_valid += n;
  CHECK(total_valid > 0);
  CHECK(total_valid < count);
  fs::remove_all(dir);
}

TEST_CASE("fuzz: flemu validate exits 0 or 2 with the file and a place, never by a signal", "[fuzz][e2e]") {
  const int count = env_int("FLEMU_FUZZ_CLI", 8);
  const auto dir = scratch_dir("fuzz-cli");
  // Another seed than the in-process sample: more distinct cases overall.
  const auto cases = make_cases(dir, count, static_cast<uint64_t>(env_int("FLEMU_FUZZ_SEED", 1)) + 1000);
  for (const auto& c : cases) {
    const std::string cmd = flemu_binary() + " validate " + c.file.string() + " > " + c.file.string() + ".out 2>&1";
    const int status = std::system(cmd.c_str());
    const std::string out = read_file(c.file.string() + ".out");
    INFO(c.scenario << " (" << fuzz::kind_name(c.mutant.kind) << " at " << c.mutant.where << "): " << out);
    const bool exited = WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 2);
    if (!exited) keep_failure(c, "wait status " + std::to_string(status) + "\n" + out);
    CHECK(exited);
    if (exited && WEXITSTATUS(status) == 2) {
      const std::string first_line = out.substr(0, out.find('\n'));
      CHECK(first_line.rfind("error: ", 0) == 0);
      CHECK(names_a_place(first_line.substr(std::min<size_t>(7, first_line.size())), c.file.string()));
    }
  }
  fs::remove_all(dir);
}

TEST_CASE("fuzz: valid mutants run in --smoke form end in time and leave nothing half-written", "[fuzz][e2e]") {
  const int wanted = env_int("FLEMU_FUZZ_SMOKE", 3);
  const auto dir = scratch_dir("fuzz-smoke");
  const auto cases = make_cases(dir, 40 * std::max(1, wanted), static_cast<uint64_t>(env_int("FLEMU_FUZZ_SEED", 1)) + 2000);
  int ran = 0;
  for (const auto& c : cases) {
    if (ran >= wanted) break;
    try {
      load_scenario(c.file.string());
    } catch (const std::exception&) {
      continue;  // only valid mutants run
    }
    ++ran;
    const fs::path out = dir / ("out-" + std::to_string(ran));
    const auto r = run_flemu_timeout(240, "run --smoke --quiet --jobs 1 " + c.file.string() + " -o " + out.string());
    INFO(c.scenario << " (" << fuzz::kind_name(c.mutant.kind) << " at " << c.mutant.where << "): " << r.output);
    const bool ok = r.exit_code == 0 || r.exit_code == 1 || r.exit_code == 2;  // 137: killed by the timeout
    if (!ok) keep_failure(c, "exit " + std::to_string(r.exit_code) + "\n" + r.output);
    CHECK(ok);
    CHECK_FALSE(fs::exists(out.string() + ".partial"));
    if (r.exit_code == 0) CHECK(fs::exists(out / "summary.json"));
    else CHECK_FALSE(fs::exists(out / "summary.json"));
  }
  CHECK(ran == wanted);
  fs::remove_all(dir);
}
