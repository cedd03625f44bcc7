// platforms/battery_model: charge bookkeeping on hand-computed values (J, W, s).
#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>

#include "platforms/battery_model.hpp"

using namespace flemu;

namespace {
constexpr double kWh = 3600.0;  // J per Wh
}

TEST_CASE("battery: 10 Wh drained at 2 W for an hour leaves 8 Wh", "[battery]") {
  BatterySpec spec;
  spec.capacity_j = 10 * kWh;
  BatteryModel b(spec);
  CHECK(b.charge_j() == 36000.0);
  CHECK(b.fraction() == 1.0);
  b.advance(3600, 2.0 * 3600);
  CHECK(b.charge_j() == 28800.0);
  CHECK(b.fraction() == Approx(0.8));
  CHECK(b.last_update_s() == 3600.0);
  CHECK(b.above_floor());
  CHECK_FALSE(b.empty());
}

TEST_CASE("battery: initial fraction, and the charge clamps at 0", "[battery]") {
  BatterySpec spec;
  spec.capacity_j = 1000;
  spec.initial_fraction = 0.25;
  BatteryModel b(spec);
  CHECK(b.charge_j() == 250.0);
  b.advance(10, 400);
  CHECK(b.charge_j() == 0.0);
  CHECK(b.empty());
  CHECK_FALSE(b.above_floor());
}

TEST_CASE("battery: the floor stops participation at and below it", "[battery]") {
  BatterySpec spec;
  spec.capacity_j = 36000;
  spec.floor_fraction = 0.2;  // 7200 J
  BatteryModel b(spec);
  CHECK(b.floor_j() == 7200.0);
  b.advance(3600, 7200);  // 28800 J left
  // (28800 - 7200) J / 2 W = 10800 s; to empty 28800 / 2 = 14400 s.
  CHECK(b.time_to_floor(3600, 2.0) == 10800.0);
  CHECK(b.time_to_empty(3600, 2.0) == 14400.0);
  CHECK(std::isinf(b.time_to_floor(3600, 0.0)));
  b.advance(3600 + 10800, 2.0 * 10800);  // exactly at the floor
  CHECK(b.charge_j() == 7200.0);
  CHECK_FALSE(b.above_floor());
  CHECK_FALSE(b.empty());
  CHECK(b.time_to_floor(b.last_update_s(), 2.0) == 0.0);
  CHECK(b.time_to_empty(b.last_update_s(), 2.0) == 3600.0);
}

TEST_CASE("battery: a one-off charging window adds power x overlap", "[battery]") {
  BatterySpec spec;
  spec.capacity_j = 36000;
  spec.initial_fraction = 0.5;  // 18000 J
  spec.charging = {{1800, 5400, 0, 5.0}};  // 5 W from 30 min to 90 min
  BatteryModel b(spec);
  CHECK_FALSE(b.charging_at(0));
  CHECK(b.charging_at(1800));
  CHECK(b.charging_at(5399));
  CHECK_FALSE(b.charging_at(5400));
  // [0, 3600]: overlap 1800 s * 5 W = 9000 J; drain 7200 J.
  b.advance(3600, 7200);
  CHECK(b.charge_j() == 18000.0 - 7200 + 9000);
  // [3600, 7200]: overlap 1800 s * 5 W = 9000 J; no drain.
  b.advance(7200, 0);
  CHECK(b.charge_j() == 28800.0);
  // Charging never exceeds the capacity.
  BatterySpec full = spec;
  full.initial_fraction = 1.0;
  BatteryModel c(full);
  c.advance(7200, 1000);
  CHECK(c.charge_j() == 36000.0);
}

TEST_CASE("battery: a nightly window 22:00-07:00 repeats every day, also before the first", "[battery]") {
  const ChargingWindow night{79200, 111600, 86400, 10.0};
  CHECK(window_overlap(night, 0, 86400) == 9 * 3600.0);         // 00-07 and 22-24
  CHECK(window_overlap(night, 0, 2 * 86400) == 18 * 3600.0);
  CHECK(window_overlap(night, 3600, 7200) == 3600.0);
  CHECK(window_overlap(night, 30000, 79200) == 0.0);
  CHECK(window_overlap(night, 80000, 80000) == 0.0);
  CHECK(charging_energy({night}, 0, 86400) == 324000.0);
  // Overlapping windows add their powers.
  CHECK(charging_energy({night, {0, 3600, 0, 2.0}}, 0, 3600) == 3600 * 12.0);

  BatterySpec spec;
  spec.capacity_j = 1e6;
  spec.initial_fraction = 0.0;
  spec.charging = {night};
  BatteryModel b(spec);
  CHECK(b.charging_at(0));
  CHECK(b.charging_at(25199));
  CHECK_FALSE(b.charging_at(25200));
  CHECK_FALSE(b.charging_at(50000));
  CHECK(b.charging_at(79200));
  CHECK(b.charging_at(86400 + 3600));
  b.advance(86400, 0);
  CHECK(b.charge_j() == 324000.0);
}

TEST_CASE("battery: time_to_floor counts charging since the last update, none after", "[battery]") {
  BatterySpec spec;
  spec.capacity_j = 1000;
  spec.initial_fraction = 0.5;  // 500 J
  spec.charging = {{0, 100, 0, 1.0}};
  BatteryModel b(spec);
  // At t = 100 the window has added 100 J: 600 J at 3 W = 200 s.
  CHECK(b.time_to_empty(100, 3.0) == 200.0);
  // At t = 50 only 50 J added, and the rest of the window is ignored: 550 / 5.5 = 100 s.
  CHECK(b.time_to_empty(50, 5.5) == Approx(100.0));
}

TEST_CASE("battery: bad specs and calls are refused", "[battery]") {
  BatterySpec ok;
  ok.capacity_j = 100;
  auto bad = [&](auto edit) {
    BatterySpec s = ok;
    edit(s);
    return s;
  };
  CHECK_THROWS_AS(BatteryModel(bad([](BatterySpec& s) { s.capacity_j = 0; })), std::invalid_argument);
  CHECK_THROWS_AS(BatteryModel(bad([](BatterySpec& s) { s.initial_fraction = 1.5; })), std::invalid_argument);
  CHECK_THROWS_AS(BatteryModel(bad([](BatterySpec& s) { s.floor_fraction = -0.1; })), std::invalid_argument);
  CHECK_THROWS_AS(BatteryModel(bad([](BatterySpec& s) { s.charging = {{10, 5, 0, 1}}; })), std::invalid_argument);
  CHECK_THROWS_AS(BatteryModel(bad([](BatterySpec& s) { s.charging = {{0, 10, 5, 1}}; })), std::invalid_argument);
  CHECK_THROWS_AS(BatteryModel(bad([](BatterySpec& s) { s.charging = {{0, 10, 0, -1}}; })), std::invalid_argument);
  BatteryModel b(ok);
  b.advance(10, 1);
  CHECK_THROWS_AS(b.advance(5, 1), std::invalid_argument);
  CHECK_THROWS_AS(b.advance(20, -1), std::invalid_argument);
  CHECK_THROWS_AS(b.time_to_floor(20, -1), std::invalid_argument);
  CHECK_THROWS_AS(b.time_to_floor(5, 1), std::invalid_argument);
}
