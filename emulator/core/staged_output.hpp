// Where a run puts its outputs, and how: every file goes into a staging folder (<out>.partial)
// and moves into <out> only once all of them are complete, so a failed or interrupted run
// never leaves half-written outputs and an earlier complete <out> stays as it was. Every run
// driver (learning, analytics, zeroth-order, the heavy-hitter maths) writes through one.
#pragma once
#include <filesystem>
#include <stdexcept>
#include <string>

namespace flemu {

/// A place where a run cannot put its outputs (a file where the folder should be, a parent
/// that cannot be written).
struct OutputPlaceError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Checks, before any work, that `out_dir` can receive a run's outputs: it is a folder or
/// absent, and its staging folder (`out_dir`.partial) can be made beside it. Throws
/// OutputPlaceError naming the path and what is wrong.
void check_output_place(const std::string& out_dir);

/// One run's staging folder, from its creation to the commit of its files.
class StagedOutput {
 public:
  /// Checks the place (check_output_place), makes an empty <out_dir>.partial and, when
  /// `discard_on_signal` is set, makes SIGINT/SIGTERM/SIGHUP remove it and exit 128 + signal
  /// (termination.hpp). Off under MPI, whose rank 0 has its own handler (mpi_workers.hpp).
  explicit StagedOutput(const std::filesystem::path& out_dir, bool discard_on_signal = true);
  /// Not committed (an exception left the run): the staging folder is removed.
  ~StagedOutput();
  StagedOutput(const StagedOutput&) = delete;
  StagedOutput& operator=(const StagedOutput&) = delete;

  /// The staging folder: write every output here.
  const std::filesystem::path& dir() const { return staging_; }
  /// The folder the outputs end in.
  const std::filesystem::path& out_dir() const { return out_dir_; }
  /// The signal handlers again, after anything that installs its own (SimGrid's engine
  /// takes SIGINT to print its actors and exit 1).
  void reinstall_signal_handlers() const;
  /// Moves every staged file into out_dir (replacing files of the same name) and removes the
  /// staging folder; a signal meanwhile waits until all files are in place.
  void commit();

 private:
  std::filesystem::path out_dir_, staging_;
  bool on_signal_;
  bool committed_ = false;
};

}  // namespace flemu
