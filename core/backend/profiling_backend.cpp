#include "advgrad/core/backend/profiling_backend.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace advgrad {
namespace {

using Clock = std::chrono::steady_clock;

std::string dims(std::int64_t a, std::int64_t b, std::int64_t c) {
  return std::to_string(a) + "x" + std::to_string(b) + "x" + std::to_string(c);
}

// "32->64 14x14 k3 s1 g1 n128": what tells one convolution of a network from another.
std::string conv_label(const char* what, const kernels::Conv2dParams& p) {
  return std::string(what) + " " + std::to_string(p.C) + "->" + std::to_string(p.O) + " " + std::to_string(p.H) +
         "x" + std::to_string(p.W) + " k" + std::to_string(p.kh) + " s" + std::to_string(p.stride_h) + " g" +
         std::to_string(p.groups) + " n" + std::to_string(p.N);
}

class ProfilingBackend final : public Backend {
 public:
  explicit ProfilingBackend(Backend& inner) : inner_(inner) { std::atexit([] { profiler().print(); }); }
  const char* name() const override { return inner_.name(); }

  struct Stat {
    std::int64_t calls = 0;
    double seconds = 0;
  };

  // The table, shared by every thread that calls the backend.
  struct Profiler {
    std::mutex mutex;
    std::map<std::string, Stat> stats;
    bool started = false;
    Clock::time_point first;

    void add(const std::string& label, Clock::time_point t0, Clock::time_point t1) {
      std::lock_guard lock(mutex);
      if (!started) started = true, first = t0;
      Stat& s = stats[label];
      ++s.calls;
      s.seconds += std::chrono::duration<double>(t1 - t0).count();
    }

