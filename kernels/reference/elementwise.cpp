#include "advgrad/kernels/reference/elementwise.h"

#include <limits>

namespace advgrad::kernels::reference {

template <typename T>
void unary(UnaryOp op, const StridedLoop& loop, T* out, const T* in, const OpParams& p) {
  const std::int64_t n = loop.numel();
  visit(op, [&]<UnaryOp Op>() {
    for (std::int64_t i = 0; i < n; ++i)
      out[strided_offset(loop, 0, i)] = unary_scalar<Op>(in[strided_offset(loop, 1, i)], p);
  });
}

template <typename T>
void binary(BinaryOp op, const StridedLoop& loop, T* out, const T* a, const T* b, const OpParams& p) {
  const std::int64_t n = loop.numel();
  visit(op, [&]<BinaryOp Op>() {
    for (std::int64_t i = 0; i < n; ++i)
      out[strided_offset(loop, 0, i)] =
          binary_scalar<Op>(a[strided_offset(loop, 1, i)], b[strided_offset(loop, 2, i)], p);
  });
}

template <typename T>
void where(const StridedLoop& loop, T* out, const T* cond, const T* a, const T* b) {
  const std::int64_t n = loop.numel();
  for (std::int64_t i = 0; i < n; ++i)
    out[strided_offset(loop, 0, i)] = where_scalar(cond[strided_offset(loop, 1, i)], a[strided_offset(loop, 2, i)],
                                                   b[strided_offset(loop, 3, i)]);
}

template <typename To, typename From>
void cast(const StridedLoop& loop, To* out, const From* in) {
  const std::int64_t n = loop.numel();
  for (std::int64_t i = 0; i < n; ++i)
    out[strided_offset(loop, 0, i)] = static_cast<To>(in[strided_offset(loop, 1, i)]);
}

template <typename T>
void reduce(ReduceOp op, const ReduceLoop& loop, T* out, const T* in) {
  using Acc = typename acc_type<T>::type;
  const std::int64_t n_out = loop.out_numel(), n_red = loop.red_numel();
  for (std::int64_t o = 0; o < n_out; ++o) {
    const T* base = in + unravel_offset(loop.out_ndim, loop.out_sizes, loop.out_strides, o);
    Acc acc = op == ReduceOp::Sum ? Acc(0)
              : op == ReduceOp::Max ? -std::numeric_limits<Acc>::infinity()
                                    : std::numeric_limits<Acc>::infinity();
    for (std::int64_t r = 0; r < n_red; ++r) {
      const Acc v = base[unravel_offset(loop.red_ndim, loop.red_sizes, loop.red_strides, r)];
      if (op == ReduceOp::Sum) acc += v;
      else if (v != v || acc != acc) acc = v != v ? v : acc;  // NaN wins
      else if (op == ReduceOp::Max ? v > acc : v < acc) acc = v;
    }
    out[o] = static_cast<T>(acc);
  }
}

template <typename T>
void arg_reduce(bool is_max, const ReduceLoop& loop, T* values, std::int64_t* indices, const T* in) {
  const std::int64_t n_out = loop.out_numel(), n_red = loop.red_sizes[0];
  for (std::int64_t o = 0; o < n_out; ++o) {
    const T* base = in + unravel_offset(loop.out_ndim, loop.out_sizes, loop.out_strides, o);
    T best = base[0];
    std::int64_t best_i = 0;
    for (std::int64_t r = 1; r < n_red && best == best; ++r) {
      const T v = base[r * loop.red_strides[0]];
      if (v != v || (is_max ? v > best : v < best)) {  // strict: first index wins ties; NaN wins
        best = v;
        best_i = r;
      }
    }
    values[o] = best;
    indices[o] = best_i;
  }
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

}  // namespace advgrad::kernels::reference
