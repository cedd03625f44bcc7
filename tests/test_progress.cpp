// Terminal progress: one line per round, and inside a long round how many updates are in.
// The lines go through spdlog when stderr is not a terminal (as under ctest); the test
// captures them with an ostream sink.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <memory>
#include <sstream>
#include <string>
#include <unistd.h>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "emulator/core/progress.hpp"

using namespace flemu;

namespace {

/// Routes spdlog's default logger into a string for the lifetime of the object. Progress
/// lines go to spdlog only when stderr is not a terminal: when the tests run in one, stderr
/// points at /dev/null meanwhile.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    if (::isatty(STDERR_FILENO) == 1) {
      saved_stderr_ = ::dup(STDERR_FILENO);
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, STDERR_FILENO);
      ::close(null);
    }
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text_);
    sink->set_pattern("%v");
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", sink));
  }
  ~CapturedLog() {
    spdlog::set_default_logger(previous_);
    if (saved_stderr_ >= 0) {
      ::dup2(saved_stderr_, STDERR_FILENO);
      ::close(saved_stderr_);
    }
  }
  std::string text() const { return text_.str(); }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> previous_;
  int saved_stderr_ = -1;
};

Event event(EventKind kind, int round, double t, int count = -1) {
  Event e;
  e.kind = kind;
  e.round = round;
  e.time = t;
  e.count = count;
  return e;
}

}  // namespace

TEST_CASE("progress: a line per round, and the updates in so far inside a round", "[progress]") {
  CapturedLog log;
  StopSpec stop;
  stop.max_rounds = 2;
  // Period 0: report at every update once 1% of the round's clients are in.
  ProgressReporter progress(stop, true, 0.0);
  progress.on_event(event(EventKind::RoundStart, 1, 0, 200));
  progress.on_event(event(EventKind::Upload, 1, 1.0));  // 1 of 200: below 1%, no line
  CHECK(log.text().find("updates in") == std::string::npos);
  progress.on_event(event(EventKind::Upload, 1, 1.5));  // 2 of 200: 1%
  CHECK(log.text().find("round 1/2: 2/200 updates in") != std::string::npos);
  for (int i = 0; i < 98; ++i) progress.on_event(event(EventKind::Upload, 1, 2.0));
  // Half the round's updates, half of the first of two rounds: a quarter of the run.
  CHECK(log.text().find("round 1/2: 100/200 updates in") != std::string::npos);
  CHECK(log.text().find(" 25%") != std::string::npos);
  progress.on_event(event(EventKind::RoundEnd, 1, 3.0, 100));
  CHECK(log.text().find("round 1/2  sim") != std::string::npos);
  // A late update of round 1 does not count for round 2.
  progress.on_event(event(EventKind::RoundStart, 2, 3.0, 4));
  progress.on_event(event(EventKind::Upload, 1, 3.5));
  CHECK(log.text().find("round 2/2: 1/4") == std::string::npos);
  progress.on_event(event(EventKind::Upload, 2, 4.0));
  CHECK(log.text().find("round 2/2: 1/4 updates in") != std::string::npos);
}

TEST_CASE("progress: within-round lines are throttled by wall time", "[progress]") {
  CapturedLog log;
  StopSpec stop;
  stop.max_rounds = 1;
  ProgressReporter progress(stop, true, 3600.0);  // an hour: no report inside the test
  progress.on_event(event(EventKind::RoundStart, 1, 0, 10));
  for (int i = 0; i < 10; ++i) progress.on_event(event(EventKind::Upload, 1, 1.0 + i));
  CHECK(log.text().find("updates in") == std::string::npos);
}

TEST_CASE("progress: the accuracy shown says which round's model it measured", "[progress]") {
  CapturedLog log;
  StopSpec stop;
  stop.max_rounds = 3;
  ProgressReporter progress(stop, true, 0.0);
  progress.on_event(event(EventKind::RoundStart, 1, 0, 2));
  progress.on_event(event(EventKind::RoundEnd, 1, 1.0, 2));  // round 1's evaluation still running
  CHECK(log.text().find("round 1/3  sim 1 s  accuracy -") != std::string::npos);
  progress.on_event(event(EventKind::RoundStart, 2, 1.0, 2));
  Event eval = event(EventKind::Evaluate, 1, 1.0);  // emitted as round 2 closes
  eval.accuracy = 0.5;
  progress.on_event(eval);
  progress.on_event(event(EventKind::RoundEnd, 2, 2.0, 2));
  CHECK(log.text().find("round 2/3  sim 2 s  accuracy 0.5000 (round 1)") != std::string::npos);
  progress.on_event(event(EventKind::RoundStart, 3, 2.0, 2));
  eval.round = 3;  // the last round is evaluated before it closes
  eval.accuracy = 0.75;
  progress.on_event(eval);
  progress.on_event(event(EventKind::RoundEnd, 3, 3.0, 2));
  CHECK(log.text().find("round 3/3  sim 3 s  accuracy 0.7500") != std::string::npos);
  CHECK(log.text().find("0.7500 (round") == std::string::npos);
}
