// Faults of the run itself (issue 10, items 8-12): divergence stops a run with its round and
// client, output places are checked before any work, signals leave no staging folder and exit
// 128 + signal, a sweep takes its child runs down with it and resumes, and `flemu report`
// writes where it is told, never leaves temporaries and refuses run folders that changed.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <fstream>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

using namespace flemu::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

/// An analytic run that would take far longer than any test: stopped by a signal.
json endless_scenario(const std::string& out_dir) {
  json j = tiny_scenario(out_dir);
  j["training"] = "analytic";
  j["stop"] = {{"rounds", 100000000}};
  return j;
}

/// Starts `flemu ARGS...` with its output into `log`; returns its pid.
pid_t start_flemu(const std::vector<std::string>& args, const fs::path& log) {
  std::vector<std::string> all{flemu_binary()};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  REQUIRE(rc == 0);
  return pid;
}

/// Waits (up to `seconds`) until `ready` holds; false on timeout.
template <class F>
bool wait_until(F ready, double seconds = 120) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

/// waitpid with a deadline: the process's wait status, or -1 (then it was SIGKILLed).
int wait_for_exit(pid_t pid, double seconds = 120) {
  int status = 0;
  const bool ended = wait_until([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, seconds);
  if (ended) return status;
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

/// Processes whose command line mentions `needle` (the runs of one test's scratch folder).
int processes_mentioning(const std::string& needle) {
  int n = 0;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    std::string cmd = read_file(e.path() / "cmdline");
    std::replace(cmd.begin(), cmd.end(), '\0', ' ');
    // A zombie has an empty command line; it has ended.
    if (cmd.find(needle) != std::string::npos && cmd.find(flemu_binary()) != std::string::npos) ++n;
  }
  return n;
}

/// A file's size, 0 when it is not there (yet).
uintmax_t size_of(const fs::path& p) {
  std::error_code ec;
  const uintmax_t n = fs::file_size(p, ec);
  return ec ? 0 : n;
}

/// Kills a started process if a failed REQUIRE leaves the test early (a sweep's children
/// follow it: PR_SET_PDEATHSIG).
struct KillOnExit {
  pid_t pid;
  ~KillOnExit() {
    int status = 0;
    if (pid > 0 && ::waitpid(pid, &status, WNOHANG) == 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
    }
  }
};

int exit_code(int status) { return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

}  // namespace

TEST_CASE("training that diverges stops the run with its round and client, and writes nothing", "[faults][e2e]") {
  const auto dir = scratch_dir("faults-diverge");
  json sc = tiny_scenario((dir / "out").string());
  sc["algorithm"]["lr"] = 1e30;
  write_file(dir / "s.json", sc.dump());
  const auto r = run_flemu("run --quiet --jobs 1 " + (dir / "s.json").string());
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Catch::Contains("training diverged in round 1: client "));
  CHECK_THAT(r.output, Catch::Contains("; lower /algorithm/lr (now 1e+30)"));
  CHECK_FALSE(fs::exists(dir / "out"));
  CHECK_FALSE(fs::exists(dir / "out.partial"));
}

TEST_CASE("an output place that cannot take the outputs fails before any work", "[faults][e2e]") {
  const auto dir = scratch_dir("faults-output");
  write_file(dir / "s.json", tiny_scenario((dir / "out").string()).dump());
  write_file(dir / "taken", "a file, not a folder\n");
  auto r = run_flemu("run --quiet " + (dir / "s.json").string() + " -o " + (dir / "taken").string());
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains((dir / "taken").string() + ": expected a folder for the run's outputs"));
  CHECK_THAT(r.output, Catch::Contains("found a file"));
  CHECK_THAT(r.output, !Catch::Contains("scenario tiny"));  // no run started (its first log line)
  CHECK(read_file(dir / "taken") == "a file, not a folder\n");
  CHECK_FALSE(fs::exists(dir / "taken.partial"));
  // A folder below a file.
  r = run_flemu("run --quiet " + (dir / "s.json").string() + " -o " + (dir / "taken" / "out").string());
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains("is a file"));
  // A sweep's output place too.
  write_file(dir / "sweep.json", json{{"base", "s.json"}, {"grid", {{"/algorithm/lr", {0.01, 0.02}}}}}.dump());
  r = run_flemu("sweep --quiet " + (dir / "sweep.json").string() + " -o " + (dir / "taken").string());
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains((dir / "taken").string() + ": expected a folder for the run's outputs"));
  CHECK(read_file(dir / "taken") == "a file, not a folder\n");
}

