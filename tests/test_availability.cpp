// platforms/availability_trace: CSV round trip and errors, seeded generators, profile text.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "platforms/availability_trace.hpp"
#include "tests/test_support.hpp"

using namespace flemu;
using Changes = std::vector<std::pair<double, bool>>;

namespace {

std::string error_of(const std::string& path) {
  try {
    read_availability_csv(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("availability: on_at is the last change at or before t", "[availability]") {
  AvailabilityTrace t{{{0, true}, {100, false}, {250, true}}};
  CHECK(t.on_at(0));
  CHECK(t.on_at(99.9));
  CHECK_FALSE(t.on_at(100));
  CHECK_FALSE(t.on_at(249));
  CHECK(t.on_at(250));
  CHECK(t.on_at(1e9));
  CHECK(t.on_at(-5));
  CHECK(AvailabilityTrace{}.on_at(42));
  CHECK(t.on_fraction(500) == Approx((100.0 + 250.0) / 500));
  CHECK(t.on_fraction(200) == Approx(0.5));
}

TEST_CASE("availability: CSV round trip", "[availability]") {
  const auto dir = test::scratch_dir("availability");
  std::map<std::string, AvailabilityTrace> traces;
  traces["phone-0"].changes = {{0, true}, {0.1, false}, {1800, true}, {12345.678, false}};
  traces["phone-1"].changes = {{0, false}, {1e-3, true}};
  traces["laptop"].changes = {{0, true}};
  const std::string path = (dir / "a.csv").string();
  write_availability_csv(path, traces);
  const auto back = read_availability_csv(path);
  REQUIRE(back.size() == 3);
  for (const auto& [name, trace] : traces) {
    INFO(name);
    CHECK(back.at(name).changes == trace.changes);
  }
  CHECK(test::read_file(path).rfind("device,time,state\nlaptop,0,on\nphone-0,0,on\nphone-0,0.1,off\n", 0) == 0);
}

TEST_CASE("availability: CSV reads units, 1/0 states, comments; on before the first row", "[availability]") {
  const auto dir = test::scratch_dir("availability");
  const std::string path = (dir / "a.csv").string();
  test::write_file(path,
                   "# churn of two phones\n"
                   " device , time , state \r\n"
                   "a,0,1\n"
                   "b,1h,off\n"
                   "\n"
                   "a,30min,0\n"
                   "a,5400,on\n"
                   "b,7200.5,1\n"
                   "c,10,on\n");
  const auto t = read_availability_csv(path);
  CHECK(t.at("a").changes == Changes{{0, true}, {1800, false}, {5400, true}});
  CHECK(t.at("b").changes == Changes{{0, true}, {3600, false}, {7200.5, true}});
  CHECK(t.at("c").changes == Changes{{0, true}});
}

TEST_CASE("availability: each bad line names file, line and what was expected", "[availability]") {
  const auto dir = test::scratch_dir("availability");
  int n = 0;
  auto check_error = [&](const std::string& text, const std::string& expected_suffix) {
    const std::string path = (dir / ("bad" + std::to_string(n++) + ".csv")).string();
    test::write_file(path, text);
    INFO(text);
    CHECK(error_of(path) == path + expected_suffix);
  };
  const std::string h = "device,time,state\n";
  check_error("dev,time,state\na,0,on\n", ":1: expected the header \"device,time,state\", got \"dev,time,state\"");
  check_error("", ":1: expected the header \"device,time,state\"");
  check_error(h + "a,0,on\na,10\n", ":3: expected 3 columns (device,time,state), got 2");
  check_error(h + "a,0,on,x\n", ":2: expected 3 columns (device,time,state), got 4");
  check_error(h + "a,0,on\na,5,\n", ":3: expected a state on, off, 1 or 0, got \"\"");
  check_error(h + "a,0,up\n", ":2: expected a state on, off, 1 or 0, got \"up\"");
  check_error(h + ",0,on\n", ":2: expected a device name, got an empty field");
  check_error(h + "a,-5,on\n", ":2: expected a non-negative time, got \"-5\"");
  check_error(h + "a,soon,on\n",
              ":2: expected a time in seconds (\"1800\") or a duration like \"30min\", got \"soon\"");
  check_error(h + "a,inf,on\n", ":2: expected a finite time, got \"inf\"");
  check_error(h + "a,0,on\nb,0,on\na,100,off\nb,50,off\na,1min,on\n",
              ":6: expected a time after 100 s (the previous row of device \"a\"), got \"1min\"");
  check_error(h + "a,100,on\na,100,off\n", ":3: expected a time after 100 s (the previous row of device \"a\"), got \"100\"");
  CHECK(error_of((dir / "missing.csv").string()) == (dir / "missing.csv").string() + ": cannot open");
}

TEST_CASE("availability: exponential on/off is seeded and has the right long-run on fraction", "[availability]") {
  const auto a = exponential_on_off(3600, 1800, 2e7, 42);
  const auto b = exponential_on_off(3600, 1800, 2e7, 42);
  const auto c = exponential_on_off(3600, 1800, 2e7, 43);
  CHECK(a.changes == b.changes);
  CHECK(a.changes != c.changes);
  REQUIRE(a.changes.front() == std::make_pair(0.0, true));
  for (size_t i = 1; i < a.changes.size(); ++i) {
    CHECK(a.changes[i].first > a.changes[i - 1].first);
    CHECK(a.changes[i].second != a.changes[i - 1].second);
  }
  CHECK(a.changes.back().first < 2e7);
  // ~3700 cycles: the on fraction is within a few hundredths of 2/3.
  CHECK(a.on_fraction(2e7) == Approx(2.0 / 3).margin(0.02));
  CHECK(c.on_fraction(2e7) == Approx(2.0 / 3).margin(0.02));
  CHECK_FALSE(exponential_on_off(10, 10, 100, 1, false).changes.front().second);
  CHECK_THROWS_AS(exponential_on_off(0, 10, 100, 1), std::invalid_argument);
}

TEST_CASE("availability: diurnal schedules on hand-computed days", "[availability]") {
  // On 6 h a day from 01:00.
  CHECK(diurnal(86400, 0.25, 3600, 2 * 86400).changes ==
        Changes{{0, false}, {3600, true}, {25200, false}, {90000, true}, {111600, false}});
  // On 6 h a day from 23:00: the night before already covers 00:00-05:00.
  CHECK(diurnal(86400, 0.25, 82800, 86400).changes == Changes{{0, true}, {18000, false}, {82800, true}});
  CHECK(diurnal(86400, 0.25, 82800 - 86400, 86400).changes ==
        diurnal(86400, 0.25, 82800, 86400).changes);
  CHECK(diurnal(86400, 0.25, 3600, 10 * 86400).on_fraction(10 * 86400) == Approx(0.25));
  CHECK(diurnal(86400, 0.0, 3600, 86400).changes == Changes{{0, false}});
  CHECK(diurnal(86400, 1.0, 3600, 86400).changes == Changes{{0, true}});
  CHECK_THROWS_AS(diurnal(0, 0.5, 0, 10), std::invalid_argument);
  CHECK_THROWS_AS(diurnal(10, 1.5, 0, 10), std::invalid_argument);
}

TEST_CASE("availability: diurnal with a seeded phase per device", "[availability]") {
  const auto a = diurnal_with_jitter(86400, 0.4, 5 * 86400, 7);
  CHECK(a.changes == diurnal_with_jitter(86400, 0.4, 5 * 86400, 7).changes);
  CHECK(a.changes != diurnal_with_jitter(86400, 0.4, 5 * 86400, 8).changes);
  CHECK(a.on_fraction(5 * 86400) == Approx(0.4));
  // Still daily: consecutive switch-ons are a period apart.
  std::vector<double> ons;
  for (const auto& [t, on] : a.changes)
    if (on && t > 0) ons.push_back(t);
  REQUIRE(ons.size() >= 4);
  for (size_t i = 1; i < ons.size(); ++i) CHECK(ons[i] - ons[i - 1] == Approx(86400));
}

TEST_CASE("availability: SimGrid state profile text", "[availability]") {
  AvailabilityTrace t{{{0, true}, {3600, false}, {7200.5, true}}};
  CHECK(to_simgrid_profile(t) == "0 1\n3600 0\n7200.5 1\n");
  CHECK(to_simgrid_profile(AvailabilityTrace{}) == "0 1\n");
}
