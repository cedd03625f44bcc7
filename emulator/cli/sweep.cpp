#include "emulator/cli/sweep.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "emulator/core/progress_bar.hpp"
#include "emulator/config/scenario.hpp"
#include "emulator/core/simulation.hpp"
#include "emulator/core/termination.hpp"

extern char** environ;

namespace fs = std::filesystem;
using nlohmann::json;

namespace flemu {

namespace {

/// True when `dir` holds a complete run of `scenario_hash` whose trace is intact.
bool is_complete(const fs::path& dir, const std::string& scenario_hash) {
  try {
    if (!fs::exists(dir / "summary.json")) return false;
    std::ifstream in(dir / "summary.json");
    const json s = json::parse(in);
    return s.value("scenario_hash", "") == scenario_hash &&
           s.value("events_hash", "") == file_hash((dir / "events.jsonl").string()) &&
           s.value("metrics_hash", "") == file_hash((dir / "metrics.csv").string());
  } catch (const std::exception&) {
    return false;
  }
}

pid_t spawn_run(const SweepOptions& opt, const fs::path& scenario, const fs::path& out, const fs::path& log) {
  std::vector<std::string> args{opt.flemu_binary, "run", scenario.string(), "-o", out.string(), "--quiet",
                                "--jobs", std::to_string(opt.jobs_per_run)};
  if (!opt.data_dir.empty()) args.insert(args.end(), {"--data-dir", opt.data_dir});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
  // The child asks to get SIGTERM when this process dies (emulator/cli/main.cpp).
  std::vector<std::string> env_text;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "FLEMU_PARENT_PID=", 17) != 0) env_text.emplace_back(*e);
  env_text.push_back("FLEMU_PARENT_PID=" + std::to_string(::getpid()));
  std::vector<char*> envp;
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot start " + opt.flemu_binary + ": " + std::strerror(rc));
  return pid;
}

}  // namespace

SweepResult run_sweep(const SweepPlan& plan, const SweepOptions& opt) {
  const fs::path root = plan.output_dir;
  fs::create_directories(root);
  SweepResult result;
  std::vector<std::string> status(plan.variants.size(), "not run"), hashes(plan.variants.size());
  std::vector<size_t> todo;
  for (size_t i = 0; i < plan.variants.size(); ++i) {
    const auto& v = plan.variants[i];
    const fs::path dir = root / v.id;
    hashes[i] = load_scenario(v.scenario, plan.source).hash;
    if (is_complete(dir, hashes[i])) {
      status[i] = "skipped";
      result.skipped++;
      continue;
    }
    fs::create_directories(dir);
    std::ofstream(dir / "scenario.json") << v.scenario.dump(2) << "\n";
    todo.push_back(i);
  }
  spdlog::info("sweep {}: {} variants, {} complete already, {} to run ({} at once)", plan.name, plan.variants.size(),
               result.skipped, todo.size(), opt.parallel);

  // From here a signal is only noted; the loop below stops the runs and writes the index.
  record_signals();
  std::unique_ptr<ProgressBar> bar;
  if (opt.progress) bar = std::make_unique<ProgressBar>("sweep " + plan.name, static_cast<int>(todo.size()));
  std::map<pid_t, size_t> running;
  size_t next = 0, done = 0;
  bool stopping = false;
  while ((next < todo.size() && !stopping) || !running.empty()) {
    if (!stopping && recorded_signal()) {
      stopping = true;
      result.interrupted_by = recorded_signal();
      spdlog::warn("sweep {}: interrupted (signal {}); stopping {} running variant(s)", plan.name,
                   result.interrupted_by, running.size());
      for (const auto& [pid, i] : running) ::kill(pid, SIGTERM);
    }
    while (!stopping && next < todo.size() && static_cast<int>(running.size()) < std::max(1, opt.parallel)) {
      const size_t i = todo[next++];
      const fs::path dir = root / plan.variants[i].id;
      running[spawn_run(opt, dir / "scenario.json", dir, dir / "run.log")] = i;
    }
    if (running.empty()) continue;
    int wstatus = 0;
    const pid_t pid = ::waitpid(-1, &wstatus, WNOHANG);
    if (pid == 0 || (pid < 0 && errno == EINTR)) {
      // Nothing ended yet: look again soon (a signal is seen within one nap).
      ::usleep(20000);
      continue;
    }
    if (pid < 0) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const size_t i = it->second;
    running.erase(it);
    ++done;
    const fs::path dir = root / plan.variants[i].id;
    const bool ok = WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0 && is_complete(dir, hashes[i]);
    // Ctrl-C reaches the whole process group: a child may end before this loop sees it.
    const bool interrupted = !ok && (stopping || recorded_signal() != 0);
    status[i] = ok ? "ran" : interrupted ? "interrupted" : "failed";
    if (ok) result.ran++;
    else if (!interrupted) result.failed++;
    if (!ok && !interrupted) spdlog::warn("variant {} failed: see {}", plan.variants[i].id, (dir / "run.log").string());
    if (bar) bar->update(static_cast<int>(done), fmt::format("{}/{} variants done, {} running, last: {} {}", done,
                                                          todo.size(), running.size(), plan.variants[i].id,
                                                          ok ? "ok" : status[i]));
  }

  if (bar) bar->finish();
  // Index of variants with their summaries (whatever state they are in).
  json index = json::array();
  std::ofstream csv(root / "index.csv.tmp");
  csv << "variant,label,group,status,complete,final_accuracy,simulated_time_s,bytes_up,bytes_down,rounds,directory\n";
  for (size_t i = 0; i < plan.variants.size(); ++i) {
    const auto& v = plan.variants[i];
    const fs::path dir = root / v.id;
    json row = {{"variant", v.id},         {"label", v.label},   {"group", v.group},
                {"overrides", v.overrides}, {"status", status[i]}, {"complete", is_complete(dir, hashes[i])},
                {"directory", dir.string()}};
    json s;  // only a complete variant's summary: an earlier one may describe other outputs
    if (row["complete"].get<bool>()) {
      std::ifstream in(dir / "summary.json");
      s = json::parse(in, nullptr, false);
    }
    auto num = [&](const char* k) { return s.is_object() && s.contains(k) && !s[k].is_null() ? s[k].dump() : ""; };
    if (s.is_object()) row["summary"] = s;
    index.push_back(row);
    csv << v.id << ",\"" << v.label << "\",\"" << v.group << "\"," << status[i] << ','
        << (row["complete"].get<bool>() ? "yes" : "no") << ',' << num("final_accuracy") << ','
        << num("simulated_time_s") << ',' << num("bytes_up") << ',' << num("bytes_down") << ',' << num("rounds") << ','
        << dir.string() << '\n';
  }
  csv.close();
  fs::rename(root / "index.csv.tmp", root / "index.csv");
  std::ofstream(root / "index.json.tmp") << json{{"sweep", plan.name}, {"variants", index}}.dump(2) << "\n";
  fs::rename(root / "index.json.tmp", root / "index.json");
  if (!result.interrupted_by) result.interrupted_by = recorded_signal();  // came while the index was written
  stop_discarding_on_signal();  // back to the default dispositions
  return result;
}

}  // namespace flemu
