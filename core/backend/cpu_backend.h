#pragma once
// The CPU backends. One class, two personalities: `reference` runs the plain
// loops of kernels/reference, otherwise the fast kernels of kernels/cpu.
// Each kernel family implements its entries in core/backend/cpu_backend_<family>.cpp.
#include "advgrad/core/backend/backend.h"
#include "advgrad/core/backend/caching_allocator.h"

namespace advgrad {

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(bool reference) : reference_(reference) {}
  const char* name() const override { return reference_ ? "cpu-reference" : "cpu"; }
  bool is_reference() const { return reference_; }

  void* allocate(std::size_t nbytes, Device device) override;
  void deallocate(void* ptr, std::size_t nbytes, Device device) override;
  void copy_to_host(void* host_dst, const void* src, std::size_t nbytes, Device device) override;
  void copy_from_host(void* dst, const void* host_src, std::size_t nbytes, Device device) override;

  void unary(kernels::UnaryOp op, DType dtype, const kernels::StridedLoop& loop, void* out, const void* in,
             const kernels::OpParams& params) override;
  void binary(kernels::BinaryOp op, DType dtype, const kernels::StridedLoop& loop, void* out, const void* a,
              const void* b, const kernels::OpParams& params) override;
  void where(DType dtype, const kernels::StridedLoop& loop, void* out, const void* cond, const void* a,
             const void* b) override;
  void cast(DType out_dtype, DType in_dtype, const kernels::StridedLoop& loop, void* out, const void* in) override;
  void fill(DType dtype, void* out, std::int64_t n, double value) override;

  void reduce(kernels::ReduceOp op, DType dtype, const kernels::ReduceLoop& loop, void* out,
              const void* in) override;
  void arg_reduce(bool is_max, DType dtype, const kernels::ReduceLoop& loop, void* values, std::int64_t* indices,
                  const void* in) override;

  void random_uniform(DType dtype, void* out, std::int64_t n, double lo, double hi, std::uint64_t seed,
                      std::uint64_t offset) override;
  void random_normal(DType dtype, void* out, std::int64_t n, double mean, double stddev, std::uint64_t seed,
                     std::uint64_t offset) override;

  void gemm(DType dtype, const kernels::GemmParams& params, const void* a, const void* b, void* c) override;

  // ---- convolution and pooling (core/backend/cpu_backend_conv.cpp) ----
  void conv2d_forward(DType dtype, const kernels::Conv2dParams& p, const void* x, const void* w, const void* bias,
                      void* y) override;
  void conv2d_backward_input(DType dtype, const kernels::Conv2dParams& p, const void* gy, const void* w,
                             void* gx) override;
  void conv2d_backward_weight(DType dtype, const kernels::Conv2dParams& p, const void* x, const void* gy,
                              void* gw) override;
  void max_pool2d_forward(DType dtype, const kernels::Pool2dParams& p, const void* x, void* y,
                          std::int64_t* indices) override;
  void max_pool2d_backward(DType dtype, const kernels::Pool2dParams& p, const void* gy, const std::int64_t* indices,
                           void* gx) override;
  void max_pool2d_gather(DType dtype, const kernels::Pool2dParams& p, const void* in, const std::int64_t* indices,
                         void* out) override;
  void avg_pool2d_forward(DType dtype, const kernels::Pool2dParams& p, const void* x, void* y) override;
  void avg_pool2d_backward(DType dtype, const kernels::Pool2dParams& p, const void* gy, void* gx) override;
  void adaptive_avg_pool2d_forward(DType dtype, const kernels::Pool2dParams& p, const void* x, void* y) override;
  void adaptive_avg_pool2d_backward(DType dtype, const kernels::Pool2dParams& p, const void* gy, void* gx) override;



  // ---- softmax, losses, normalisation, indexing (core/backend/cpu_backend_nn.cpp) ----
  void softmax(bool log, DType dtype, const kernels::RowLoop& loop, void* out, const void* x) override;
  void softmax_backward(bool log, DType dtype, const kernels::RowLoop& loop, void* grad_x, const void* grad_y,
                        const void* y) override;
  void cross_entropy_backward(DType dtype, const kernels::RowLoop& loop, const kernels::CrossEntropyParams& params,
                              void* grad_logits, const void* log_probs, const void* grad_loss,
                              const std::int64_t* labels) override;
  void batch_norm_stats(DType dtype, const kernels::BatchNormShape& shape, const void* x, void* mean,
                        void* var) override;
  void batch_norm_forward(DType dtype, const kernels::BatchNormShape& shape, const void* x, const void* mean,
                          const void* invstd, const void* weight, const void* bias, void* y) override;
  void batch_norm_backward(DType dtype, const kernels::BatchNormShape& shape, bool batch_stats, const void* grad_y,
                           const void* x, const void* mean, const void* invstd, const void* weight, void* grad_x,
                           void* grad_weight, void* grad_bias) override;
  kernels::IndexStatus gather(DType dtype, const kernels::IndexLoop& loop, void* dense, const void* indexed,
                              const std::int64_t* index) override;
  kernels::IndexStatus scatter_add(DType dtype, const kernels::IndexLoop& loop, void* indexed, const void* dense,
                                   const std::int64_t* index) override;

  // ---- fused updates (core/backend/cpu_backend_fused.cpp) ----
  void sgd_update(DType dtype, const kernels::SgdParams& p, std::int64_t n, void* param, const void* grad,
                  void* momentum) override;
  void adam_update(DType dtype, const kernels::AdamParams& p, std::int64_t n, void* param, const void* grad,
                   void* exp_avg, void* exp_avg_sq) override;
  void attack_step(DType dtype, const kernels::AttackStepParams& p, void* x_adv, const void* grad,
                   const void* x) override;

 private:
  bool reference_;
};

// The CPU block cache shared by both CPU backends (tensors of 64 KiB and more;
// core/backend/cpu_backend.cpp): raw_allocations counts the calls that reached
// the system allocator, cache_hits the blocks it handed out again.
MemoryStats cpu_cache_stats();

}  // namespace advgrad
