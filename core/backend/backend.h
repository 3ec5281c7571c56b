#pragma once
// Backend: the dispatch table between core/ ops and kernels/. An op checks its
// arguments once, builds the plain loop structs of kernels/, and calls the
// backend of its tensors' device. Each entry takes raw pointers and a DType.
//
// CPU has two backends: the fast one (default) and the reference one (plain
// loops), selectable per thread with ReferenceKernelsGuard — which is how tests
// compare every op end to end against the oracle and how benchmarks print the
// reference-vs-fast ratio of a whole network.
//
// Sections are grouped by kernel family; a new family adds its entries here,
// implements them in core/backend/cpu_backend_<family>.cpp and in the CUDA backend.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "advgrad/core/backend/cpu_settings.h"
#include "advgrad/core/device.h"
#include "advgrad/core/dtype.h"
#include "advgrad/kernels/batch_norm_params.h"
#include "advgrad/kernels/conv_params.h"
#include "advgrad/kernels/elementwise_ops.h"
#include "advgrad/kernels/fused_params.h"
#include "advgrad/kernels/gemm_params.h"
#include "advgrad/kernels/index_params.h"
#include "advgrad/kernels/loops.h"
#include "advgrad/kernels/reduce_ops.h"
#include "advgrad/kernels/softmax_params.h"

namespace advgrad {

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;

  // ---- memory ----
  virtual void* allocate(std::size_t nbytes, Device device) = 0;
  virtual void deallocate(void* ptr, std::size_t nbytes, Device device) = 0;
  // Host <-> this backend's memory, contiguous bytes.
  virtual void copy_to_host(void* host_dst, const void* src, std::size_t nbytes, Device device) = 0;
  virtual void copy_from_host(void* dst, const void* host_src, std::size_t nbytes, Device device) = 0;

  // ---- elementwise (loop operand 0 is the output) ----
  virtual void unary(kernels::UnaryOp op, DType dtype, const kernels::StridedLoop& loop, void* out, const void* in,
                     const kernels::OpParams& params) = 0;
  virtual void binary(kernels::BinaryOp op, DType dtype, const kernels::StridedLoop& loop, void* out, const void* a,
                      const void* b, const kernels::OpParams& params) = 0;
  virtual void where(DType dtype, const kernels::StridedLoop& loop, void* out, const void* cond, const void* a,
                     const void* b) = 0;
  virtual void cast(DType out_dtype, DType in_dtype, const kernels::StridedLoop& loop, void* out, const void* in) = 0;
  // out (contiguous) = value
  virtual void fill(DType dtype, void* out, std::int64_t n, double value) = 0;

  // ---- reductions (output contiguous) ----
  virtual void reduce(kernels::ReduceOp op, DType dtype, const kernels::ReduceLoop& loop, void* out,
                      const void* in) = 0;
  virtual void arg_reduce(bool is_max, DType dtype, const kernels::ReduceLoop& loop, void* values,
                          std::int64_t* indices, const void* in) = 0;

  // ---- random: counter-based Philox, so every backend draws the same bits ----
  // out (contiguous, n elements) from the stream (seed, offset).
  virtual void random_uniform(DType dtype, void* out, std::int64_t n, double lo, double hi, std::uint64_t seed,
                              std::uint64_t offset) = 0;
  virtual void random_normal(DType dtype, void* out, std::int64_t n, double mean, double stddev,
                             std::uint64_t seed, std::uint64_t offset) = 0;

  // ---- GEMM: C = alpha * op(A) op(B) + beta * C, batched, row-major ----
  virtual void gemm(DType dtype, const kernels::GemmParams& params, const void* a, const void* b, void* c) = 0;

  // ---- convolution and pooling ----
  // Contiguous NCHW buffers; the math and the max-pool tie rule are in
  // kernels/reference/conv.h and kernels/reference/pool.h. Outputs are overwritten.
  virtual void conv2d_forward(DType dtype, const kernels::Conv2dParams& p, const void* x, const void* w,
                              const void* bias /* nullable */, void* y) = 0;
  virtual void conv2d_backward_input(DType dtype, const kernels::Conv2dParams& p, const void* gy, const void* w,
                                     void* gx) = 0;
  virtual void conv2d_backward_weight(DType dtype, const kernels::Conv2dParams& p, const void* x, const void* gy,
                                      void* gw) = 0;
  virtual void max_pool2d_forward(DType dtype, const kernels::Pool2dParams& p, const void* x, void* y,
                                  std::int64_t* indices) = 0;
  // gx = scatter-add of gy at the argmax indices; gather is its adjoint (out = in at indices).
  virtual void max_pool2d_backward(DType dtype, const kernels::Pool2dParams& p, const void* gy,
                                   const std::int64_t* indices, void* gx) = 0;
  virtual void max_pool2d_gather(DType dtype, const kernels::Pool2dParams& p, const void* in,
                                 const std::int64_t* indices, void* out) = 0;
  virtual void avg_pool2d_forward(DType dtype, const kernels::Pool2dParams& p, const void* x, void* y) = 0;
  virtual void avg_pool2d_backward(DType dtype, const kernels::Pool2dParams& p, const void* gy, void* gx) = 0;
  virtual void adaptive_avg_pool2d_forward(DType dtype, const kernels::Pool2dParams& p, const void* x, void* y) = 0;
  virtual void adaptive_avg_pool2d_backward(DType dtype, const kernels::Pool2dParams& p, const void* gy,
                                            void* gx) = 0;



