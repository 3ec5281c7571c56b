#include "advgrad/kernels/cpu/elementwise.h"

#include <algorithm>
#include <array>
#include <limits>
#include <type_traits>

#include "advgrad/kernels/cpu/parallel.h"
#include "advgrad/kernels/cpu/vec_activations.h"

namespace advgrad::kernels::cpu {

StridedLoop coalesce(const StridedLoop& loop, int operands) {
  StridedLoop out;
  for (int d = 0; d < loop.ndim; ++d) {
    if (loop.sizes[d] == 1) continue;
    if (out.ndim > 0) {
      const int last = out.ndim - 1;
      bool mergeable = true;
      for (int k = 0; k < operands; ++k)
        mergeable &= out.strides[k][last] == loop.strides[k][d] * loop.sizes[d];
      if (mergeable) {
        out.sizes[last] *= loop.sizes[d];
        for (int k = 0; k < operands; ++k) out.strides[k][last] = loop.strides[k][d];
        continue;
      }
    }
    out.sizes[out.ndim] = loop.sizes[d];
    for (int k = 0; k < operands; ++k) out.strides[k][out.ndim] = loop.strides[k][d];
    ++out.ndim;
  }
  if (out.ndim == 0) {  // a single element
    out.ndim = 1;
    out.sizes[0] = 1;
    for (int k = 0; k < operands; ++k) out.strides[k][0] = 1;
  }
  return out;
}

namespace {

// Runs `row(ptr offsets..., inner size, inner strides)` for every row of the
// coalesced loop (all dims but the last), rows split across threads.
// Operand pointers are char-free: offsets are in elements.
template <int N, typename Row>
void for_each_row(const StridedLoop& in_loop, Row&& row) {
  const StridedLoop loop = coalesce(in_loop, N);
  const int last = loop.ndim - 1;
  const std::int64_t inner = loop.sizes[last];
  std::int64_t rows = 1;
  for (int d = 0; d < last; ++d) rows *= loop.sizes[d];
  std::array<std::int64_t, N> inner_strides;
  for (int k = 0; k < N; ++k) inner_strides[k] = loop.strides[k][last];
  const std::int64_t grain = std::max<std::int64_t>(1, 32768 / std::max<std::int64_t>(inner, 1));
  parallel_for(0, rows, grain, [&](std::int64_t r0, std::int64_t r1) {
    for (std::int64_t r = r0; r < r1; ++r) {
      std::array<std::int64_t, N> off{};
      std::int64_t rem = r;
      for (int d = last - 1; d >= 0; --d) {
        const std::int64_t i = rem % loop.sizes[d];
        rem /= loop.sizes[d];
        for (int k = 0; k < N; ++k) off[k] += i * loop.strides[k][d];
      }
      row(off, inner, inner_strides);
    }
  });
}

// Splits a long single row (e.g. a contiguous 1-D op) into parallel pieces too.
template <int N, typename Body>
void elementwise(const StridedLoop& loop_in, Body&& body) {
  const StridedLoop loop = coalesce(loop_in, N);
  if (loop.ndim == 1 && loop.sizes[0] > 65536) {
    std::array<std::int64_t, N> s;
    for (int k = 0; k < N; ++k) s[k] = loop.strides[k][0];
    parallel_for(0, loop.sizes[0], 32768, [&](std::int64_t i0, std::int64_t i1) {
      std::array<std::int64_t, N> off;
      for (int k = 0; k < N; ++k) off[k] = i0 * s[k];
      body(off, i1 - i0, s);
    });
    return;
  }
  for_each_row<N>(loop, body);
}

}  // namespace

template <typename T>
void unary(UnaryOp op, const StridedLoop& loop, T* out, const T* in, const OpParams& p) {
  visit(op, [&]<UnaryOp Op>() {
    elementwise<2>(loop, [&](const std::array<std::int64_t, 2>& off, std::int64_t n,
                             const std::array<std::int64_t, 2>& s) {
      T* o = out + off[0];
      const T* x = in + off[1];
      if (s[0] == 1 && s[1] == 1) {
        if constexpr (std::is_same_v<T, float>)
          if (unary_vectorised(Op, x, o, n, p)) return;
        for (std::int64_t i = 0; i < n; ++i) o[i] = unary_scalar<Op>(x[i], p);
      } else {
        for (std::int64_t i = 0; i < n; ++i) o[i * s[0]] = unary_scalar<Op>(x[i * s[1]], p);
      }
    });
  });
}

template <typename T>
void binary(BinaryOp op, const StridedLoop& loop, T* out, const T* a, const T* b, const OpParams& p) {
  visit(op, [&]<BinaryOp Op>() {
    elementwise<3>(loop, [&](const std::array<std::int64_t, 3>& off, std::int64_t n,
                             const std::array<std::int64_t, 3>& s) {
      T* o = out + off[0];
      const T* x = a + off[1];
      const T* y = b + off[2];
      if (s[0] == 1 && s[1] == 1 && s[2] == 1) {
        if constexpr (std::is_same_v<T, float>)
          if (binary_vectorised(Op, x, y, o, n, p)) return;
        for (std::int64_t i = 0; i < n; ++i) o[i] = binary_scalar<Op>(x[i], y[i], p);
      } else if (s[0] == 1 && s[1] == 1 && s[2] == 0) {  // tensor (op) broadcast scalar/row
        const T yv = *y;
        for (std::int64_t i = 0; i < n; ++i) o[i] = binary_scalar<Op>(x[i], yv, p);
      } else if (s[0] == 1 && s[1] == 0 && s[2] == 1) {
        const T xv = *x;
        for (std::int64_t i = 0; i < n; ++i) o[i] = binary_scalar<Op>(xv, y[i], p);
      } else {
        for (std::int64_t i = 0; i < n; ++i) o[i * s[0]] = binary_scalar<Op>(x[i * s[1]], y[i * s[2]], p);
      }
    });
  });
}

template <typename T>
void where(const StridedLoop& loop, T* out, const T* cond, const T* a, const T* b) {
  elementwise<4>(loop, [&](const std::array<std::int64_t, 4>& off, std::int64_t n,
                           const std::array<std::int64_t, 4>& s) {
    for (std::int64_t i = 0; i < n; ++i)
      out[off[0] + i * s[0]] = where_scalar(cond[off[1] + i * s[1]], a[off[2] + i * s[2]], b[off[3] + i * s[3]]);
  });
}

template <typename To, typename From>
void cast(const StridedLoop& loop, To* out, const From* in) {
  elementwise<2>(loop, [&](const std::array<std::int64_t, 2>& off, std::int64_t n,
                           const std::array<std::int64_t, 2>& s) {
    To* o = out + off[0];
    const From* x = in + off[1];
    if (s[0] == 1 && s[1] == 1) {
      for (std::int64_t i = 0; i < n; ++i) o[i] = static_cast<To>(x[i]);
    } else {
      for (std::int64_t i = 0; i < n; ++i) o[i * s[0]] = static_cast<To>(x[i * s[1]]);
    }
  });
}

namespace {

// Sums n elements with stride s into a double/T accumulator, 4 partial sums so
// the loop vectorises; the combination order is fixed (thread-count independent).
template <typename Acc, typename T>
Acc sum_row(const T* x, std::int64_t n, std::int64_t s) {
  if (s == 1) {
    Acc p0 = 0, p1 = 0, p2 = 0, p3 = 0;
    std::int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
      p0 += x[i];
      p1 += x[i + 1];
      p2 += x[i + 2];
      p3 += x[i + 3];
    }
    for (; i < n; ++i) p0 += x[i];
    return (p0 + p1) + (p2 + p3);
  }
  Acc acc = 0;
  for (std::int64_t i = 0; i < n; ++i) acc += x[i * s];
  return acc;
}

}  // namespace

