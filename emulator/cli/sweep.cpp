#include "emulator/cli/sweep.hpp"

#include <fcntl.h>
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
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot start " + opt.flemu_binary + ": " + std::strerror(rc));
  return pid;
}

}  // namespace

SweepResult run_sweep(const SweepPlan& plan, const SweepOptions& opt) {
  const fs::path root = plan.output_dir;
  fs::create_directories(root);
  SweepResult result;
  std::vector<std::string> status(plan.variants.size());
  std::vector<size_t> todo;
  for (size_t i = 0; i < plan.variants.size(); ++i) {
    const auto& v = plan.variants[i];
    const fs::path dir = root / v.id;
    const Scenario sc = load_scenario(v.scenario, plan.source);
    if (is_complete(dir, sc.hash)) {
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

  std::unique_ptr<ProgressBar> bar;
  if (opt.progress) bar = std::make_unique<ProgressBar>("sweep " + plan.name, static_cast<int>(todo.size()));
  std::map<pid_t, size_t> running;
  size_t next = 0, done = 0;
  while (next < todo.size() || !running.empty()) {
    while (next < todo.size() && static_cast<int>(running.size()) < std::max(1, opt.parallel)) {
      const size_t i = todo[next++];
      const fs::path dir = root / plan.variants[i].id;
      running[spawn_run(opt, dir / "scenario.json", dir, dir / "run.log")] = i;
    }
    int wstatus = 0;
    const pid_t pid = ::waitpid(-1, &wstatus, 0);
    if (pid < 0) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const size_t i = it->second;
    running.erase(it);
    ++done;
    const bool ok = WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
    status[i] = ok ? "ran" : "failed";
    ok ? result.ran++ : result.failed++;
    if (!ok) spdlog::warn("variant {} failed: see {}", plan.variants[i].id, (root / plan.variants[i].id / "run.log").string());
    if (bar) bar->update(static_cast<int>(done), fmt::format("{}/{} variants done, {} running, last: {} {}", done,
                                                          todo.size(), running.size(), plan.variants[i].id,
                                                          ok ? "ok" : "FAILED"));
  }

  if (bar) bar->finish();
  // Index of variants with their summaries (whatever state they are in).
  json index = json::array();
  std::ofstream csv(root / "index.csv.tmp");
  csv << "variant,label,group,status,final_accuracy,simulated_time_s,bytes_up,bytes_down,rounds,directory\n";
  for (size_t i = 0; i < plan.variants.size(); ++i) {
    const auto& v = plan.variants[i];
    const fs::path dir = root / v.id;
    json row = {{"variant", v.id},         {"label", v.label},   {"group", v.group},
                {"overrides", v.overrides}, {"status", status[i]}, {"directory", dir.string()}};
    json s;
    if (fs::exists(dir / "summary.json")) {
      std::ifstream in(dir / "summary.json");
      s = json::parse(in, nullptr, false);
    }
    auto num = [&](const char* k) { return s.is_object() && s.contains(k) && !s[k].is_null() ? s[k].dump() : ""; };
    if (s.is_object()) row["summary"] = s;
    index.push_back(row);
    csv << v.id << ",\"" << v.label << "\",\"" << v.group << "\"," << status[i] << ',' << num("final_accuracy") << ','
        << num("simulated_time_s") << ',' << num("bytes_up") << ',' << num("bytes_down") << ',' << num("rounds") << ','
        << dir.string() << '\n';
  }
  csv.close();
  fs::rename(root / "index.csv.tmp", root / "index.csv");
  std::ofstream(root / "index.json.tmp") << json{{"sweep", plan.name}, {"variants", index}}.dump(2) << "\n";
  fs::rename(root / "index.json.tmp", root / "index.json");
  return result;
}

}  // namespace flemu
