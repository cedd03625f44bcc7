// The devices an asynchronous server may engage, with the k-th of them (in device order) in
// O(log N): a Fenwick tree over 0/1 flags.
//
// Why: picking "a uniformly random idle device" by listing the idle devices is O(N) per
// dispatch: half of a 10k-device FedBuff run, and with 100k devices that come and go, hours.
// idle[k] of that list is kth(k) here: same pick, same random draw, no scan.
//
// IdleDevices is the bare set. ReadyDevices keeps "not engaged AND able to take part now"
// (Fleet::can_participate) up to date: the server tells it whom it engages and releases, the
// fleet tells it (FleetObserver) of every device switched on or off, at that instant, so that
// at any time its set is exactly what scanning every device would list.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "emulator/core/fleet.hpp"

namespace flemu {

class IdleDevices {
 public:
  /// `n` devices, all idle.
  explicit IdleDevices(int n);
  void set_idle(int device, bool is_idle);
  bool idle(int device) const { return flags_[device] != 0; }
  int count() const { return count_; }
  /// The k-th idle device in increasing order, k in [0, count()).
  int kth(int64_t k) const;

 private:
  std::vector<char> flags_;
  std::vector<int> tree_;  ///< Fenwick tree, 1-based: tree_[i] sums flags over (i - lowbit(i), i]
  int count_ = 0;
  int top_bit_ = 1;  ///< largest power of two <= n
};

class ReadyDevices : public FleetObserver {
 public:
  /// `n` devices, none engaged; `can_participate(i)`: whether device i can take part now
  /// (read once here, and again whenever i is released or switched).
  ReadyDevices(int n, std::function<bool(int)> can_participate);
  /// Device `device` was engaged: not ready until released.
  void engage(int device);
  /// Device `device` is no longer engaged (its update arrived, or it was given up on).
  void release(int device);
  bool engaged(int device) const { return engaged_[device] != 0; }
  int count() const { return ready_.count(); }
  /// The k-th ready device in increasing order, k in [0, count()).
  int kth(int64_t k) const { return ready_.kth(k); }

  void on_device_state(int device, bool on, const std::string& reason) override;

 private:
  void refresh(int device);
  std::function<bool(int)> can_participate_;
  std::vector<char> engaged_;
  IdleDevices ready_;
};

}  // namespace flemu
