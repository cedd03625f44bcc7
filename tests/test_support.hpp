// Helpers shared by the tests: paths to the source tree and scratch directories.
#pragma once
#include <filesystem>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace flemu::test {

inline std::filesystem::path source_dir() { return FLEMU_SOURCE_DIR; }

/// A fresh, empty directory under the system temp dir, unique per call.
inline std::filesystem::path scratch_dir(const std::string& tag) {
  static int counter = 0;
  auto p = std::filesystem::temp_directory_path() /
           ("flemu-test-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p;
}

}  // namespace flemu::test

#include <cstdlib>
#include <map>
#include <vector>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace flemu::test {

struct CommandResult {
  int exit_code = -1;
  std::string output;  ///< stdout and stderr together
};

/// Runs the flemu binary with `args` (a shell-quoted string), capturing its output.
/// The flemu binary under test: the one built with the tests, or $FLEMU_TEST_BINARY (to run
/// the end-to-end tests against another build, e.g. to see them fail on an older one).
inline std::string flemu_binary() {
  const char* other = std::getenv("FLEMU_TEST_BINARY");
  return other && *other ? other : FLEMU_BINARY;
}

inline CommandResult run_flemu(const std::string& args) {
  const auto log = scratch_dir("cmd") / "output.txt";
  const std::string cmd = flemu_binary() + " " + args + " > " + log.string() + " 2>&1";
  const int status = std::system(cmd.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  r.output = ss.str();
  return r;
}

/// run_flemu() under `timeout`: a run still going after `seconds` is killed (exit code 137).
inline CommandResult run_flemu_timeout(int seconds, const std::string& args) {
  const auto log = scratch_dir("cmd") / "output.txt";
  const std::string cmd = "timeout -s KILL " + std::to_string(seconds) + " " + flemu_binary() + " " + args + " > " +
                          log.string() + " 2>&1";
  const int status = std::system(cmd.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  r.output = ss.str();
  return r;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

/// Writes scenario `j` to a fresh scratch folder (tagged `tag`) and returns its path.
inline std::filesystem::path write_scenario(const nlohmann::json& j, const std::string& tag) {
  auto p = scratch_dir(tag) / "scenario.json";
  write_file(p, j.dump(2));
  return p;
}

/// A run folder's trace, one JSON object per event.
inline std::vector<nlohmann::json> read_events(const std::filesystem::path& run_dir) {
  std::vector<nlohmann::json> events;
  std::istringstream in(read_file(run_dir / "events.jsonl"));
  for (std::string line; std::getline(in, line);) events.push_back(nlohmann::json::parse(line));
  return events;
}

/// A run folder's summary.json.
inline nlohmann::json summary_of(const std::filesystem::path& run_dir) {
  return nlohmann::json::parse(read_file(run_dir / "summary.json"));
}

/// A tiny valid scenario (4 devices in two classes, synthetic data, 3 FedAvg rounds, exact
/// network) writing to `out_dir`; tests edit it before writing it out.
inline nlohmann::json tiny_scenario(const std::string& out_dir) {
  nlohmann::json j = nlohmann::json::parse(R"({
    "name": "tiny", "seed": 5,
    "platform": {
      "network": "exact",
      "server": {"speed": "10Gf"},
      "classes": [
        {"name": "slow", "count": 2, "speed": "1Gf", "cores": 1, "uplink": "2Mbps", "downlink": "8Mbps", "latency": "20ms"},
        {"name": "fast", "count": 2, "speed": "4Gf", "cores": 2, "bandwidth": "50Mbps", "latency": "5ms", "jitter": 0.1}
      ]
    },
    "workload": {"dataset": "synthetic", "model": "mlp", "partition": {"scheme": "dirichlet", "alpha": 0.5},
                 "samples_per_client": 200},
    "algorithm": {"name": "fedavg", "clients_per_round": 3, "local_epochs": 1, "batch_size": 20, "lr": 0.05},
    "stop": {"rounds": 3}
  })");
  j["output"]["directory"] = out_dir;
  return j;
}

}  // namespace flemu::test

namespace flemu::test {

/// A run's events.jsonl, one JSON object per line.
inline std::vector<nlohmann::json> events(const std::filesystem::path& out) {
  std::vector<nlohmann::json> ev;
  std::istringstream in(read_file(out / "events.jsonl"));
  for (std::string line; std::getline(in, line);) ev.push_back(nlohmann::json::parse(line));
  return ev;
}

inline std::vector<nlohmann::json> of_kind(const std::vector<nlohmann::json>& ev, const std::string& kind) {
  std::vector<nlohmann::json> out;
  for (const auto& e : ev)
    if (e["kind"] == kind) out.push_back(e);
  return out;
}

/// A span event's duration, s.
inline double span(const nlohmann::json& e) { return e["t"].get<double>() - e["t0"].get<double>(); }

/// A CSV with a header row, as maps column -> text.
inline std::vector<std::map<std::string, std::string>> read_csv(const std::filesystem::path& p) {
  std::istringstream in(read_file(p));
  auto split = [](const std::string& line) {
    std::vector<std::string> f;
    std::string cell;
    std::istringstream ls(line);
    while (std::getline(ls, cell, ',')) f.push_back(cell);
    if (!line.empty() && line.back() == ',') f.push_back("");
    return f;
  };
  std::string line;
  std::getline(in, line);
  const auto header = split(line);
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    const auto f = split(line);
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size(); ++i) row[header[i]] = i < f.size() ? f[i] : "";
    rows.push_back(row);
  }
  return rows;
}

}  // namespace flemu::test
