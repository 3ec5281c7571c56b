#pragma once
// cuDNN wrappers: the vendor library as a parity reference and a speed
// yardstick for our hand-written kernels (docs/cuda.md, "The cuDNN yardstick").
//
// Plain C++ over the cuDNN C API, compiled only into a GPU build of the library
// configured with ADVGRAD_CUDNN (never into the emulated device: there is no
// cuDNN for the SIMT emulator). It lives in its own directory so neither the
// kernels/cuda/*.cu glob nor the core/backend/cuda/*.cpp glob, both compiled twice,
// picks it up.
//
// Conventions, the same as the rest of kernels/cuda/:
//   - contiguous NCHW device buffers, float or double; outputs are overwritten;
//   - everything runs on the current device and the default (NULL) stream;
//   - every cuDNN status is checked: a failure throws CudaError naming the call
//     and cudnnGetErrorString's text.
// Full float precision: convolutions use CUDNN_FMA_MATH, so no TF32 tensor-core
// kernel is ever picked (CUDNN_DEFAULT_MATH permits TF32 on sm_80 and later).
#include <cstdint>
#include <string>

#include "advgrad/kernels/conv_params.h"
#include "advgrad/kernels/cuda/namespace.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN
namespace cudnn {

// True when cuDNN can run on the current device: a device exists, the loaded
// libcudnn has the major version this file was compiled against, and a handle
// can be created. Never throws.
bool usable() noexcept;
// "cuDNN 9.19.0" (the library loaded at run time).
std::string version();

// ---- convolution (kernels/conv_params.h has the math) ----
// Algorithms are chosen once per shape, dtype and device with
// cudnnFindConvolution*Algorithm (the fastest full-precision one) and cached.
// Shapes with an empty dimension, which cuDNN's descriptors reject, go to our
// implicit-GEMM kernels, whose result there is trivial (zeros, or the bias).
template <typename T>
void conv2d_forward(const Conv2dParams& p, const T* x, const T* w, const T* bias /* nullable */, T* y);
template <typename T>
void conv2d_backward_input(const Conv2dParams& p, const T* gy, const T* w, T* gx);
template <typename T>
void conv2d_backward_weight(const Conv2dParams& p, const T* x, const T* gy, T* gw);

// ---- pooling (floor-mode windows only) ----
// cuDNN computes its own output size (floor); a ceil-mode Pool2dParams whose
// OH/OW differ throws CudaError rather than reading past the windows. Max
// pooling propagates NaN (as ours does); its tie-breaking is cuDNN's, so a
// parity check against ours should use inputs without tied maxima.
template <typename T>
void max_pool2d_forward(const Pool2dParams& p, const T* x, T* y);
template <typename T>
void max_pool2d_backward(const Pool2dParams& p, const T* x, const T* y, const T* gy, T* gx);
// p.count_include_pad picks CUDNN_POOLING_AVERAGE_COUNT_{INCLUDE,EXCLUDE}_PADDING.
template <typename T>
void avg_pool2d_forward(const Pool2dParams& p, const T* x, T* y);
template <typename T>
void avg_pool2d_backward(const Pool2dParams& p, const T* x, const T* y, const T* gy, T* gx);

// ---- activations on n contiguous elements ----
// elu_alpha is used by Elu only. The backward pass takes both x and y, as
// cuDNN does (relu/elu read x, sigmoid/tanh read y).
enum class Activation { Relu, Sigmoid, Tanh, Elu };
template <typename T>
void activation_forward(Activation a, std::int64_t n, double elu_alpha, const T* x, T* y);
template <typename T>
void activation_backward(Activation a, std::int64_t n, double elu_alpha, const T* x, const T* y, const T* gy, T* gx);

}  // namespace cudnn
ADVGRAD_CUDA_NAMESPACE_END
