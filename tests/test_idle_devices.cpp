// IdleDevices: the k-th idle device must be exactly what listing the idle devices in order
// and indexing the list gives (the asynchronous server relies on it for identical picks).
#include <catch2/catch.hpp>
#include <random>
#include <vector>

#include "emulator/core/idle_devices.hpp"

using flemu::IdleDevices;

TEST_CASE("IdleDevices: kth equals indexing the ordered list of idle devices", "[async][idle]") {
  for (int n : {1, 2, 7, 64, 1000, 1023, 1025}) {
    IdleDevices set(n);
    std::vector<char> naive(n, 1);
    std::mt19937_64 gen(n);
    for (int step = 0; step < 3000; ++step) {
      const int d = static_cast<int>(gen() % n);
      const bool to_idle = gen() % 2 == 0;
      set.set_idle(d, to_idle);
      naive[d] = to_idle;
      std::vector<int> list;
      for (int i = 0; i < n; ++i)
        if (naive[i]) list.push_back(i);
      REQUIRE(set.count() == static_cast<int>(list.size()));
      REQUIRE(set.idle(d) == to_idle);
      if (!list.empty()) {
        const int64_t k = static_cast<int64_t>(gen() % list.size());
        REQUIRE(set.kth(k) == list[k]);
        REQUIRE(set.kth(0) == list.front());
        REQUIRE(set.kth(static_cast<int64_t>(list.size()) - 1) == list.back());
      }
    }
  }
}

TEST_CASE("IdleDevices: all idle at first; out-of-range k is an error", "[async][idle]") {
  IdleDevices set(5);
  CHECK(set.count() == 5);
  for (int k = 0; k < 5; ++k) CHECK(set.kth(k) == k);
  set.set_idle(2, false);
  set.set_idle(2, false);  // twice: no double count
  CHECK(set.count() == 4);
  CHECK(set.kth(2) == 3);
  CHECK_THROWS_AS(set.kth(4), std::out_of_range);
  CHECK_THROWS_AS(set.kth(-1), std::out_of_range);
}

TEST_CASE("ReadyDevices: follows engagements and the fleet's news like a scan of every device", "[async][idle]") {
  // A fleet stand-in: which devices are on. The server engages and releases; the "fleet"
  // switches devices and tells the index, as Fleet::apply_host_state does.
  for (int n : {1, 5, 300}) {
    std::vector<char> on(n), engaged(n, 0);
    std::mt19937_64 gen(7 + n);
    for (int i = 0; i < n; ++i) on[i] = gen() % 3 != 0;  // some devices start off
    flemu::ReadyDevices ready(n, [&on](int i) { return on[i] != 0; });
    for (int step = 0; step < 4000; ++step) {
      const int d = static_cast<int>(gen() % n);
      switch (gen() % 3) {
        case 0:  // the fleet switches d
          on[d] = !on[d];
          ready.on_device_state(d, on[d] != 0, on[d] ? "online" : "offline");
          break;
        case 1:  // the server engages a ready device (never one that is off or engaged)
          if (!engaged[d] && on[d]) {
            engaged[d] = 1;
            ready.engage(d);
          }
          break;
        default:  // its update arrives, or it is given up on (it may be off by now)
          if (engaged[d]) {
            engaged[d] = 0;
            ready.release(d);
          }
      }
      std::vector<int> scan;  // what the server listed before the index
      for (int i = 0; i < n; ++i)
        if (!engaged[i] && on[i]) scan.push_back(i);
      REQUIRE(ready.count() == static_cast<int>(scan.size()));
      REQUIRE(ready.engaged(d) == (engaged[d] != 0));
      if (!scan.empty()) {
        const int64_t k = static_cast<int64_t>(gen() % scan.size());
        REQUIRE(ready.kth(k) == scan[k]);
      }
    }
  }
}
