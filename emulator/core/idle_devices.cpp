#include "emulator/core/idle_devices.hpp"

#include <stdexcept>
#include <utility>

namespace flemu {

IdleDevices::IdleDevices(int n) : flags_(n, 1), tree_(n + 1, 0), count_(n) {
  // Linear-time build: each node passes its sum to its parent.
  for (int i = 1; i <= n; ++i) {
    tree_[i] += 1;
    const int parent = i + (i & -i);
    if (parent <= n) tree_[parent] += tree_[i];
  }
  while (top_bit_ * 2 <= n) top_bit_ *= 2;
}

void IdleDevices::set_idle(int device, bool is_idle) {
  if (idle(device) == is_idle) return;
  flags_[device] = is_idle ? 1 : 0;
  const int delta = is_idle ? 1 : -1;
  count_ += delta;
  for (int i = device + 1; i < static_cast<int>(tree_.size()); i += i & -i) tree_[i] += delta;
}

int IdleDevices::kth(int64_t k) const {
  if (k < 0 || k >= count_) throw std::out_of_range("IdleDevices::kth: no such idle device");
  // Descend the implicit tree: the largest position whose prefix sum is <= k.
  int pos = 0;
  int64_t rest = k;
  for (int step = top_bit_; step > 0; step /= 2) {
    const int next = pos + step;
    if (next < static_cast<int>(tree_.size()) && tree_[next] <= rest) {
      pos = next;
      rest -= tree_[next];
    }
  }
  return pos;  // 1-based position pos + 1, i.e. device pos
}

ReadyDevices::ReadyDevices(int n, std::function<bool(int)> can_participate)
    : can_participate_(std::move(can_participate)), engaged_(n, 0), ready_(n) {
  for (int i = 0; i < n; ++i) refresh(i);
}

void ReadyDevices::refresh(int device) { ready_.set_idle(device, !engaged_[device] && can_participate_(device)); }

void ReadyDevices::engage(int device) {
  engaged_[device] = 1;
  ready_.set_idle(device, false);
}

void ReadyDevices::release(int device) {
  engaged_[device] = 0;
  refresh(device);
}

void ReadyDevices::on_device_state(int device, bool, const std::string&) { refresh(device); }

}  // namespace flemu
