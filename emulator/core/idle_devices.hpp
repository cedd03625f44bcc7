// The devices an asynchronous server has not engaged, with the k-th of them (in device
// order) in O(log N): a Fenwick tree over 0/1 flags.
//
// Why: picking "a uniformly random idle device" by listing the idle devices is O(N) per
// dispatch, half of a 10k-device FedBuff run. Where every device can always take part (no
// battery, no availability model), the idle devices are exactly the non-engaged ones, and
// idle[k] of that list is kth(k) here: same pick, same random draw, no scan.
#pragma once
#include <cstdint>
#include <vector>

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

}  // namespace flemu