TEST_CASE("SIGINT and SIGTERM remove the staging folder, exit 128+signal and keep the earlier output", "[faults][e2e]") {
  const auto dir = scratch_dir("faults-signal");
  const fs::path out = dir / "out";
  // An earlier complete run in the same place.
  json short_analytic = tiny_scenario(out.string());
  short_analytic["training"] = "analytic";
  write_file(dir / "short.json", short_analytic.dump());
  auto r = run_flemu("run --quiet " + (dir / "short.json").string());
  REQUIRE(r.exit_code == 0);
  const std::string summary_before = read_file(out / "summary.json");
  write_file(dir / "long.json", endless_scenario(out.string()).dump());

  for (int sig : {SIGINT, SIGTERM}) {
    INFO("signal " << sig);
    const pid_t pid = start_flemu({"run", "--quiet", "--jobs", "1", (dir / "long.json").string()}, dir / "log.txt");
    const KillOnExit guard{pid};
    // Interrupt it in the middle of the engine, once the trace has rounds in it.
    const bool started = wait_until([&] {
      return size_of(out.string() + ".partial/events.jsonl") > 10000;
    });
    CHECK(started);
    ::kill(pid, sig);
    const int status = wait_for_exit(pid);
    INFO(read_file(dir / "log.txt"));
    CHECK(exit_code(status) == 128 + sig);
    CHECK_THAT(read_file(dir / "log.txt"), Catch::Contains("interrupted by signal " + std::to_string(sig)));
    CHECK_FALSE(fs::exists(out.string() + ".partial"));
    CHECK(read_file(out / "summary.json") == summary_before);
    for (const auto& e : fs::directory_iterator(dir))  // nothing set aside either
      CHECK(e.path().filename().string().find("discarded") == std::string::npos);
  }
}

TEST_CASE("the zeroth-order and heavy-hitter drivers leave nothing behind on a signal either", "[faults][e2e]") {
  const auto dir = scratch_dir("faults-signal-families");
  const fs::path golden = source_dir() / "tests" / "data" / "golden";
  // Zeroth-order FL (its own run driver), stopped in the middle of its engine: SIGINT too,
  // which SimGrid's engine would otherwise take (it prints its actors and exits 1).
  json zo = json::parse(read_file(golden / "golden-zo-fedzo.json"));
  zo["stop"] = {{"rounds", 100000000}};
  zo["output"] = {{"directory", (dir / "zo").string()}};
  write_file(dir / "zo.json", zo.dump());
  for (int sig : {SIGINT, SIGTERM}) {
    INFO("signal " << sig);
    const pid_t pid = start_flemu({"run", "--quiet", "--jobs", "1", (dir / "zo.json").string()}, dir / "zo.log");
    const KillOnExit guard{pid};
    CHECK(wait_until([&] { return size_of(dir / "zo.partial" / "events.jsonl") > 10000; }));
    ::kill(pid, sig);
    const int status = wait_for_exit(pid);
    INFO(read_file(dir / "zo.log"));
    CHECK(exit_code(status) == 128 + sig);
    CHECK_THAT(read_file(dir / "zo.log"), Catch::Contains("interrupted by signal " + std::to_string(sig)));
    CHECK_FALSE(fs::exists(dir / "zo.partial"));
    CHECK_FALSE(fs::exists(dir / "zo"));
  }
  // The heavy-hitter maths (`flemu analytics`): endless trials, interrupted by Ctrl-C.
  json hh = json::parse(read_file(golden / "golden-hh-taps.json"));
  hh["output"] = {{"directory", (dir / "hh").string()}};
  write_file(dir / "hh.json", hh.dump());
  {
    const pid_t pid = start_flemu({"analytics", (dir / "hh.json").string(), "--fast", "--trials", "100000000", "-o",
                                   (dir / "maths").string()},
                                  dir / "hh.log");
    const KillOnExit guard{pid};
    CHECK(wait_until([&] { return size_of(dir / "maths.partial" / "trials.csv") > 10000; }));
    ::kill(pid, SIGINT);
    const int status = wait_for_exit(pid);
    INFO(read_file(dir / "hh.log"));
    CHECK(exit_code(status) == 128 + SIGINT);
    CHECK_FALSE(fs::exists(dir / "maths.partial"));
    CHECK_FALSE(fs::exists(dir / "maths"));
  }
  // Its output place is checked before any work too.
  write_file(dir / "taken", "a file\n");
  const auto r = run_flemu("analytics " + (dir / "hh.json").string() + " --fast -o " + (dir / "taken").string());
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains((dir / "taken").string() + ": expected a folder for the run's outputs"));
  CHECK(read_file(dir / "taken") == "a file\n");
}

