#include "emulator/core/termination.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

namespace flemu {

namespace {

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

char g_staging[4096] = {0};
volatile sig_atomic_t g_deferred = 0;  // depth of SignalsDeferred scopes
volatile sig_atomic_t g_pending = 0;   // a signal that came while deferred
volatile sig_atomic_t g_recorded = 0;  // record_signals(): the last signal

void write_err(const char* text) {
  ssize_t ignored = write(STDERR_FILENO, text, strlen(text));
  (void)ignored;
}

/// Removes `name` (below the folder `parent_fd`, or AT_FDCWD) and everything in it, with raw
/// system calls only: opendir/readdir allocate, and a signal that came while this thread held
/// malloc's lock would deadlock the handler (seen: a run hanging after SIGTERM). True when
/// `name` is gone.
bool remove_tree_at(int parent_fd, const char* name) {
  const int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) {
    alignas(8) char buf[4096];
    // Removing entries while reading the folder may hide some from this pass: read it again
    // until a pass removes nothing.
    for (bool removed = true; removed;) {
      removed = false;
      if (lseek(fd, 0, SEEK_SET) < 0) break;
      for (ssize_t n; (n = getdents64(fd, buf, sizeof buf)) > 0;) {
        for (ssize_t at = 0; at < n;) {
          const auto* e = reinterpret_cast<const dirent64*>(buf + at);
          at += e->d_reclen;
          if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
          bool dir = e->d_type == DT_DIR;
          struct stat st;
          if (e->d_type == DT_UNKNOWN) dir = fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
          if (dir ? remove_tree_at(fd, e->d_name) : unlinkat(fd, e->d_name, 0) == 0) removed = true;
        }
      }
    }
    close(fd);
  }
  return unlinkat(parent_fd, name, AT_REMOVEDIR) == 0;
}

/// Renames the staging folder aside first (one atomic step: a thread still writing can no
/// longer create files in it), then removes the renamed tree.
void discard_staging() {
  if (!g_staging[0]) return;
  char aside[4096 + 32];
  const size_t n = strlen(g_staging);
  memcpy(aside, g_staging, n);
  const char suffix[] = ".discarded-";
  memcpy(aside + n, suffix, sizeof suffix - 1);
  size_t at = n + sizeof suffix - 1;
  char digits[24];
  int k = 0;
  for (long pid = getpid(); pid > 0 && k < 20; pid /= 10) digits[k++] = static_cast<char>('0' + pid % 10);
  while (k > 0) aside[at++] = digits[--k];
  aside[at] = '\0';
  remove_tree_at(AT_FDCWD, rename(g_staging, aside) == 0 ? aside : g_staging);
}

[[noreturn]] void finish(int sig) {
  discard_staging();
  char text[96];
  const char head[] = "flemu: interrupted by signal ", tail[] = "; partial outputs removed\n";
  size_t at = 0;
  memcpy(text, head, sizeof head - 1);
  at += sizeof head - 1;
  if (sig >= 10) text[at++] = static_cast<char>('0' + (sig / 10) % 10);
  text[at++] = static_cast<char>('0' + sig % 10);
  memcpy(text + at, tail, sizeof tail);  // with its '\0'
  write_err(text);
  _exit(128 + sig);
}

void on_signal(int sig) {
  if (g_deferred > 0) {
    g_pending = sig;
    return;
  }
  finish(sig);
}

void on_signal_record(int sig) { g_recorded = sig; }

void install(void (*handler)(int)) {
  struct sigaction sa {};
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  for (int s : kSignals) sigaddset(&sa.sa_mask, s);
  for (int s : kSignals) sigaction(s, &sa, nullptr);
}

}  // namespace

void discard_on_signal(const std::string& staging_dir) {
  const size_t n = std::min(staging_dir.size(), sizeof g_staging - 1);
  memcpy(g_staging, staging_dir.c_str(), n);
  g_staging[n] = '\0';
  install(on_signal);
}

void stop_discarding_on_signal() {
  install(SIG_DFL);
  g_staging[0] = '\0';
}

SignalsDeferred::SignalsDeferred() { g_deferred = g_deferred + 1; }

SignalsDeferred::~SignalsDeferred() {
  g_deferred = g_deferred - 1;
  if (g_deferred == 0 && g_pending) finish(g_pending);
}

void record_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_signal_record;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocking waitpid returns EINTR
  for (int s : kSignals) sigaction(s, &sa, nullptr);
}

int recorded_signal() { return g_recorded; }

}  // namespace flemu
