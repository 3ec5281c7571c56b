// The CUDA backend: every Backend entry on a CUDA device, dispatched by dtype
// to the hand-written kernels of kernels/cuda/.
//
// Compiled twice (kernels/cuda/namespace.h): into a CUDA build of the library
// against the real runtime, where it registers itself as the default CUDA
// runtime (detail::gpu_cuda_runtime), and into advgrad_cuda_emulated against
// the SIMT emulator, where advgrad::cuda::use_emulated_device() registers it.
// Everything here is in an anonymous namespace, so the two copies never meet.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "advgrad/core/backend/backend.h"
#include "advgrad/core/backend/caching_allocator.h"
#include "advgrad/core/backend/cuda.h"
#include "advgrad/core/dtype.h"
#include "advgrad/core/error.h"
#include "advgrad/kernels/cuda/batch_norm.h"
#include "advgrad/kernels/cuda/conv.h"
#include "advgrad/kernels/cuda/elementwise.h"
#include "advgrad/kernels/cuda/fused.h"
#include "advgrad/kernels/cuda/gemm.h"
#include "advgrad/kernels/cuda/index.h"
#include "advgrad/kernels/cuda/pool.h"
#include "advgrad/kernels/cuda/reduce.h"
#include "advgrad/kernels/cuda/runtime.h"
#include "advgrad/kernels/cuda/softmax.h"
#if defined(ADVGRAD_CUDA_EMULATED)
#include "advgrad/core/backend/cuda/emulated.h"
#endif
// cuDNN is reachable from the GPU copy of a build configured with ADVGRAD_CUDNN
// only (ADVGRAD_WITH_CUDNN is defined for the advgrad target alone, and the
// emulated copy defines ADVGRAD_CUDA_EMULATED).
#if defined(ADVGRAD_WITH_CUDNN) && !defined(ADVGRAD_CUDA_EMULATED)
#define ADVGRAD_BACKEND_HAS_CUDNN 1
#include "advgrad/kernels/cuda/cudnn/cudnn_ops.h"
#endif

namespace advgrad {
namespace {

namespace cu = kernels::cuda;

// Runs f, turning the kernels' errors (cu::CudaError, and the emulator's
// simt::KernelError for a faulty kernel) into advgrad::Error naming the op.
template <typename F>
decltype(auto) guarded(const char* op, F&& f) {
  try {
    return f();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    detail::fail(op, " on cuda: ", e.what());
  }
}

cu::ConvKernel conv_kernel() {
  return cuda::conv_algorithm() == cuda::ConvAlgorithm::Direct ? cu::ConvKernel::Direct : cu::ConvKernel::ImplicitGemm;
}

// True when `op` should run on cuDNN. Where this copy of the backend cannot
// reach cuDNN, choosing it is a user's error, reported when a conv runs
// (rather than silently running another algorithm in its place).
bool conv_uses_cudnn([[maybe_unused]] const char* op) {
  if (cuda::conv_algorithm() != cuda::ConvAlgorithm::Cudnn) return false;
#if defined(ADVGRAD_BACKEND_HAS_CUDNN)
  return true;
#elif defined(ADVGRAD_CUDA_EMULATED)
  detail::fail(op, " on cuda: the cuDNN backend is not available on the emulated device",
               " (choose cuda::ConvAlgorithm::ImplicitGemm or Direct)");
#else
  detail::fail(op, " on cuda: the cuDNN backend is not in this build",
               " (configure with ADVGRAD_CUDNN=ON where cuDNN is installed)");
#endif
}

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(int index)
      : index_(index),
        allocator_([index](std::size_t n) {
                     cu::set_device(index);
                     return cu::device_malloc(n);
                   },
                   [index](void* p) {
                     cu::set_device(index);
                     cu::device_free(p);
                   },
                   caching_enabled()) {}

  const char* name() const override { return cu::flavour(); }
  CachingAllocator& allocator() { return allocator_; }

  // ---- memory ----
  void* allocate(std::size_t nbytes, Device) override {
    return guarded("allocate", [&] { return allocator_.allocate(nbytes); });
  }
  void deallocate(void* ptr, std::size_t, Device) override { allocator_.deallocate(ptr); }
  void copy_to_host(void* dst, const void* src, std::size_t n, Device) override {
    guarded("copy to host", [&] { cu::copy_device_to_host(dst, src, n); });
  }
  void copy_from_host(void* dst, const void* src, std::size_t n, Device) override {
    guarded("copy from host", [&] { cu::copy_host_to_device(dst, src, n); });
  }
  void synchronize() override {
    guarded("synchronize", [&] { cu::synchronize("cudaDeviceSynchronize"); });
  }

