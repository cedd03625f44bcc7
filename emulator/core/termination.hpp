// What an interrupted run leaves behind. A run writes into a staging folder (<out>.partial)
// and moves its files into <out> only when all of them are complete (staged_output.hpp). On
// SIGINT, SIGTERM or SIGHUP it removes the staging folder and exits 128 + the signal's number,
// like a shell reports a process killed by it; an earlier complete <out> stays as it was.
#pragma once
#include <string>

namespace flemu {

/// From now on, SIGINT/SIGTERM/SIGHUP remove `staging_dir` (whole tree) and _exit(128 + sig).
/// Call it again after anything that installs its own handlers (SimGrid's engine takes
/// SIGINT to print its actors and exit 1). Only async-signal-safe calls run in the handler.
void discard_on_signal(const std::string& staging_dir);

/// Back to the default dispositions; the staging folder is forgotten.
void stop_discarding_on_signal();

/// While one lives, a signal only sets a flag (the handler returns): moving finished files
/// into place must not stop half-way. When the last one ends, a signal that came meanwhile
/// ends the process with 128 + sig (the outputs are then complete).
class SignalsDeferred {
 public:
  SignalsDeferred();
  ~SignalsDeferred();
  SignalsDeferred(const SignalsDeferred&) = delete;
  SignalsDeferred& operator=(const SignalsDeferred&) = delete;
};

/// For loops that clean up by themselves (the sweep): from now on SIGINT/SIGTERM/SIGHUP only
/// record the signal, and interrupt a blocking call (waitpid returns EINTR).
void record_signals();
/// The last signal recorded since record_signals(); 0 if none.
int recorded_signal();

}  // namespace flemu
