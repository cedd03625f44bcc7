#include "emulator/core/staged_output.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "emulator/core/termination.hpp"

namespace fs = std::filesystem;

namespace flemu {

void check_output_place(const std::string& out_dir_text) {
  const fs::path out_dir(out_dir_text);
  std::error_code ec;
  const auto status = fs::status(out_dir, ec);
  if (fs::exists(status) && !fs::is_directory(status))
    throw OutputPlaceError(out_dir_text + ": expected a folder for the run's outputs (or nothing there), found a file");
  const fs::path staging = out_dir_text + ".partial";
  const auto staging_status = fs::status(staging, ec);
  if (fs::exists(staging_status) && !fs::is_directory(staging_status))
    throw OutputPlaceError(staging.string() + ": expected nothing there or a staging folder of an earlier run, found a file");
  // The nearest existing ancestor must let us make the staging folder (and the output folder).
  fs::path parent = fs::absolute(out_dir, ec).parent_path();
  while (!parent.empty() && !fs::exists(parent, ec) && parent != parent.parent_path()) parent = parent.parent_path();
  if (fs::exists(parent, ec) && !fs::is_directory(parent, ec))
    throw OutputPlaceError(out_dir_text + ": expected a folder path, but " + parent.string() + " is a file");
  if (fs::exists(parent, ec) && ::access(parent.c_str(), W_OK | X_OK) != 0)
    throw OutputPlaceError(out_dir_text + ": expected a writable place for the outputs; cannot write in " +
                           parent.string() + " (" + std::strerror(errno) + ")");
}

StagedOutput::StagedOutput(const fs::path& out_dir, bool discard_on_signal)
    : out_dir_(out_dir), staging_(out_dir.string() + ".partial"), on_signal_(discard_on_signal) {
  check_output_place(out_dir_.string());
  fs::remove_all(staging_);
  fs::create_directories(staging_);
  reinstall_signal_handlers();
}

StagedOutput::~StagedOutput() {
  // Removed while the handlers still stand: a signal meanwhile removes it too and exits.
  if (!committed_) {
    std::error_code ec;
    fs::remove_all(staging_, ec);
  }
  if (on_signal_) stop_discarding_on_signal();
}

void StagedOutput::reinstall_signal_handlers() const {
  if (on_signal_) discard_on_signal(staging_.string());
}

void StagedOutput::commit() {
  const SignalsDeferred deferred;
  fs::create_directories(out_dir_);
  for (const auto& entry : fs::directory_iterator(staging_)) fs::rename(entry.path(), out_dir_ / entry.path().filename());
  fs::remove_all(staging_);
  committed_ = true;
}

}  // namespace flemu
