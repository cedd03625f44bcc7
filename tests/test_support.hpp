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
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace flemu::test {

struct CommandResult {
  int exit_code = -1;
  std::string output;  ///< stdout and stderr together
};

/// Runs the flemu binary with `args` (a shell-quoted string), capturing its output.
inline CommandResult run_flemu(const std::string& args) {
  const auto log = scratch_dir("cmd") / "output.txt";
  const std::string cmd = std::string(FLEMU_BINARY) + " " + args + " > " + log.string() + " 2>&1";
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