TEST_CASE("an interrupted sweep stops its runs, says which variants are complete, and resumes", "[faults][sweep][e2e]") {
  const auto dir = scratch_dir("faults-sweep");
  json base = tiny_scenario("unused");
  base["training"] = "analytic";
  base.erase("output");
  write_file(dir / "base.json", base.dump());
  // Variant 0 ends at once; variant 1 would run for ever; variant 2 never starts (parallel 1).
  const json sweep = {{"base", "base.json"},
                      {"list",
                       {{{"label", "short"}, {"set", {{"/stop/rounds", 2}}}},
                        {{"label", "endless"}, {"set", {{"/stop/rounds", 100000000}}}},
                        {{"label", "later"}, {"set", {{"/stop/rounds", 3}}}}}},
                      {"output", {{"directory", (dir / "out").string()}}}};
  write_file(dir / "sweep.json", sweep.dump(2));
  const fs::path v1 = dir / "out" / "v001-endless";

  const pid_t pid = start_flemu({"sweep", "--quiet", (dir / "sweep.json").string()}, dir / "log.txt");
  const KillOnExit guard{pid};
  const bool started = wait_until([&] {
    return fs::exists(dir / "out" / "v000-short" / "summary.json") && size_of(v1.string() + ".partial/events.jsonl") > 1000;
  });
  CHECK(started);
  REQUIRE(processes_mentioning(v1.string()) == 1);
  ::kill(pid, SIGTERM);  // the sweep alone: it must take its running child with it
  const int status = wait_for_exit(pid);
  INFO(read_file(dir / "log.txt"));
  CHECK(exit_code(status) == 128 + SIGTERM);
  CHECK_THAT(read_file(dir / "log.txt"), Catch::Contains("interrupted"));
  CHECK(wait_until([&] { return processes_mentioning(v1.string()) == 0; }, 30));
  CHECK_FALSE(fs::exists(v1.string() + ".partial"));

  const json index = json::parse(read_file(dir / "out" / "index.json"));
  REQUIRE(index["variants"].size() == 3);
  CHECK(index["variants"][0]["status"] == "ran");
  CHECK(index["variants"][0]["complete"] == true);
  CHECK(index["variants"][1]["status"] == "interrupted");
  CHECK(index["variants"][1]["complete"] == false);
  CHECK_FALSE(index["variants"][1].contains("summary"));
  CHECK(index["variants"][2]["status"] == "not run");
  CHECK(index["variants"][2]["complete"] == false);
  CHECK_THAT(read_file(dir / "out" / "index.csv"), Catch::Contains("v001-endless,\"endless\",\"endless\",interrupted,no,"));

  // Resume without the endless variant: the complete one is skipped, the others run.
  json finite = sweep;
  finite["list"][1]["set"]["/stop/rounds"] = 4;
  write_file(dir / "sweep.json", finite.dump(2));
  const auto again = run_flemu("sweep --quiet " + (dir / "sweep.json").string());
  INFO(again.output);
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.output, Catch::Contains("2 ran, 1 already complete, 0 failed"));
}

TEST_CASE("a killed sweep takes its child runs with it", "[faults][sweep][e2e]") {
  const auto dir = scratch_dir("faults-sweep-kill");
  json base = tiny_scenario("unused");
  base["training"] = "analytic";
  base.erase("output");
  base["stop"]["rounds"] = 100000000;
  write_file(dir / "base.json", base.dump());
  write_file(dir / "sweep.json",
             json{{"base", "base.json"},
                  {"grid", {{"/algorithm/lr", {0.01, 0.02}}}},
                  {"output", {{"directory", (dir / "out").string()}}}}
                 .dump());
  const pid_t pid = start_flemu({"sweep", "--quiet", "--parallel", "2", (dir / "sweep.json").string()}, dir / "log.txt");
  const KillOnExit guard{pid};
  CHECK(wait_until([&] { return processes_mentioning((dir / "out").string()) == 2; }));
  ::kill(pid, SIGKILL);  // no handler runs: Linux tells the children (PR_SET_PDEATHSIG)
  wait_for_exit(pid);
  CHECK(wait_until([&] { return processes_mentioning((dir / "out").string()) == 0; }, 30));
  CHECK(wait_until([&] {  // each child removed its staging folder
    int staging = 0;
    for (const auto& e : fs::directory_iterator(dir / "out")) staging += e.path().extension() == ".partial";
    return staging == 0;
  }, 30));
}

