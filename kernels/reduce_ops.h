#pragma once
// Reductions. Sum accumulates in double for float inputs (the reference and the
// fast path alike), so results do not depend on the thread count.
// Max/Min propagate NaN. ArgMax/ArgMin pick the FIRST index among ties: that is
// the element the gradient of max(dim) flows to (documented sub-gradient).
namespace advgrad::kernels {

enum class ReduceOp { Sum, Max, Min };

template <typename T> struct acc_type { using type = T; };
template <> struct acc_type<float> { using type = double; };

}  // namespace advgrad::kernels