template <typename T>
void reduce(ReduceOp op, const ReduceLoop& loop, T* out, const T* in) {
  using Acc = typename acc_type<T>::type;
  // Coalesce the reduced dims among themselves (they are iterated row-major).
  StridedLoop red;
  red.ndim = loop.red_ndim;
  for (int d = 0; d < loop.red_ndim; ++d) {
    red.sizes[d] = loop.red_sizes[d];
    red.strides[0][d] = loop.red_strides[d];
  }
  red = coalesce(red, 1);
  const int last = red.ndim - 1;
  const std::int64_t inner = red.sizes[last], inner_stride = red.strides[0][last];
  std::int64_t outer = 1;
  for (int d = 0; d < last; ++d) outer *= red.sizes[d];
  if (loop.red_numel() == 0) outer = 0;

  const std::int64_t n_out = loop.out_numel();
  const std::int64_t work = std::max<std::int64_t>(1, loop.red_numel());
  parallel_for(0, n_out, std::max<std::int64_t>(1, 32768 / work), [&](std::int64_t o0, std::int64_t o1) {
    for (std::int64_t o = o0; o < o1; ++o) {
      const T* base = in + unravel_offset(loop.out_ndim, loop.out_sizes, loop.out_strides, o);
      Acc acc = op == ReduceOp::Sum ? Acc(0)
                : op == ReduceOp::Max ? -std::numeric_limits<Acc>::infinity()
                                      : std::numeric_limits<Acc>::infinity();
      for (std::int64_t r = 0; r < outer; ++r) {
        const T* row = base + unravel_offset(last, red.sizes, red.strides[0], r);
        if (op == ReduceOp::Sum) {
          acc += sum_row<Acc>(row, inner, inner_stride);
        } else {
          for (std::int64_t i = 0; i < inner; ++i) {
            const Acc v = row[i * inner_stride];
            if (v != v || acc != acc) acc = v != v ? v : acc;
            else if (op == ReduceOp::Max ? v > acc : v < acc) acc = v;
          }
        }
      }
      out[o] = static_cast<T>(acc);
    }
  });
}

