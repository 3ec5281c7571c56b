#include "advgrad/kernels/cpu/parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace advgrad::kernels::cpu {
namespace {

thread_local bool in_worker = false;

int default_threads() {
  if (const char* env = std::getenv("ADVGRAD_NUM_THREADS")) {
    const int n = std::atoi(env);
    if (n >= 1) return n;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

// Workers sleep on a condition variable; a job is a chunked range. The calling
// thread runs chunk 0 itself, so one thread means no pool traffic at all.
class ThreadPool {
 public:
  explicit ThreadPool(int threads) { resize(threads); }
  ~ThreadPool() { stop(); }

  int size() const { return threads_; }

  void resize(int threads) {
    stop();
    threads_ = std::max(1, threads);
    shutting_down_ = false;
    for (int i = 1; i < threads_; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
  }

  void run(int chunks, const std::function<void(int)>& chunk_body) {
    std::unique_lock<std::mutex> job_lock(job_mutex_);  // one job at a time
    {
      std::lock_guard<std::mutex> lock(mutex_);
      body_ = &chunk_body;
      chunks_ = chunks;
      next_chunk_ = 1;
      pending_ = chunks - 1;
      error_ = nullptr;
      ++generation_;
    }
    cv_.notify_all();
    in_worker = true;
    try {
      chunk_body(0);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
    in_worker = false;
    // Help with remaining chunks, then wait for the workers.
    for (;;) {
      int c;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (next_chunk_ >= chunks_) break;
        c = next_chunk_++;
      }
      run_chunk(c);
    }
    std::unique_lock<std::mutex> lock(mutex_);
    done_cv_.wait(lock, [this] { return pending_ == 0; });
    body_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void run_chunk(int c) {
    in_worker = true;
    try {
      (*body_)(c);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
    in_worker = false;
    std::lock_guard<std::mutex> lock(mutex_);
    if (--pending_ == 0) done_cv_.notify_all();
  }

  void worker_loop(int) {
    std::uint64_t seen = 0;
    for (;;) {
      int c;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [&] { return shutting_down_ || (generation_ != seen && next_chunk_ < chunks_); });
        if (shutting_down_) return;
        c = next_chunk_++;
        if (next_chunk_ >= chunks_) seen = generation_;
      }
      run_chunk(c);
    }
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      shutting_down_ = true;
    }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  int threads_ = 1;
  std::vector<std::thread> workers_;
  std::mutex job_mutex_;
  std::mutex mutex_;
  std::condition_variable cv_, done_cv_;
  const std::function<void(int)>* body_ = nullptr;
  int chunks_ = 0, next_chunk_ = 0, pending_ = 0;
  std::uint64_t generation_ = 0;
  bool shutting_down_ = false;
  std::exception_ptr error_;
};

ThreadPool& pool() {
  static ThreadPool p(default_threads());
  return p;
}

}  // namespace

void set_num_threads(int n) {
  if (n < 1) n = 1;
  if (n != pool().size()) pool().resize(n);
}

int get_num_threads() { return pool().size(); }

void parallel_for(std::int64_t begin, std::int64_t end, std::int64_t grain,
                  const std::function<void(std::int64_t, std::int64_t)>& body) {
  const std::int64_t n = end - begin;
  if (n <= 0) return;
  grain = std::max<std::int64_t>(grain, 1);
  const std::int64_t max_chunks = (n + grain - 1) / grain;
  const int threads = in_worker ? 1 : get_num_threads();
  const int chunks = static_cast<int>(std::min<std::int64_t>(threads, max_chunks));
  if (chunks <= 1) {
    body(begin, end);
    return;
  }
  // Even split: chunk c covers [begin + c*n/chunks, begin + (c+1)*n/chunks).
  pool().run(chunks, [&](int c) {
    const std::int64_t lo = begin + n * c / chunks;
    const std::int64_t hi = begin + n * (c + 1) / chunks;
    if (lo < hi) body(lo, hi);
  });
}

}  // namespace advgrad::kernels::cpu
