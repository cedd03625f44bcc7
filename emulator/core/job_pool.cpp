#include "emulator/core/job_pool.hpp"

#include <stdexcept>

namespace flemu {

JobPool::JobPool(int workers) {
  if (workers < 1) throw std::invalid_argument("JobPool needs at least one worker");
  for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
}

JobPool::~JobPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void JobPool::work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stop_ and drained
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();  // exceptions are stored in the job's future by packaged_task
  }
}

}  // namespace flemu
