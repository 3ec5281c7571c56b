// Portable GEMM micro-kernels (4 x 8 tiles) for processors without AVX2+FMA.
// Plain C++ the compiler may vectorise for the baseline ISA (SSE2). Same
// contract as the SIMD kernels; rounding differs (separate multiply and add).
#include <cstdint>
#include <utility>

#include "advgrad/kernels/cpu/gemm_microkernels.h"

namespace advgrad::kernels::cpu::gemm_detail {
namespace {

constexpr int kMr = 4, kNr = 8;

template <typename T, int Rows>
void scalar_kernel(std::int64_t kc, const T* a, const T* b, T* c, std::int64_t ldc, T alpha, T beta) {
  T acc[Rows][kNr] = {};
  for (std::int64_t p = 0; p < kc; ++p) {
    for (int i = 0; i < Rows; ++i) {
      const T ai = a[i];
      for (int j = 0; j < kNr; ++j) acc[i][j] += ai * b[j];
    }
    a += kMr;
    b += kNr;
  }
  for (int i = 0; i < Rows; ++i) {
    T* ci = c + i * ldc;
    for (int j = 0; j < kNr; ++j) {
      const T r = alpha * acc[i][j];
      ci[j] = beta == T(0) ? r : beta * ci[j] + r;
    }
  }
}

template <typename T>
void pack_transposed(const T* src, std::int64_t ld, std::int64_t rows, std::int64_t kc, int width, T* dst) {
  for (std::int64_t r = 0; r < width; ++r)
    for (std::int64_t l = 0; l < kc; ++l) dst[l * width + r] = r < rows ? src[r * ld + l] : T(0);
}

template <typename T>
void pack_copy(const T* src, std::int64_t ld, std::int64_t cols, std::int64_t kc, int width, T* dst) {
  for (std::int64_t l = 0; l < kc; ++l)
    for (std::int64_t c = 0; c < width; ++c) dst[l * width + c] = c < cols ? src[l * ld + c] : T(0);
}

template <typename T, int... R>
KernelSet<T> make_set(std::integer_sequence<int, R...>) {
  KernelSet<T> s;
  s.name = "scalar";
  s.mr = kMr;
  s.nr = kNr;
  s.kc = 256;
  s.mc = 128;
  s.nc = 2048;
  ((s.kernel[R] = &scalar_kernel<T, R + 1>), ...);
  s.pack_transposed = &pack_transposed<T>;
  s.pack_copy = &pack_copy<T>;
  return s;
}

}  // namespace

const KernelSet<float>& scalar_kernels_f32() {
  static const KernelSet<float> s = make_set<float>(std::make_integer_sequence<int, kMr>{});
  return s;
}
const KernelSet<double>& scalar_kernels_f64() {
  static const KernelSet<double> s = make_set<double>(std::make_integer_sequence<int, kMr>{});
  return s;
}

}  // namespace advgrad::kernels::cpu::gemm_detail