  // ---- softmax, losses, normalisation, indexing ----
  // Softmax (log = false) or log-softmax along rows (kernels/softmax_params.h).
  // Operands: 0 = out, 1 = x.
  virtual void softmax(bool log, DType dtype, const kernels::RowLoop& loop, void* out, const void* x) = 0;
  // Operands: 0 = grad_x, 1 = grad_y, 2 = y (the forward output).
  virtual void softmax_backward(bool log, DType dtype, const kernels::RowLoop& loop, void* grad_x,
                                const void* grad_y, const void* y) = 0;
  // Gradient of (label-smoothed) cross-entropy w.r.t. the logits. Operands:
  // 0 = grad_logits, 1 = log_probs, 2 = grad_loss (per row), 3 = labels (int64, validated).
  virtual void cross_entropy_backward(DType dtype, const kernels::RowLoop& loop,
                                      const kernels::CrossEntropyParams& params, void* grad_logits,
                                      const void* log_probs, const void* grad_loss,
                                      const std::int64_t* labels) = 0;
  // Batch norm over a contiguous [N, C, S] input: biased per-channel stats,
  // normalise + affine, and the backward (null outputs / weight / bias allowed).
  virtual void batch_norm_stats(DType dtype, const kernels::BatchNormShape& shape, const void* x, void* mean,
                                void* var) = 0;
  virtual void batch_norm_forward(DType dtype, const kernels::BatchNormShape& shape, const void* x,
                                  const void* mean, const void* invstd, const void* weight, const void* bias,
                                  void* y) = 0;
  virtual void batch_norm_backward(DType dtype, const kernels::BatchNormShape& shape, bool batch_stats,
                                   const void* grad_y, const void* x, const void* mean, const void* invstd,
                                   const void* weight, void* grad_x, void* grad_weight, void* grad_bias) = 0;
  // Gather / scatter-add along one dim (kernels/index_params.h); float32,
  // float64 and int64 data. Bad indices are reported, never dereferenced.
  virtual kernels::IndexStatus gather(DType dtype, const kernels::IndexLoop& loop, void* dense,
                                      const void* indexed, const std::int64_t* index) = 0;
  virtual kernels::IndexStatus scatter_add(DType dtype, const kernels::IndexLoop& loop, void* indexed,
                                           const void* dense, const std::int64_t* index) = 0;

  // ---- fused updates (kernels/fused_params.h has the math) ----
  // Contiguous buffers of p.rows * p.row_size (attack) or n (optimizers)
  // elements, updated in place; momentum may be null when p.momentum == 0.
  virtual void sgd_update(DType dtype, const kernels::SgdParams& p, std::int64_t n, void* param, const void* grad,
                          void* momentum) = 0;
  virtual void adam_update(DType dtype, const kernels::AdamParams& p, std::int64_t n, void* param, const void* grad,
                           void* exp_avg, void* exp_avg_sq) = 0;
  virtual void attack_step(DType dtype, const kernels::AttackStepParams& p, void* x_adv, const void* grad,
                           const void* x) = 0;

  // Waits for the device's queued work (a no-op on the CPU, whose kernels are synchronous).
  virtual void synchronize() {}
};

// The backend for a device. CPU: fast unless a ReferenceKernelsGuard
// (cpu_settings.h) is active on this thread. CUDA: throws advgrad::Error when the build has no CUDA or no
// GPU is present.
Backend& backend_for(Device device);
Backend& cpu_fast_backend();
Backend& cpu_reference_backend();

// What a CUDA backend (core/backend/cuda/) registers with core/: its devices, their
// backends and memory. The real one is registered by a CUDA build of the
// library; the SIMT emulator's by advgrad::cuda::use_emulated_device().
struct MemoryStats;
class CudaRuntime {
 public:
  virtual ~CudaRuntime() = default;
  virtual std::string name() const = 0;  // "cuda" or "emulated"
  virtual int device_count() = 0;
  virtual std::string unavailable_reason() = 0;  // why device_count() is 0
  virtual std::string device_name(int index) = 0;
  virtual Backend& backend(int index) = 0;  // throws advgrad::Error when unavailable
  virtual MemoryStats memory_stats(int index) = 0;
  virtual void reset_peak_memory_stats(int index) = 0;
  virtual void empty_cache() = 0;
  // Device time of `work` in milliseconds (CUDA events around it).
  virtual double time_ms(int index, const std::function<void()>& work) = 0;
};
void register_cuda_runtime(CudaRuntime* runtime);  // replaces the current one
CudaRuntime* registered_cuda_runtime();            // null in a build without CUDA
namespace detail {
CudaRuntime& gpu_cuda_runtime();  // defined by a CUDA build (core/backend/cuda/cuda_backend.cpp)
}

}  // namespace advgrad
