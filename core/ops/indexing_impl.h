#pragma once
// Internal indexing helpers shared by the losses (core/ops/loss.cpp): label
// checks and the differentiable label lookup, with errors naming the loss.
#include "advgrad/core/tensor.h"

namespace advgrad::detail {

// input [N, C, d1...] (C at dim 1), labels int64 [N, d1...]; throws naming `op`.
void check_labels(const Tensor& input, const Tensor& labels, const char* op);

// out[n, d...] = input[n, labels[n, d...], d...]: a differentiable gather along
// dim 1 whose out-of-range error names `op`, the label and the class count.
Tensor gather_labels(const Tensor& input, const Tensor& labels, const char* op);

// Throws "<op>: label <label> is out of range for <classes> classes ...".
[[noreturn]] void fail_label(const char* op, std::int64_t label, std::int64_t classes);

}  // namespace advgrad::detail
