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
