#pragma once
// Vectorised exp for float arrays (softmax, log-softmax and cross-entropy
// gradients spend most of their time in exp). std::exp does not vectorise
// without -ffast-math, so this is a polynomial written with AVX2+FMA
// intrinsics, picked at run time (plain std::exp on CPUs without AVX2).
// Accuracy: within 2 ulp of std::exp (1 ulp measured); exp(x) = 0 below
// -87.34 (where std::exp is a denormal), +inf above 88.72, NaN stays NaN.
#include <cstdint>

namespace advgrad::kernels::cpu {

// out[i] = exp(x[i] - shift)   (out may alias x)
void exp_shifted(const float* x, float shift, float* out, std::int64_t n);
// out[i] = exp(x[i] - shift[i])   (out may alias x)
void exp_diff(const float* x, const float* shift, float* out, std::int64_t n);

// double: plain std::exp loops (the float64 path is for gradient checks).
void exp_shifted(const double* x, double shift, double* out, std::int64_t n);
void exp_diff(const double* x, const double* shift, double* out, std::int64_t n);

}  // namespace advgrad::kernels::cpu
