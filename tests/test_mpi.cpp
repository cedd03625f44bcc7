// Training jobs on MPI worker ranks (emulator/core/mpi_workers.hpp): `mpirun -np 3 flemu run` gives
// the same bytes as a single-process run, and a worker that dies fails the run cleanly.
// Skipped (with a warning) when flemu was built without MPI or mpirun is missing.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

using namespace flemu::test;
using nlohmann::json;

namespace {

#ifdef FLEMU_MPIEXEC
const std::string kMpiexec = FLEMU_MPIEXEC;
#else
const std::string kMpiexec;
#endif

bool mpi_available() {
  if (kMpiexec.empty()) {
    WARN("flemu was built without MPI: skipping");
    return false;
  }
  if (::access(kMpiexec.c_str(), X_OK) != 0) {
    WARN(kMpiexec << " is missing: skipping");
    return false;
  }
  return true;
}

/// The shared tiny scenario, evaluated on a subset, written to `dir`.
std::filesystem::path tiny_scenario_file(const std::filesystem::path& dir) {
  json j = tiny_scenario((dir / "unused").string());
  j["name"] = "tiny-mpi";
  j["evaluation"] = {{"every", 1}, {"test_samples", 500}};
  const auto p = dir / "scenario.json";
  write_file(p, j.dump(2));
  return p;
}

/// `mpirun -np 3 flemu <args>` with `env` prepended (VAR=value ...).
CommandResult run_mpi(const std::string& env, const std::string& args) {
  const auto log = scratch_dir("mpi-cmd") / "output.txt";
  const std::string cmd = env + " " + kMpiexec + " --allow-run-as-root --oversubscribe -np 3 " + FLEMU_BINARY + " " +
                          args + " > " + log.string() + " 2>&1";
  const int status = std::system(cmd.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.output = read_file(log);
  return r;
}

}  // namespace

TEST_CASE("mpirun -np 3: training on worker ranks gives the single-process bytes", "[mpi]") {
  if (!mpi_available()) return;
  const auto dir = scratch_dir("mpi-same");
  const auto scenario = tiny_scenario_file(dir);

  auto single = run_flemu("run --quiet " + scenario.string() + " -o " + (dir / "single").string());
  INFO(single.output);
  REQUIRE(single.exit_code == 0);
  auto mpi = run_mpi("", "run --quiet " + scenario.string() + " -o " + (dir / "mpi").string());
  INFO(mpi.output);
  REQUIRE(mpi.exit_code == 0);

  const auto events = read_file(dir / "single" / "events.jsonl");
  REQUIRE(!events.empty());
  CHECK(read_file(dir / "mpi" / "events.jsonl") == events);
  CHECK(read_file(dir / "mpi" / "metrics.csv") == read_file(dir / "single" / "metrics.csv"));
  // The workers wrote nothing: one summary, from rank 0, with one job thread per worker.
  auto summary = json::parse(read_file(dir / "mpi" / "summary.json"));
  CHECK(summary["jobs"] == 2);
}

TEST_CASE("mpirun: a worker that dies fails the run with no outputs left", "[mpi]") {
  if (!mpi_available()) return;
  const auto dir = scratch_dir("mpi-kill");
  const auto scenario = tiny_scenario_file(dir);
  const auto out = dir / "out";
  auto r = run_mpi("FLEMU_MPI_TEST_KILL_WORKER=1", "run --quiet " + scenario.string() + " -o " + out.string());
  INFO(r.output);
  CHECK(r.exit_code != 0);
  CHECK_FALSE(std::filesystem::exists(out));
  CHECK_FALSE(std::filesystem::exists(out.string() + ".partial"));
}

TEST_CASE("mpirun: a data set no rank can read fails the run without a hang", "[mpi]") {
  if (!mpi_available()) return;
  const auto dir = scratch_dir("mpi-error");
  auto j = json::parse(read_file(tiny_scenario_file(dir)));
  j["workload"]["dataset"] = "fashion-mnist";
  j["workload"]["data_dir"] = (dir / "missing").string();
  const auto scenario = dir / "bad-data.json";
  write_file(scenario, j.dump(2));
  const auto out = dir / "out";
  auto r = run_mpi("", "run --quiet " + scenario.string() + " -o " + out.string());
  INFO(r.output);
  CHECK(r.exit_code != 0);
  CHECK_FALSE(std::filesystem::exists(out));
  CHECK_FALSE(std::filesystem::exists(out.string() + ".partial"));
}