  // ---- elementwise ----
  void unary(kernels::UnaryOp op, DType dtype, const kernels::StridedLoop& loop, void* out, const void* in,
             const kernels::OpParams& p) override {
    dispatch_floating(dtype, kernels::unary_op_name(op), [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded(kernels::unary_op_name(op),
              [&] { cu::unary<T>(op, loop, static_cast<T*>(out), static_cast<const T*>(in), p); });
    });
  }
  void binary(kernels::BinaryOp op, DType dtype, const kernels::StridedLoop& loop, void* out, const void* a,
              const void* b, const kernels::OpParams& p) override {
    dispatch_all(dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded(kernels::binary_op_name(op), [&] {
        cu::binary<T>(op, loop, static_cast<T*>(out), static_cast<const T*>(a), static_cast<const T*>(b), p);
      });
    });
  }
  void where(DType dtype, const kernels::StridedLoop& loop, void* out, const void* cond, const void* a,
             const void* b) override {
    dispatch_floating(dtype, "where", [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded("where", [&] {
        cu::where<T>(loop, static_cast<T*>(out), static_cast<const T*>(cond), static_cast<const T*>(a),
                     static_cast<const T*>(b));
      });
    });
  }
  void cast(DType out_dtype, DType in_dtype, const kernels::StridedLoop& loop, void* out, const void* in) override {
    dispatch_all(out_dtype, [&](auto out_tag) {
      using To = typename decltype(out_tag)::type;
      dispatch_all(in_dtype, [&](auto in_tag) {
        using From = typename decltype(in_tag)::type;
        guarded("cast", [&] { cu::cast<To, From>(loop, static_cast<To*>(out), static_cast<const From*>(in)); });
      });
    });
  }
  void fill(DType dtype, void* out, std::int64_t n, double value) override {
    dispatch_all(dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded("fill", [&] { cu::fill<T>(static_cast<T*>(out), n, static_cast<T>(value)); });
    });
  }

  // ---- reductions ----
  void reduce(kernels::ReduceOp op, DType dtype, const kernels::ReduceLoop& loop, void* out,
              const void* in) override {
    dispatch_floating(dtype, "reduce", [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded("reduce", [&] { cu::reduce<T>(op, loop, static_cast<T*>(out), static_cast<const T*>(in)); });
    });
  }
  void arg_reduce(bool is_max, DType dtype, const kernels::ReduceLoop& loop, void* values, std::int64_t* indices,
                  const void* in) override {
    const char* op = is_max ? "argmax" : "argmin";
    dispatch_floating(dtype, op, [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded(op, [&] {
        cu::arg_reduce<T>(is_max, loop, static_cast<T*>(values), indices, static_cast<const T*>(in));
      });
    });
  }

  // ---- random ----
  void random_uniform(DType dtype, void* out, std::int64_t n, double lo, double hi, std::uint64_t seed,
                      std::uint64_t offset) override {
    dispatch_floating(dtype, "uniform", [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded("uniform", [&] { cu::random_uniform<T>(static_cast<T*>(out), n, lo, hi, seed, offset); });
    });
  }
  void random_normal(DType dtype, void* out, std::int64_t n, double mean, double stddev, std::uint64_t seed,
                     std::uint64_t offset) override {
    dispatch_floating(dtype, "normal", [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded("normal", [&] { cu::random_normal<T>(static_cast<T*>(out), n, mean, stddev, seed, offset); });
    });
  }

  // ---- GEMM: cuBLAS on a GPU unless the tiled kernel is asked for ----
  void gemm(DType dtype, const kernels::GemmParams& p, const void* a, const void* b, void* c) override {
    dispatch_floating(dtype, "gemm", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const auto* A = static_cast<const T*>(a);
      const auto* B = static_cast<const T*>(b);
      auto* C = static_cast<T*>(c);
      guarded("gemm", [&] {
#if !defined(ADVGRAD_CUDA_EMULATED)
        if (cuda::gemm_algorithm() == cuda::GemmAlgorithm::Cublas) return cu::gemm_cublas<T>(p, A, B, C);
#endif
        cu::gemm_tiled<T>(p, A, B, C);
      });
    });
  }

  // ---- convolution and pooling ----
  void conv2d_forward(DType dtype, const kernels::Conv2dParams& p, const void* x, const void* w, const void* bias,
                      void* y) override {
    dispatch_floating(dtype, "conv2d", [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded("conv2d", [&] {
        if (conv_uses_cudnn("conv2d")) {
#if defined(ADVGRAD_BACKEND_HAS_CUDNN)
          return cu::cudnn::conv2d_forward<T>(p, static_cast<const T*>(x), static_cast<const T*>(w),
                                              static_cast<const T*>(bias), static_cast<T*>(y));
#endif
        }
        cu::conv2d_forward<T>(conv_kernel(), p, static_cast<const T*>(x), static_cast<const T*>(w),
                              static_cast<const T*>(bias), static_cast<T*>(y));
      });
    });
  }
  void conv2d_backward_input(DType dtype, const kernels::Conv2dParams& p, const void* gy, const void* w,
                             void* gx) override {
    dispatch_floating(dtype, "conv2d_backward_input", [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded("conv2d_backward_input", [&] {
        if (conv_uses_cudnn("conv2d_backward_input")) {
#if defined(ADVGRAD_BACKEND_HAS_CUDNN)
          return cu::cudnn::conv2d_backward_input<T>(p, static_cast<const T*>(gy), static_cast<const T*>(w),
                                                     static_cast<T*>(gx));
#endif
        }
        cu::conv2d_backward_input<T>(conv_kernel(), p, static_cast<const T*>(gy), static_cast<const T*>(w),
                                     static_cast<T*>(gx));
      });
    });
  }
  void conv2d_backward_weight(DType dtype, const kernels::Conv2dParams& p, const void* x, const void* gy,
                              void* gw) override {
    dispatch_floating(dtype, "conv2d_backward_weight", [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded("conv2d_backward_weight", [&] {
        if (conv_uses_cudnn("conv2d_backward_weight")) {
#if defined(ADVGRAD_BACKEND_HAS_CUDNN)
          return cu::cudnn::conv2d_backward_weight<T>(p, static_cast<const T*>(x), static_cast<const T*>(gy),
                                                      static_cast<T*>(gw));
#endif
        }
        cu::conv2d_backward_weight<T>(conv_kernel(), p, static_cast<const T*>(x), static_cast<const T*>(gy),
                                      static_cast<T*>(gw));
      });
    });
  }
  void max_pool2d_forward(DType dtype, const kernels::Pool2dParams& p, const void* x, void* y,
                          std::int64_t* indices) override {
    dispatch_floating(dtype, "max_pool2d", [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded("max_pool2d",
              [&] { cu::max_pool2d_forward<T>(p, static_cast<const T*>(x), static_cast<T*>(y), indices); });
    });
  }
  void max_pool2d_backward(DType dtype, const kernels::Pool2dParams& p, const void* gy, const std::int64_t* indices,
                           void* gx) override {
    dispatch_floating(dtype, "max_pool2d_backward", [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded("max_pool2d_backward",
              [&] { cu::max_pool2d_backward<T>(p, static_cast<const T*>(gy), indices, static_cast<T*>(gx)); });
    });
  }
  void max_pool2d_gather(DType dtype, const kernels::Pool2dParams& p, const void* in, const std::int64_t* indices,
                         void* out) override {
    dispatch_floating(dtype, "max_pool2d_gather", [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded("max_pool2d_gather",
              [&] { cu::max_pool2d_gather<T>(p, static_cast<const T*>(in), indices, static_cast<T*>(out)); });
    });
  }
  void avg_pool2d_forward(DType dtype, const kernels::Pool2dParams& p, const void* x, void* y) override {
    dispatch_floating(dtype, "avg_pool2d", [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded("avg_pool2d", [&] { cu::avg_pool2d_forward<T>(p, static_cast<const T*>(x), static_cast<T*>(y)); });
    });
  }
  void avg_pool2d_backward(DType dtype, const kernels::Pool2dParams& p, const void* gy, void* gx) override {
    dispatch_floating(dtype, "avg_pool2d_backward", [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded("avg_pool2d_backward",
              [&] { cu::avg_pool2d_backward<T>(p, static_cast<const T*>(gy), static_cast<T*>(gx)); });
    });
  }
  void adaptive_avg_pool2d_forward(DType dtype, const kernels::Pool2dParams& p, const void* x, void* y) override {
    dispatch_floating(dtype, "adaptive_avg_pool2d", [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded("adaptive_avg_pool2d",
              [&] { cu::adaptive_avg_pool2d_forward<T>(p, static_cast<const T*>(x), static_cast<T*>(y)); });
    });
  }
  void adaptive_avg_pool2d_backward(DType dtype, const kernels::Pool2dParams& p, const void* gy, void* gx) override {
    dispatch_floating(dtype, "adaptive_avg_pool2d_backward", [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded("adaptive_avg_pool2d_backward",
              [&] { cu::adaptive_avg_pool2d_backward<T>(p, static_cast<const T*>(gy), static_cast<T*>(gx)); });
    });
  }

  // ---- softmax, losses, normalisation, indexing ----
  void softmax(bool log, DType dtype, const kernels::RowLoop& loop, void* out, const void* x) override {
    const char* op = log ? "log_softmax" : "softmax";
    dispatch_floating(dtype, op, [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded(op, [&] { cu::softmax<T>(log, loop, static_cast<T*>(out), static_cast<const T*>(x)); });
    });
  }
  void softmax_backward(bool log, DType dtype, const kernels::RowLoop& loop, void* grad_x, const void* grad_y,
                        const void* y) override {
    const char* op = log ? "log_softmax_backward" : "softmax_backward";
    dispatch_floating(dtype, op, [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded(op, [&] {
        cu::softmax_backward<T>(log, loop, static_cast<T*>(grad_x), static_cast<const T*>(grad_y),
                                static_cast<const T*>(y));
      });
    });
  }
  void cross_entropy_backward(DType dtype, const kernels::RowLoop& loop, const kernels::CrossEntropyParams& params,
                              void* grad_logits, const void* log_probs, const void* grad_loss,
                              const std::int64_t* labels) override {
    dispatch_floating(dtype, "cross_entropy_backward", [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded("cross_entropy_backward", [&] {
        cu::cross_entropy_backward<T>(loop, params, static_cast<T*>(grad_logits), static_cast<const T*>(log_probs),
                                      static_cast<const T*>(grad_loss), labels);
      });
    });
  }
  void batch_norm_stats(DType dtype, const kernels::BatchNormShape& shape, const void* x, void* mean,
                        void* var) override {
    dispatch_floating(dtype, "batch_norm", [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded("batch_norm", [&] {
        cu::batch_norm_stats<T>(shape, static_cast<const T*>(x), static_cast<T*>(mean), static_cast<T*>(var));
      });
    });
  }
  void batch_norm_forward(DType dtype, const kernels::BatchNormShape& shape, const void* x, const void* mean,
                          const void* invstd, const void* weight, const void* bias, void* y) override {
    dispatch_floating(dtype, "batch_norm", [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded("batch_norm", [&] {
        cu::batch_norm_forward<T>(shape, static_cast<const T*>(x), static_cast<const T*>(mean),
                                  static_cast<const T*>(invstd), static_cast<const T*>(weight),
                                  static_cast<const T*>(bias), static_cast<T*>(y));
      });
    });
  }
  void batch_norm_backward(DType dtype, const kernels::BatchNormShape& shape, bool batch_stats, const void* grad_y,
                           const void* x, const void* mean, const void* invstd, const void* weight, void* grad_x,
                           void* grad_weight, void* grad_bias) override {
    dispatch_floating(dtype, "batch_norm_backward", [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded("batch_norm_backward", [&] {
        cu::batch_norm_backward<T>(shape, batch_stats, static_cast<const T*>(grad_y), static_cast<const T*>(x),
                                   static_cast<const T*>(mean), static_cast<const T*>(invstd),
                                   static_cast<const T*>(weight), static_cast<T*>(grad_x),
                                   static_cast<T*>(grad_weight), static_cast<T*>(grad_bias));
      });
    });
  }
  kernels::IndexStatus gather(DType dtype, const kernels::IndexLoop& loop, void* dense, const void* indexed,
                              const std::int64_t* index) override {
    return dispatch_all(dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      return guarded("gather", [&] {
        return cu::gather<T>(loop, static_cast<T*>(dense), static_cast<const T*>(indexed), index);
      });
    });
  }
  kernels::IndexStatus scatter_add(DType dtype, const kernels::IndexLoop& loop, void* indexed, const void* dense,
                                   const std::int64_t* index) override {
    return dispatch_all(dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      return guarded("scatter_add", [&] {
        return cu::scatter_add<T>(loop, static_cast<T*>(indexed), static_cast<const T*>(dense), index);
      });
    });
  }

  // ---- fused updates ----
  void sgd_update(DType dtype, const kernels::SgdParams& p, std::int64_t n, void* param, const void* grad,
                  void* momentum) override {
    dispatch_floating(dtype, "sgd_update", [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded("sgd_update", [&] {
        cu::sgd_update<T>(p, n, static_cast<T*>(param), static_cast<const T*>(grad), static_cast<T*>(momentum));
      });
    });
  }
  void adam_update(DType dtype, const kernels::AdamParams& p, std::int64_t n, void* param, const void* grad,
                   void* exp_avg, void* exp_avg_sq) override {
    dispatch_floating(dtype, "adam_update", [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded("adam_update", [&] {
        cu::adam_update<T>(p, n, static_cast<T*>(param), static_cast<const T*>(grad), static_cast<T*>(exp_avg),
                           static_cast<T*>(exp_avg_sq));
      });
    });
  }
  void attack_step(DType dtype, const kernels::AttackStepParams& p, void* x_adv, const void* grad,
                   const void* x) override {
    dispatch_floating(dtype, "attack_step", [&](auto tag) {
      using T = typename decltype(tag)::type;
      guarded("attack_step", [&] {
        cu::attack_step<T>(p, static_cast<T*>(x_adv), static_cast<const T*>(grad), static_cast<const T*>(x));
      });
    });
  }

 private:
  // ADVGRAD_CUDA_CACHING=0 sends every allocation to cudaMalloc at its exact
  // size (like PYTORCH_NO_CUDA_MEMORY_CACHING), so sanitizers see each tensor.
  static bool caching_enabled() {
    const char* env = std::getenv("ADVGRAD_CUDA_CACHING");
    return env == nullptr || std::string(env) != "0";
  }

  int index_;
  CachingAllocator allocator_;
};

