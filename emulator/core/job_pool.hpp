// A fixed pool of worker threads that runs training and evaluation jobs.
//
// Actors submit a job, then spend its simulated duration with this_actor::execute(), then
// collect the result: real jobs overlap in wall time while SimGrid advances. Workers never
// call s4u (that would block in kernel mode); jobs are pure functions, so the number of
// workers never changes results.
#pragma once
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace flemu {

class JobPool {
 public:
  explicit JobPool(int workers);
  ~JobPool();
  JobPool(const JobPool&) = delete;
  JobPool& operator=(const JobPool&) = delete;

  template <class F>
  auto submit(F f) -> std::future<decltype(f())> {
    auto task = std::make_shared<std::packaged_task<decltype(f())()>>(std::move(f));
    auto fut = task->get_future();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.emplace_back([task] { (*task)(); });
    }
    cv_.notify_one();
    return fut;
  }
  int workers() const { return static_cast<int>(threads_.size()); }

 private:
  void work();
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> threads_;
  bool stop_ = false;
};

}  // namespace flemu