TEST_CASE("flemu report writes into a folder, never replaces silently, never leaves temporaries", "[faults][report][e2e]") {
  const auto dir = scratch_dir("faults-report");
  json sc = tiny_scenario((dir / "run").string());
  sc["training"] = "analytic";
  write_file(dir / "s.json", sc.dump());
  REQUIRE(run_flemu("run --quiet " + (dir / "s.json").string()).exit_code == 0);
  auto leftovers = [&](const fs::path& where) {
    int n = 0;
    for (const auto& e : fs::directory_iterator(where)) n += e.path().filename().string().find(".tmp") != std::string::npos;
    return n;
  };

  // -o an existing folder: the report goes inside it.
  fs::create_directories(dir / "reports");
  auto r = run_flemu("report " + (dir / "run").string() + " -o " + (dir / "reports").string());
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(fs::is_regular_file(dir / "reports" / "report.html"));
  CHECK_THAT(r.output, Catch::Contains((dir / "reports" / "report.html").string()));
  CHECK(leftovers(dir / "reports") == 0);

  // -o a folder that is not there yet, named with a trailing "/": made, report inside.
  r = run_flemu("report " + (dir / "run").string() + " -o " + (dir / "new").string() + "/");
  CHECK(r.exit_code == 0);
  CHECK(fs::is_regular_file(dir / "new" / "report.html"));

  // No -o: run/report.html beside the input, replaced only by the same report again; a file of
  // the user's there, or ./report.html in the working folder, is never touched.
  write_file(dir / "report.html", "mine in the working folder\n");
  const std::string in_dir = "cd " + dir.string() + " && " + flemu_binary() + " report run > log.txt 2>&1";
  CHECK(std::system(in_dir.c_str()) == 0);
  CHECK(fs::is_regular_file(dir / "run" / "report.html"));
  CHECK(std::system(in_dir.c_str()) == 0);  // its own earlier version: replaced
  CHECK(read_file(dir / "report.html") == "mine in the working folder\n");
  write_file(dir / "run" / "report.html", "mine\n");
  const int again = std::system(in_dir.c_str());
  CHECK(WEXITSTATUS(again) == 2);
  CHECK(read_file(dir / "run" / "report.html") == "mine\n");
  CHECK_THAT(read_file(dir / "log.txt"), Catch::Contains("run/report.html exists and is a file that is not a flemu report"));
  CHECK(leftovers(dir / "run") == 0);

  // A full disk (here: a file-size limit of 1 KiB): a clear error, no temporary left.
  const std::string limited = "cd " + dir.string() + " && sh -c 'trap \"\" XFSZ; ulimit -f 1; exec " + flemu_binary() +
                              " report run -o full/report.html' > log.txt 2>&1";
  const int full = std::system(limited.c_str());
  INFO(read_file(dir / "log.txt"));
  CHECK(WEXITSTATUS(full) == 2);
  CHECK_THAT(read_file(dir / "log.txt"), Catch::Contains("cannot write the report"));
  CHECK_FALSE(fs::exists(dir / "full" / "report.html"));
  CHECK(leftovers(dir / "full") == 0);
}

TEST_CASE("flemu report refuses a run folder whose files do not match its summary's hashes", "[faults][report][e2e]") {
  const auto dir = scratch_dir("faults-hash");
  json sc = tiny_scenario((dir / "run").string());
  sc["training"] = "analytic";
  write_file(dir / "s.json", sc.dump());
  REQUIRE(run_flemu("run --quiet " + (dir / "s.json").string()).exit_code == 0);
  REQUIRE(run_flemu("report " + (dir / "run").string() + " -o " + (dir / "ok.html").string()).exit_code == 0);
  {
    std::ofstream append(dir / "run" / "metrics.csv", std::ios::app);
    append << "\n";
  }
  const auto r = run_flemu("report " + (dir / "run").string() + " -o " + (dir / "bad.html").string());
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains((dir / "run" / "metrics.csv").string() +
                                       ": expected the file whose hash summary.json records (metrics_hash"));
  CHECK_FALSE(fs::exists(dir / "bad.html"));
}