// The devices of one flavour. Backends are created on first use and never
// destroyed: tensors freed during static destruction still find their
// allocator (the same reason PyTorch never frees its CUDA allocator).
class FlavourRuntime final : public CudaRuntime {
 public:
  std::string name() const override { return cu::flavour(); }
  int device_count() override { return query().count; }
  std::string unavailable_reason() override { return query().reason; }
  std::string device_name(int index) override {
    return guarded("device_name", [&] { return cu::device_name(index); });
  }
  Backend& backend(int index) override { return device(index); }
  MemoryStats memory_stats(int index) override { return device(index).allocator().stats(); }
  void reset_peak_memory_stats(int index) override { device(index).allocator().reset_peak(); }
  void empty_cache() override {
    std::lock_guard lock(mutex_);
    for (CudaBackend* b : backends_)
      if (b != nullptr) guarded("empty_cache", [&] { b->allocator().empty_cache(); });
  }
  double time_ms(int index, const std::function<void()>& work) override {
    device(index);  // checks the index
    return guarded("time_ms", [&] {
      cu::set_device(index);
      cu::DeviceTimer timer;
      timer.start();
      work();
      return timer.stop_ms();
    });
  }

 private:
  const cu::DeviceQuery& query() {
    std::call_once(queried_, [this] { query_ = cu::query_devices(); });
    return query_;
  }
  CudaBackend& device(int index) {
    const cu::DeviceQuery& q = query();
    ADVGRAD_CHECK(q.count > 0, "device cuda:", index, ": no CUDA device is available (", q.reason,
                  "); use the CPU, or run on a machine with an NVIDIA GPU and driver");
    ADVGRAD_CHECK(index >= 0 && index < q.count, "device cuda:", index, ": no such device (", q.count,
                  " CUDA device(s) present)");
    std::lock_guard lock(mutex_);
    if (backends_.empty()) backends_.resize(static_cast<std::size_t>(q.count), nullptr);
    CudaBackend*& b = backends_[static_cast<std::size_t>(index)];
    if (b == nullptr) b = new CudaBackend(index);  // intentionally leaked, see above
    return *b;
  }

  std::once_flag queried_;
  cu::DeviceQuery query_;
  std::mutex mutex_;
  std::vector<CudaBackend*> backends_;
};

FlavourRuntime& flavour_runtime() {
  static auto* runtime = new FlavourRuntime;  // leaked on purpose, like the backends
  return *runtime;
}

}  // namespace

#if defined(ADVGRAD_CUDA_EMULATED)
void cuda::use_emulated_device() { register_cuda_runtime(&flavour_runtime()); }
#else
CudaRuntime& detail::gpu_cuda_runtime() { return flavour_runtime(); }
#endif

}  // namespace advgrad