template <typename T>
void arg_reduce(bool is_max, const ReduceLoop& loop, T* values, std::int64_t* indices, const T* in) {
  const std::int64_t n_out = loop.out_numel(), n_red = loop.red_sizes[0], s = loop.red_strides[0];
  parallel_for(0, n_out, std::max<std::int64_t>(1, 32768 / std::max<std::int64_t>(n_red, 1)),
               [&](std::int64_t o0, std::int64_t o1) {
                 for (std::int64_t o = o0; o < o1; ++o) {
                   const T* base = in + unravel_offset(loop.out_ndim, loop.out_sizes, loop.out_strides, o);
                   T best = base[0];
                   std::int64_t best_i = 0;
                   for (std::int64_t r = 1; r < n_red && best == best; ++r) {
                     const T v = base[r * s];
                     if (v != v || (is_max ? v > best : v < best)) {
                       best = v;
                       best_i = r;
                     }
                   }
                   values[o] = best;
                   indices[o] = best_i;
                 }
               });
}

#define ADVGRAD_INSTANTIATE(T)                                                                      \
  template void unary<T>(UnaryOp, const StridedLoop&, T*, const T*, const OpParams&);              \
  template void binary<T>(BinaryOp, const StridedLoop&, T*, const T*, const T*, const OpParams&);  \
  template void where<T>(const StridedLoop&, T*, const T*, const T*, const T*);                    \
  template void reduce<T>(ReduceOp, const ReduceLoop&, T*, const T*);                              \
  template void arg_reduce<T>(bool, const ReduceLoop&, T*, std::int64_t*, const T*);
ADVGRAD_INSTANTIATE(float)
ADVGRAD_INSTANTIATE(double)
#undef ADVGRAD_INSTANTIATE
// int64: integer-safe ops only (core/ checks which); used for labels and indices.
template void binary<std::int64_t>(BinaryOp, const StridedLoop&, std::int64_t*, const std::int64_t*,
                                   const std::int64_t*, const OpParams&);

#define ADVGRAD_INSTANTIATE_CAST(To, From) template void cast<To, From>(const StridedLoop&, To*, const From*);
ADVGRAD_INSTANTIATE_CAST(float, float)
ADVGRAD_INSTANTIATE_CAST(float, double)
ADVGRAD_INSTANTIATE_CAST(float, std::int64_t)
ADVGRAD_INSTANTIATE_CAST(double, float)
ADVGRAD_INSTANTIATE_CAST(double, double)
ADVGRAD_INSTANTIATE_CAST(double, std::int64_t)
ADVGRAD_INSTANTIATE_CAST(std::int64_t, float)
ADVGRAD_INSTANTIATE_CAST(std::int64_t, double)
ADVGRAD_INSTANTIATE_CAST(std::int64_t, std::int64_t)
#undef ADVGRAD_INSTANTIATE_CAST

}  // namespace advgrad::kernels::cpu
