#include "advgrad/kernels/cpu/index.h"

#include <algorithm>
#include <mutex>

#include "advgrad/kernels/cpu/elementwise.h"
#include "advgrad/kernels/cpu/parallel.h"

namespace advgrad::kernels::cpu {
namespace {

// Operand slots of the coalesced loop. kPosition walks the row-major position
// of the iteration space, so a bad index can be reported exactly as the
// reference reports it (the first one in row-major order).
constexpr int kDense = 0, kIndex = 1, kIndexed = 2, kPosition = 3;

struct Plan {
  StridedLoop rest;            // every dim but `dim`, coalesced
  std::int64_t k_size = 1;     // extent of the addressed dim in the iteration space
  std::int64_t k_strides[4] = {};
};

Plan make_plan(const IndexLoop& p) {
  Plan plan;
  std::int64_t position_stride[kMaxDims];
  std::int64_t s = 1;
  for (int d = p.ndim - 1; d >= 0; --d) {
    position_stride[d] = s;
    s *= p.sizes[d];
  }
  StridedLoop rest;
  for (int d = 0; d < p.ndim; ++d) {
    const std::int64_t st[4] = {p.dense_strides[d], p.index_strides[d], p.indexed_strides[d], position_stride[d]};
    if (d == p.dim) {
      plan.k_size = p.sizes[d];
      for (int k = 0; k < 4; ++k) plan.k_strides[k] = st[k];
      continue;
    }
    rest.sizes[rest.ndim] = p.sizes[d];
    for (int k = 0; k < 4; ++k) rest.strides[k][rest.ndim] = st[k];
    ++rest.ndim;
  }
  plan.rest = coalesce(rest, 4);
  return plan;
}

// Keeps the first (lowest position) bad index seen by any thread.
class BadIndex {
 public:
  void report(const IndexStatus& s) {
    if (s.ok()) return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (first_.ok() || s.position < first_.position) first_ = s;
  }
  IndexStatus get() const { return first_; }

 private:
  std::mutex mutex_;
  IndexStatus first_;
};

template <bool Scatter, typename T>
IndexStatus index_loop(const IndexLoop& p, T* dense, T* indexed, const std::int64_t* index) {
  for (int d = 0; d < p.ndim; ++d)
    if (p.sizes[d] == 0) return {};
  const Plan plan = make_plan(p);
  const StridedLoop& rest = plan.rest;
  const int last = rest.ndim - 1;
  const std::int64_t J = rest.sizes[last];
  const std::int64_t s_dense = rest.strides[kDense][last], s_index = rest.strides[kIndex][last],
                     s_indexed = rest.strides[kIndexed][last], s_pos = rest.strides[kPosition][last];
  std::int64_t R = 1;
  for (int d = 0; d < last; ++d) R *= rest.sizes[d];
  const std::int64_t K = plan.k_size;
  const std::int64_t* ks = plan.k_strides;
  const std::int64_t limit = p.indexed_size;

  // Tasks: (row r, block of the tight dim, block of k). scatter_add keeps all
  // of k in one task (that is what makes it race-free and ordered).
  const std::int64_t jb = J <= 4096 ? J : 2048;
  const std::int64_t j_blocks = (J + jb - 1) / jb;
  const std::int64_t kb = Scatter ? K : std::clamp<std::int64_t>(16384 / jb, 1, K);
  const std::int64_t k_blocks = (K + kb - 1) / kb;
  const std::int64_t tasks = R * j_blocks * k_blocks;
  const std::int64_t grain = std::max<std::int64_t>(1, 16384 / (jb * kb));

  BadIndex bad;
  parallel_for(0, tasks, grain, [&](std::int64_t t0, std::int64_t t1) {
    IndexStatus first;
    auto flag = [&](std::int64_t pos, std::int64_t k) {
      if (first.ok() || pos < first.position) first = {pos, k};
    };
    for (std::int64_t t = t0; t < t1; ++t) {
      const std::int64_t r = t / (j_blocks * k_blocks), rem = t % (j_blocks * k_blocks);
      const std::int64_t j0 = (rem / k_blocks) * jb, j1 = std::min(J, j0 + jb);
      const std::int64_t k0 = (rem % k_blocks) * kb, k1 = std::min(K, k0 + kb);
      std::int64_t base[4] = {0, 0, 0, 0};
      std::int64_t rr = r;
      for (int d = last - 1; d >= 0; --d) {
        const std::int64_t i = rr % rest.sizes[d];
        rr /= rest.sizes[d];
        for (int k = 0; k < 4; ++k) base[k] += i * rest.strides[k][d];
      }
      for (std::int64_t k = k0; k < k1; ++k) {
        T* dn = dense + base[kDense] + k * ks[kDense];
        const std::int64_t* ix = index + base[kIndex] + k * ks[kIndex];
        T* xd = indexed + base[kIndexed];
        const std::int64_t pos = base[kPosition] + k * ks[kPosition];
        if (s_index == 0) {  // one index for the whole run: copy (or add) a row
          const std::int64_t v = *ix;
          if (v < 0 || v >= limit) {
            flag(pos + j0 * s_pos, v);
            continue;
          }
          T* row = xd + v * ks[kIndexed];
          if (s_dense == 1 && s_indexed == 1) {
            for (std::int64_t j = j0; j < j1; ++j) {
              if constexpr (Scatter) row[j] += dn[j];
              else dn[j] = row[j];
            }
          } else {
            for (std::int64_t j = j0; j < j1; ++j) {
              if constexpr (Scatter) row[j * s_indexed] += dn[j * s_dense];
              else dn[j * s_dense] = row[j * s_indexed];
            }
          }
          continue;
        }
        for (std::int64_t j = j0; j < j1; ++j) {
          const std::int64_t v = ix[j * s_index];
          if (v < 0 || v >= limit) {
            flag(pos + j * s_pos, v);
            continue;
          }
          T* x = xd + v * ks[kIndexed] + j * s_indexed;
          if constexpr (Scatter) *x += dn[j * s_dense];
          else dn[j * s_dense] = *x;
        }
      }
    }
    bad.report(first);
  });
  return bad.get();
}

}  // namespace

template <typename T>
IndexStatus gather(const IndexLoop& loop, T* dense, const T* indexed, const std::int64_t* index) {
  // The gather path only reads `indexed`; the cast lets both directions share one loop.
  return index_loop<false, T>(loop, dense, const_cast<T*>(indexed), index);
}

template <typename T>
IndexStatus scatter_add(const IndexLoop& loop, T* indexed, const T* dense, const std::int64_t* index) {
  // The scatter path only reads `dense`.
  return index_loop<true, T>(loop, const_cast<T*>(dense), indexed, index);
}

#define ADVGRAD_INSTANTIATE(T)                                                                       \
  template IndexStatus gather<T>(const IndexLoop&, T*, const T*, const std::int64_t*);              \
  template IndexStatus scatter_add<T>(const IndexLoop&, T*, const T*, const std::int64_t*);
ADVGRAD_INSTANTIATE(float)
ADVGRAD_INSTANTIATE(double)
ADVGRAD_INSTANTIATE(std::int64_t)
#undef ADVGRAD_INSTANTIATE

}  // namespace advgrad::kernels::cpu