    void print() {
      std::lock_guard lock(mutex);
      if (!started) return;
      const double wall = std::chrono::duration<double>(Clock::now() - first).count();
      std::vector<std::pair<std::string, Stat>> rows(stats.begin(), stats.end());
      std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second.seconds > b.second.seconds; });
      double inside = 0;
      for (const auto& r : rows) inside += r.second.seconds;
      std::fprintf(stderr, "\nADVGRAD_PROFILE: CPU backend calls, %.3f s profiled wall\n", wall);
      std::fprintf(stderr, "%-56s %10s %12s %12s %7s\n", "op", "calls", "total ms", "us/call", "%wall");
      for (const auto& [label, s] : rows)
        std::fprintf(stderr, "%-56s %10lld %12.2f %12.1f %6.1f%%\n", label.c_str(), static_cast<long long>(s.calls),
                     1e3 * s.seconds, 1e6 * s.seconds / static_cast<double>(s.calls), 100 * s.seconds / wall);
      std::fprintf(stderr, "%-56s %10s %12.2f %12s %6.1f%%\n", "outside backend calls", "", 1e3 * (wall - inside), "",
                   100 * (wall - inside) / wall);
    }
  };

  static Profiler& profiler() {
    static Profiler* const p = new Profiler;  // never destroyed: the atexit handler prints it
    return *p;
  }

  // Times fn() under label; the label is built only because profiling is on.
  template <typename Fn>
  static auto timed(const std::string& label, Fn&& fn) {
    const Clock::time_point t0 = Clock::now();
    struct Record {
      const std::string& label;
      Clock::time_point t0;
      ~Record() { profiler().add(label, t0, Clock::now()); }
    } record{label, t0};
    return fn();
  }

  void* allocate(std::size_t nbytes, Device device) override {
    return timed("allocate", [&] { return inner_.allocate(nbytes, device); });
  }
  void deallocate(void* ptr, std::size_t nbytes, Device device) override {
    timed("free", [&] { inner_.deallocate(ptr, nbytes, device); });
  }
  void copy_to_host(void* dst, const void* src, std::size_t nbytes, Device device) override {
    timed("copy", [&] { inner_.copy_to_host(dst, src, nbytes, device); });
  }
  void copy_from_host(void* dst, const void* src, std::size_t nbytes, Device device) override {
    timed("copy", [&] { inner_.copy_from_host(dst, src, nbytes, device); });
  }

  void unary(kernels::UnaryOp op, DType dtype, const kernels::StridedLoop& loop, void* out, const void* in,
             const kernels::OpParams& params) override {
    timed(std::string("unary ") + kernels::unary_op_name(op), [&] { inner_.unary(op, dtype, loop, out, in, params); });
  }
  void binary(kernels::BinaryOp op, DType dtype, const kernels::StridedLoop& loop, void* out, const void* a,
              const void* b, const kernels::OpParams& params) override {
    timed(std::string("binary ") + kernels::binary_op_name(op),
          [&] { inner_.binary(op, dtype, loop, out, a, b, params); });
  }
  void where(DType dtype, const kernels::StridedLoop& loop, void* out, const void* cond, const void* a,
             const void* b) override {
    timed("where", [&] { inner_.where(dtype, loop, out, cond, a, b); });
  }
  void cast(DType out_dtype, DType in_dtype, const kernels::StridedLoop& loop, void* out, const void* in) override {
    timed("cast", [&] { inner_.cast(out_dtype, in_dtype, loop, out, in); });
  }
  void fill(DType dtype, void* out, std::int64_t n, double value) override {
    timed("fill", [&] { inner_.fill(dtype, out, n, value); });
  }
  void reduce(kernels::ReduceOp op, DType dtype, const kernels::ReduceLoop& loop, void* out,
              const void* in) override {
    timed("reduce", [&] { inner_.reduce(op, dtype, loop, out, in); });
  }
  void arg_reduce(bool is_max, DType dtype, const kernels::ReduceLoop& loop, void* values, std::int64_t* indices,
                  const void* in) override {
    timed("arg_reduce", [&] { inner_.arg_reduce(is_max, dtype, loop, values, indices, in); });
  }
  void random_uniform(DType dtype, void* out, std::int64_t n, double lo, double hi, std::uint64_t seed,
                      std::uint64_t offset) override {
    timed("random_uniform", [&] { inner_.random_uniform(dtype, out, n, lo, hi, seed, offset); });
  }
  void random_normal(DType dtype, void* out, std::int64_t n, double mean, double stddev, std::uint64_t seed,
                     std::uint64_t offset) override {
    timed("random_normal", [&] { inner_.random_normal(dtype, out, n, mean, stddev, seed, offset); });
  }
  void gemm(DType dtype, const kernels::GemmParams& p, const void* a, const void* b, void* c) override {
    timed(std::string("gemm ") + dims(p.m, p.n, p.k) + (p.trans_a ? " tA" : "") + (p.trans_b ? " tB" : "") +
              (p.batch > 1 ? " batch " + std::to_string(p.batch) : std::string()),
          [&] { inner_.gemm(dtype, p, a, b, c); });
  }
  void conv2d_forward(DType dtype, const kernels::Conv2dParams& p, const void* x, const void* w, const void* bias,
                      void* y) override {
    timed(conv_label("conv2d_forward", p), [&] { inner_.conv2d_forward(dtype, p, x, w, bias, y); });
  }
  void conv2d_backward_input(DType dtype, const kernels::Conv2dParams& p, const void* gy, const void* w,
                             void* gx) override {
    timed(conv_label("conv2d_backward_input", p), [&] { inner_.conv2d_backward_input(dtype, p, gy, w, gx); });
  }
  void conv2d_backward_weight(DType dtype, const kernels::Conv2dParams& p, const void* x, const void* gy,
                              void* gw) override {
    timed(conv_label("conv2d_backward_weight", p), [&] { inner_.conv2d_backward_weight(dtype, p, x, gy, gw); });
  }
  void max_pool2d_forward(DType dtype, const kernels::Pool2dParams& p, const void* x, void* y,
                          std::int64_t* indices) override {
    timed("max_pool2d_forward", [&] { inner_.max_pool2d_forward(dtype, p, x, y, indices); });
  }
  void max_pool2d_backward(DType dtype, const kernels::Pool2dParams& p, const void* gy, const std::int64_t* indices,
                           void* gx) override {
    timed("max_pool2d_backward", [&] { inner_.max_pool2d_backward(dtype, p, gy, indices, gx); });
  }
  void max_pool2d_gather(DType dtype, const kernels::Pool2dParams& p, const void* in, const std::int64_t* indices,
                         void* out) override {
    timed("max_pool2d_gather", [&] { inner_.max_pool2d_gather(dtype, p, in, indices, out); });
  }
  void avg_pool2d_forward(DType dtype, const kernels::Pool2dParams& p, const void* x, void* y) override {
    timed("avg_pool2d_forward", [&] { inner_.avg_pool2d_forward(dtype, p, x, y); });
  }
  void avg_pool2d_backward(DType dtype, const kernels::Pool2dParams& p, const void* gy, void* gx) override {
    timed("avg_pool2d_backward", [&] { inner_.avg_pool2d_backward(dtype, p, gy, gx); });
  }
  void adaptive_avg_pool2d_forward(DType dtype, const kernels::Pool2dParams& p, const void* x, void* y) override {
    timed("adaptive_avg_pool2d_forward", [&] { inner_.adaptive_avg_pool2d_forward(dtype, p, x, y); });
  }
  void adaptive_avg_pool2d_backward(DType dtype, const kernels::Pool2dParams& p, const void* gy, void* gx) override {
    timed("adaptive_avg_pool2d_backward", [&] { inner_.adaptive_avg_pool2d_backward(dtype, p, gy, gx); });
  }
  void softmax(bool log, DType dtype, const kernels::RowLoop& loop, void* out, const void* x) override {
    timed(log ? "log_softmax" : "softmax", [&] { inner_.softmax(log, dtype, loop, out, x); });
  }
  void softmax_backward(bool log, DType dtype, const kernels::RowLoop& loop, void* grad_x, const void* grad_y,
                        const void* y) override {
    timed(log ? "log_softmax_backward" : "softmax_backward",
          [&] { inner_.softmax_backward(log, dtype, loop, grad_x, grad_y, y); });
  }
  void cross_entropy_backward(DType dtype, const kernels::RowLoop& loop, const kernels::CrossEntropyParams& params,
                              void* grad_logits, const void* log_probs, const void* grad_loss,
                              const std::int64_t* labels) override {
    timed("cross_entropy_backward",
          [&] { inner_.cross_entropy_backward(dtype, loop, params, grad_logits, log_probs, grad_loss, labels); });
  }
  void batch_norm_stats(DType dtype, const kernels::BatchNormShape& shape, const void* x, void* mean,
                        void* var) override {
    timed("batch_norm_stats", [&] { inner_.batch_norm_stats(dtype, shape, x, mean, var); });
  }
  void batch_norm_forward(DType dtype, const kernels::BatchNormShape& shape, const void* x, const void* mean,
                          const void* invstd, const void* weight, const void* bias, void* y) override {
    timed("batch_norm_forward", [&] { inner_.batch_norm_forward(dtype, shape, x, mean, invstd, weight, bias, y); });
  }
  void batch_norm_backward(DType dtype, const kernels::BatchNormShape& shape, bool batch_stats, const void* grad_y,
                           const void* x, const void* mean, const void* invstd, const void* weight, void* grad_x,
                           void* grad_weight, void* grad_bias) override {
    timed("batch_norm_backward", [&] {
      inner_.batch_norm_backward(dtype, shape, batch_stats, grad_y, x, mean, invstd, weight, grad_x, grad_weight,
                                 grad_bias);
    });
  }
  kernels::IndexStatus gather(DType dtype, const kernels::IndexLoop& loop, void* dense, const void* indexed,
                              const std::int64_t* index) override {
    return timed("gather", [&] { return inner_.gather(dtype, loop, dense, indexed, index); });
  }
  kernels::IndexStatus scatter_add(DType dtype, const kernels::IndexLoop& loop, void* indexed, const void* dense,
                                   const std::int64_t* index) override {
    return timed("scatter_add", [&] { return inner_.scatter_add(dtype, loop, indexed, dense, index); });
  }
  void sgd_update(DType dtype, const kernels::SgdParams& p, std::int64_t n, void* param, const void* grad,
                  void* momentum) override {
    timed("sgd_update", [&] { inner_.sgd_update(dtype, p, n, param, grad, momentum); });
  }
  void adam_update(DType dtype, const kernels::AdamParams& p, std::int64_t n, void* param, const void* grad,
                   void* exp_avg, void* exp_avg_sq) override {
    timed("adam_update", [&] { inner_.adam_update(dtype, p, n, param, grad, exp_avg, exp_avg_sq); });
  }
  void attack_step(DType dtype, const kernels::AttackStepParams& p, void* x_adv, const void* grad,
                   const void* x) override {
    timed("attack_step", [&] { inner_.attack_step(dtype, p, x_adv, grad, x); });
  }
  void synchronize() override { inner_.synchronize(); }

 private:
  Backend& inner_;
};

}  // namespace

bool cpu_profiling_enabled() {
  static const bool enabled = [] {
    const char* env = std::getenv("ADVGRAD_PROFILE");
    return env != nullptr && *env != '\0' && std::string(env) != "0";
  }();
  return enabled;
}

Backend& cpu_profiling_backend() {
  static ProfilingBackend* const backend = new ProfilingBackend(cpu_fast_backend());
  return *backend;
}

}  // namespace advgrad
