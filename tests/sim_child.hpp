// Runs a small SimGrid simulation inside a test. SimGrid allows one engine per process, so
// the simulation runs in a forked child; it reports back as text through a pipe. The child
// only uses SimGrid (never LibTorch's thread pools), which is what makes fork safe here.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>

#include <simgrid/s4u.hpp>

#include "platforms/star_platform.hpp"

namespace flemu::test {

/// Calls `body(engine)` in a child process with a fresh engine on the exact network model
/// and returns the text it returned. A body that throws fails the test with its message.
inline std::string in_simulation(const std::function<std::string(simgrid::s4u::Engine&)>& body) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    close(fds[0]);
    std::string out;
    try {
      int argc = 2;
      char arg0[] = "test", arg1[] = "--log=root.thres:critical";
      char* argv[] = {arg0, arg1, nullptr};
      simgrid::s4u::Engine engine(&argc, argv);
      configure_network_model(engine, NetworkModel::Exact);
      out = "OK\n" + body(engine);
    } catch (const std::exception& e) {
      out = std::string("ERROR\n") + e.what();
    }
    size_t done = 0;
    while (done < out.size()) {
      const ssize_t n = write(fds[1], out.data() + done, out.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("simulation child crashed:\n" + text);
  if (text.rfind("OK\n", 0) != 0) throw std::runtime_error("simulation failed: " + text);
  return text.substr(3);
}

}  // namespace flemu::test
