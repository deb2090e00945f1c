// Limits, cancellation and progress reporting shared by every engine.
#pragma once
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace reluregions {

// Raised when max_regions or time_limit is exceeded and the caller did not ask for a partial result.
class LimitExceeded : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Progress {
  std::uint64_t regions = 0;     // regions found so far
  std::uint64_t open_nodes = 0;  // nodes still to explore (engine specific, an indication)
  double elapsed = 0.0;          // seconds
};

struct Limits {
  std::uint64_t max_regions = 0;  // 0: no limit
  double time_limit = 0.0;        // seconds; <= 0: no limit
  bool partial = false;           // on a limit: stop and mark the result incomplete instead of throwing
};

// Engines call add_region() per region and checkpoint() often; both are cheap. The poll callback runs
// about every `interval` seconds on the thread that calls checkpoint(); it may throw to cancel the run
// (the Python bindings throw when Ctrl-C was pressed).
class Control {
 public:
  using Clock = std::chrono::steady_clock;
  using Poll = std::function<void(const Progress&)>;

  explicit Control(Limits limits = {}, Poll poll = {}, double interval = 0.1)
      : limits_(limits), poll_(std::move(poll)), interval_(interval), start_(Clock::now()), last_(start_) {}

  // Records one region. Returns false when the region is over the limit and must be dropped (partial run).
  bool add_region() {
    const std::uint64_t n = regions_.fetch_add(1, std::memory_order_relaxed) + 1;
    if (limits_.max_regions != 0 && n > limits_.max_regions) {
      regions_.fetch_sub(1, std::memory_order_relaxed);
      stop("max_regions=" + std::to_string(limits_.max_regions) + " reached");
      return false;
    }
    return true;
  }

  // Records k regions at once (counted, not visited); as k calls of add_region(): false when the limit
  // was reached (partial run: the count stops at the limit).
  bool add_regions(std::uint64_t k) {
    const std::uint64_t n = regions_.fetch_add(k, std::memory_order_relaxed) + k;
    if (limits_.max_regions != 0 && n > limits_.max_regions) {
      regions_.fetch_sub(std::min(k, n - limits_.max_regions), std::memory_order_relaxed);
      stop("max_regions=" + std::to_string(limits_.max_regions) + " reached");
      return false;
    }
    return true;
  }

  // Checks the clock every few calls; polls and enforces the time limit at most every `interval` s.
  void checkpoint(std::uint64_t open_nodes = 0) {
    if ((++ticks_ & 31u) != 0) return;
    const auto now = Clock::now();
    if (std::chrono::duration<double>(now - last_).count() < interval_) return;
    last_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    if (limits_.time_limit > 0 && elapsed > limits_.time_limit)
      stop("time_limit=" + std::to_string(limits_.time_limit) + " s reached");
    if (poll_) poll_(Progress{regions(), open_nodes, elapsed});
  }

  // For worker threads, which must not run the poll callback (it belongs to the calling thread):
  // enforces the time limit only. Cheap: reads the clock every 64 calls.
  void check_limits(std::uint32_t& ticks) {
    if ((++ticks & 63u) != 0) return;
    check_time();
  }
  void check_time() {
    if (limits_.time_limit > 0 && elapsed() > limits_.time_limit)
      stop("time_limit=" + std::to_string(limits_.time_limit) + " s reached");
  }

  // Limit reached: throw, or (partial) remember to stop. Safe to call from worker threads.
  void stop(const std::string& why) {
    if (!limits_.partial) throw LimitExceeded(why + " after " + std::to_string(regions()) + " regions");
    std::lock_guard<std::mutex> lock(reason_mutex_);
    if (!stopped_.load()) reason_ = why;
    stopped_.store(true);
  }
  void cancel() { stopped_.store(true); }

  bool stopped() const { return stopped_.load(std::memory_order_relaxed); }
  bool complete() const { return !stopped(); }
  const std::string& reason() const { return reason_; }
  std::uint64_t regions() const { return regions_.load(std::memory_order_relaxed); }
  double elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
  const Limits& limits() const { return limits_; }
  bool has_poll() const { return static_cast<bool>(poll_); }
  void poll_now(std::uint64_t open_nodes = 0) {
    if (poll_) poll_(Progress{regions(), open_nodes, elapsed()});
  }

 private:
  Limits limits_;
  Poll poll_;
  double interval_;
  Clock::time_point start_, last_;
  std::uint32_t ticks_ = 0;
  std::atomic<std::uint64_t> regions_{0};
  std::atomic<bool> stopped_{false};
  std::string reason_;
  std::mutex reason_mutex_;
};

// Thrown inside a worker when the batch was cancelled (Ctrl-C or an error in another item).
struct BatchCancelled {};

// The number of workers parallel_for(n, threads, ...) runs.
inline int batch_workers(std::size_t n, int threads) {
  return static_cast<int>(std::max<std::size_t>(1, std::min<std::size_t>(static_cast<std::size_t>(threads), n)));
}

// Runs fn(item, worker, cancel) for every item in [0, n) on `threads` workers (worker: 0 .. threads - 1,
// for per-worker scratch; items are independent, so results stored by item do not depend on the number
// of threads). An item may set `cancel` to stop the batch. `poll` runs on the calling thread about every
// `poll_ms` milliseconds and may throw to cancel the batch; the first exception (from poll or an item)
// is rethrown after every worker has stopped.
template <class Fn>
void parallel_for(std::size_t n, int threads, Fn&& fn, const std::function<void()>& poll, int poll_ms = 100) {
  std::atomic<bool> cancel{false};
  std::atomic<std::size_t> next{0};
  std::mutex mu;
  std::condition_variable cv;
  std::exception_ptr error;
  const int T = batch_workers(n, threads);
  int running = T;
  auto work = [&](int worker) {
    try {
      for (;;) {
        const std::size_t k = next.fetch_add(1);
        if (k >= n || cancel.load()) break;
        fn(k, worker, cancel);
      }
    } catch (const BatchCancelled&) {
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu);
      if (!error) error = std::current_exception();
      cancel.store(true);
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      --running;
    }
    cv.notify_all();
  };
  std::vector<std::thread> workers;
  for (int t = 0; t < T; ++t) workers.emplace_back(work, t);
  {
    std::unique_lock<std::mutex> lock(mu);
    while (running > 0) {
      cv.wait_for(lock, std::chrono::milliseconds(poll_ms));
      if (running == 0 || !poll) continue;
      lock.unlock();
      try {
        poll();
      } catch (...) {
        std::lock_guard<std::mutex> guard(mu);
        if (!error) error = std::current_exception();
        cancel.store(true);
      }
      lock.lock();
    }
  }
  for (std::thread& th : workers) th.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace reluregions
