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
  CHECK(b.advance(3600, 2.0) == 7200.0);
  CHECK(b.charge_j() == 28800.0);
  CHECK(b.fraction() == Approx(0.8));
  CHECK(b.last_update_s() == 3600.0);
  CHECK(b.delivered_j() == 7200.0);
  CHECK(b.charged_j() == 0.0);
  CHECK(b.above_floor());
  CHECK_FALSE(b.empty());
}

TEST_CASE("battery: an empty battery gives only what it holds", "[battery]") {
  BatterySpec spec;
  spec.capacity_j = 1000;
  spec.initial_fraction = 0.25;
  BatteryModel b(spec);
  CHECK(b.charge_j() == 250.0);
  // 40 W for 10 s asks 400 J; 250 J are there.
  CHECK(b.advance(10, 40) == 250.0);
  CHECK(b.charge_j() == 0.0);
  CHECK(b.empty());
  CHECK_FALSE(b.above_floor());
  CHECK(b.advance(20, 40) == 0.0);
}

TEST_CASE("battery: the floor, its crossing time, and the resume level", "[battery]") {
  BatterySpec spec;
  spec.capacity_j = 36000;
  spec.floor_fraction = 0.2;  // 7200 J
  BatteryModel b(spec);
  CHECK(b.floor_j() == 7200.0);
  CHECK(b.resume_j() == Approx(0.21 * 36000));  // default: floor + 1%
  b.advance(3600, 2.0);  // 28800 J left
  // (28800 - 7200) J / 2 W = 10800 s after t = 3600; to empty 28800 / 2 = 14400 s.
  CHECK(b.time_to_level(2.0, b.floor_j(), true, 1e9) == 3600 + 10800.0);
  CHECK(b.time_to_level(2.0, 0, true, 1e9) == 3600 + 14400.0);
  CHECK(std::isinf(b.time_to_level(0.0, b.floor_j(), true, 1e9)));
  CHECK(std::isinf(b.time_to_level(2.0, 30000, false, 1e9)));  // never rises without a charger
  b.advance(3600 + 10800, 2.0);  // exactly at the floor
  CHECK(b.charge_j() == 7200.0);
  CHECK_FALSE(b.above_floor());
  CHECK(b.time_to_level(2.0, b.floor_j(), true, 1e9) == b.last_update_s());
  spec.resume_fraction = 0.5;
  CHECK(BatteryModel(spec).resume_j() == 18000.0);
}

TEST_CASE("battery: a one-off charging window, netted with the draw, capped at capacity", "[battery]") {
  BatterySpec spec;
  spec.capacity_j = 36000;
  spec.initial_fraction = 0.5;  // 18000 J
  spec.charging = {{1800, 5400, 0, 5.0}};  // 5 W from 30 min to 90 min
  BatteryModel b(spec);
  CHECK_FALSE(b.charging_at(0));
  CHECK(b.charging_at(1800));
  CHECK(b.charging_at(5399));
  CHECK_FALSE(b.charging_at(5400));
  CHECK(b.charging_power_at(2000) == 5.0);
  CHECK(b.next_window_boundary(0) == 1800.0);
  CHECK(b.next_window_boundary(1800) == 5400.0);
  CHECK(std::isinf(b.next_window_boundary(5400)));
  // [0, 3600] at 2 W: charging 1800 s * 5 W = 9000 J; drain 7200 J.
  CHECK(b.advance(3600, 2.0) == 7200.0);
  CHECK(b.charge_j() == 18000.0 - 7200 + 9000);
  // [3600, 7200] at 0 W: 1800 s * 5 W = 9000 J.
  b.advance(7200, 0);
  CHECK(b.charge_j() == 28800.0);
  CHECK(b.charged_j() == 18000.0);
  // Books: initial + charged - delivered = charge.
  CHECK(18000 + b.charged_j() - b.delivered_j() == b.charge_j());
  // Full: the charger covers the draw and its surplus is lost.
  BatterySpec full = spec;
  full.initial_fraction = 1.0;
  BatteryModel c(full);
  CHECK(c.advance(7200, 1.0) == 7200.0);
  // 0..1800 drains 1 W (1800 J); in the window 5 - 1 W refill it by 2250 s, then the
  // charger pays the 1 W; 5400..7200 drains 1800 J again.
  CHECK(c.charge_j() == 36000.0 - 1800);
  CHECK(c.charged_j() == 5 * 450.0 + 1 * (3600 - 450.0));
  CHECK(36000 + c.charged_j() - c.delivered_j() == c.charge_j());
  // Charging from 30000 J at 5 - 1 W: full after 1500 s of the window.
  BatteryModel d(full);
  d.advance(1800, 1.0);  // 34200 J
  CHECK(d.time_to_level(1.0, 36000, false, 1e9) == Approx(1800 + 1800 / 4.0));
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

TEST_CASE("battery: crossing times walk through charging windows", "[battery]") {
  BatterySpec spec;
  spec.capacity_j = 1000;
  spec.initial_fraction = 0.5;  // 500 J
  spec.charging = {{0, 100, 0, 1.0}};
  BatteryModel b(spec);
  // At 3 W: 2 W net until t = 100 (300 J left), then 3 W: empty at 100 + 100 = 200 s.
  CHECK(b.time_to_level(3.0, 0, true, 1e9) == 200.0);
  // At 0.5 W it rises by 50 J by t = 100, then drains 550 J at 0.5 W: 1200 s.
  CHECK(b.time_to_level(0.5, 0, true, 1e9) == Approx(1200.0));
  CHECK(b.time_to_level(0.5, 540, false, 1e9) == Approx(80.0));
  // A daily window that always outcharges the draw: never down; the search stops at the horizon.
  BatterySpec daily = spec;
  daily.charging = {{0, 43200, 86400, 10.0}};
  BatteryModel c(daily);
  bool found = true;
  CHECK(c.time_to_level(0.01, 100, true, 10 * 86400.0, &found) >= 10 * 86400.0);
  CHECK_FALSE(found);
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
  CHECK_THROWS_AS(BatteryModel(bad([](BatterySpec& s) { s.floor_fraction = 0.5; s.resume_fraction = 0.4; })),
                  std::invalid_argument);
  BatteryModel b(ok);
  b.advance(10, 1);
  CHECK_THROWS_AS(b.advance(5, 1), std::invalid_argument);
  CHECK_THROWS_AS(b.advance(20, -1), std::invalid_argument);
  CHECK_THROWS_AS(b.time_to_level(-1, 0, true, 1e9), std::invalid_argument);
}
