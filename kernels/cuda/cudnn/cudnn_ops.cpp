// cuDNN wrappers (kernels/cuda/cudnn/cudnn_ops.h): descriptors, one handle and
// one workspace per device, and an algorithm cache for the convolutions.
//
// Built only into a GPU build with ADVGRAD_CUDNN (CMakeLists.txt). The guard
// below keeps the emulated flavour empty should a build ever glob this file in.
#if !defined(ADVGRAD_CUDA_EMULATED)

#include "advgrad/kernels/cuda/cudnn/cudnn_ops.h"

#include <cuda_runtime.h>
#include <cudnn.h>

#include <algorithm>
#include <array>
#include <climits>
#include <map>
#include <memory>
#include <mutex>
#include <type_traits>
#include <vector>

#include "advgrad/kernels/cuda/conv.h"
#include "advgrad/kernels/cuda/runtime.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN
namespace cudnn {

namespace {

void check(cudnnStatus_t status, const char* call) {
  if (status != CUDNN_STATUS_SUCCESS) throw CudaError(std::string(call) + ": " + cudnnGetErrorString(status));
}
// CUDNN(fn, args...) calls fn(args...) and names fn in the error: the name can
// never disagree with the call.
#define CUDNN(fn, ...) check(fn(__VA_ARGS__), #fn)

int current_device() {
  int device = 0;
  const cudaError_t error = cudaGetDevice(&device);
  if (error != cudaSuccess)
    throw CudaError(std::string("cudaGetDevice: ") + cudaGetErrorName(error) + " (" + cudaGetErrorString(error) + ")");
  return device;
}

// cuDNN's legacy descriptors take int sizes.
int to_int(std::int64_t v, const char* what) {
  if (v < 0 || v > INT_MAX) throw CudaError(std::string("cuDNN: ") + what + " does not fit an int descriptor field");
  return static_cast<int>(v);
}

template <typename T>
constexpr cudnnDataType_t data_type() {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>);
  return std::is_same_v<T, float> ? CUDNN_DATA_FLOAT : CUDNN_DATA_DOUBLE;
}

// ---- one handle and one workspace per device ----
// The handle is created on first use while its device is current, and never
// destroyed (as with cuBLAS: destruction at exit could follow the runtime's
// shutdown). A cuDNN handle must not be used by two host threads at once, and
// the workspace is shared by every call on the device, so a Session holds the
// device's mutex for the whole sequence of calls of one operation.
struct DeviceContext {
  std::mutex mutex;
  cudnnHandle_t handle = nullptr;
  void* workspace = nullptr;
  std::size_t workspace_bytes = 0;
};

DeviceContext& context(int device) {
  static std::mutex mutex;
  static auto* contexts = new std::vector<DeviceContext*>();  // leaked on purpose, see above
  std::lock_guard lock(mutex);
  if (static_cast<int>(contexts->size()) <= device) contexts->resize(static_cast<std::size_t>(device) + 1, nullptr);
  DeviceContext*& c = (*contexts)[static_cast<std::size_t>(device)];
  if (c == nullptr) {
    auto created = std::make_unique<DeviceContext>();
    CUDNN(cudnnCreate, &created->handle);  // the default stream, like every kernel of the library
    c = created.release();
  }
  return *c;
}

class Session {
 public:
  Session() : device_(current_device()), context_(context(device_)), lock_(context_.mutex) {}
  int device() const { return device_; }
  cudnnHandle_t handle() const { return context_.handle; }
  // At least `bytes` of device memory (null for 0). The buffer grows and is
  // kept; the old one is freed only after the device has finished with it.
  void* workspace(std::size_t bytes) {
    if (bytes == 0) return nullptr;
    if (bytes > context_.workspace_bytes) {
      if (context_.workspace != nullptr) {
        synchronize("cuDNN workspace resize");
        device_free(context_.workspace);
        context_.workspace = nullptr;
        context_.workspace_bytes = 0;
      }
      context_.workspace = device_malloc(bytes);
      context_.workspace_bytes = bytes;
    }
    return context_.workspace;
  }

 private:
  int device_;
  DeviceContext& context_;
  std::lock_guard<std::mutex> lock_;
};

// ---- descriptors (RAII: created in the constructor, destroyed in the destructor) ----
template <typename D, cudnnStatus_t (*Create)(D*), cudnnStatus_t (*Destroy)(D)>
class Descriptor {
 public:
  explicit Descriptor(const char* create_name) { check(Create(&d_), create_name); }
  ~Descriptor() { Destroy(d_); }  // cannot fail for a descriptor Create made
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  operator D() const { return d_; }

 private:
  D d_{};
};
using TensorDescriptor = Descriptor<cudnnTensorDescriptor_t, cudnnCreateTensorDescriptor, cudnnDestroyTensorDescriptor>;
using FilterDescriptor = Descriptor<cudnnFilterDescriptor_t, cudnnCreateFilterDescriptor, cudnnDestroyFilterDescriptor>;
using ConvolutionDescriptor =
    Descriptor<cudnnConvolutionDescriptor_t, cudnnCreateConvolutionDescriptor, cudnnDestroyConvolutionDescriptor>;
using PoolingDescriptor =
    Descriptor<cudnnPoolingDescriptor_t, cudnnCreatePoolingDescriptor, cudnnDestroyPoolingDescriptor>;
using ActivationDescriptor =
    Descriptor<cudnnActivationDescriptor_t, cudnnCreateActivationDescriptor, cudnnDestroyActivationDescriptor>;

// The legacy descriptors index with int: refuse tensors of 2^31 elements or more.
void set_nchw(const TensorDescriptor& d, cudnnDataType_t type, std::int64_t n, std::int64_t c, std::int64_t h,
              std::int64_t w) {
  if (n * c * h * w > INT_MAX) throw CudaError("cuDNN: a tensor of 2^31 or more elements");
  CUDNN(cudnnSetTensor4dDescriptor, d, CUDNN_TENSOR_NCHW, type, to_int(n, "N"), to_int(c, "C"), to_int(h, "H"),
        to_int(w, "W"));
}

// ---- convolution ----
template <typename T>
struct ConvDescriptors {
  TensorDescriptor x{"cudnnCreateTensorDescriptor"}, y{"cudnnCreateTensorDescriptor"};
  FilterDescriptor w{"cudnnCreateFilterDescriptor"};
  ConvolutionDescriptor conv{"cudnnCreateConvolutionDescriptor"};

  explicit ConvDescriptors(const Conv2dParams& p) {
    constexpr cudnnDataType_t type = data_type<T>();
    set_nchw(x, type, p.N, p.C, p.H, p.W);
    set_nchw(y, type, p.N, p.O, p.OH, p.OW);
    if (p.O * p.in_channels_per_group() * p.kh * p.kw > INT_MAX) throw CudaError("cuDNN: a filter of 2^31 elements");
    CUDNN(cudnnSetFilter4dDescriptor, w, type, CUDNN_TENSOR_NCHW, to_int(p.O, "O"),
          to_int(p.in_channels_per_group(), "C/groups"), to_int(p.kh, "kh"), to_int(p.kw, "kw"));
    // Cross-correlation (no kernel flip), accumulated in the data type itself.
    CUDNN(cudnnSetConvolution2dDescriptor, conv, to_int(p.pad_h, "pad_h"), to_int(p.pad_w, "pad_w"),
          to_int(p.stride_h, "stride_h"), to_int(p.stride_w, "stride_w"), to_int(p.dilation_h, "dilation_h"),
          to_int(p.dilation_w, "dilation_w"), CUDNN_CROSS_CORRELATION, type);
    CUDNN(cudnnSetConvolutionGroupCount, conv, to_int(p.groups, "groups"));
    CUDNN(cudnnSetConvolutionMathType, conv, CUDNN_FMA_MATH);  // no TF32: a parity reference
    // cuDNN must agree with Conv2dParams on the output size, or the
    // descriptors do not describe the convolution core/ asked for.
    int n = 0, c = 0, h = 0, wd = 0;
    CUDNN(cudnnGetConvolution2dForwardOutputDim, conv, x, w, &n, &c, &h, &wd);
    if (n != p.N || c != p.O || h != p.OH || wd != p.OW)
      throw CudaError("cuDNN: its convolution output size disagrees with Conv2dParams");
  }
};

// Empty dimensions, which cuDNN's descriptors reject.
bool degenerate(const Conv2dParams& p) {
  return p.N == 0 || p.C == 0 || p.O == 0 || p.H == 0 || p.W == 0 || p.OH <= 0 || p.OW <= 0;
}

enum class Pass : std::int64_t { Forward, BackwardData, BackwardFilter };
const char* pass_name(Pass pass) {
  switch (pass) {
    case Pass::Forward:
      return "cuDNN conv2d forward";
    case Pass::BackwardData:
      return "cuDNN conv2d backward-data";
    default:
      return "cuDNN conv2d backward-filter";
  }
}

// The chosen algorithm of one pass, shape, dtype and device.
struct Plan {
  int algorithm = 0;
  cudnnMathType_t math = CUDNN_FMA_MATH;
  std::size_t workspace_bytes = 0;
};
using PlanKey = std::array<std::int64_t, 19>;

PlanKey plan_key(int device, Pass pass, std::size_t dtype_size, const Conv2dParams& p) {
  return {device,
          static_cast<std::int64_t>(pass),
          static_cast<std::int64_t>(dtype_size),
          p.N,
          p.C,
          p.H,
          p.W,
          p.O,
          p.kh,
          p.kw,
          p.stride_h,
          p.stride_w,
          p.pad_h,
          p.pad_w,
          p.dilation_h,
          p.dilation_w,
          p.groups,
          p.OH,
          p.OW};
}

std::mutex plan_mutex;
std::map<PlanKey, Plan>& plans() {
  static auto* cache = new std::map<PlanKey, Plan>();  // leaked with the handles
  return *cache;
}

// Full precision: FMA kernels only for float (PyTorch asserts the same of
// cudnnFind with TF32 off); double has no reduced-precision tensor-core path,
// so the default math is also exact for it.
bool full_precision(cudnnMathType_t math, bool is_float) {
  return math == CUDNN_FMA_MATH || (!is_float && math == CUDNN_DEFAULT_MATH);
}

// The fastest successful full-precision result (cudnnFind sorts by time).
template <typename Perf>
Plan pick(Pass pass, const Perf* perf, int returned, bool is_float) {
  for (int i = 0; i < returned; ++i)
    if (perf[i].status == CUDNN_STATUS_SUCCESS && full_precision(perf[i].mathType, is_float))
      return {static_cast<int>(perf[i].algo), perf[i].mathType, 0};
  throw CudaError(std::string(pass_name(pass)) + ": cuDNN found no full-precision algorithm for this shape");
}

// Finds (once per key) and returns the plan of `pass`; sets the plan's math type
// on d.conv, as cuDNN requires for the algorithm it found.
template <typename T>
Plan plan_for(Session& s, Pass pass, const Conv2dParams& p, const ConvDescriptors<T>& d) {
  const PlanKey key = plan_key(s.device(), pass, sizeof(T), p);
  {
    std::lock_guard lock(plan_mutex);
    if (auto it = plans().find(key); it != plans().end()) {
      CUDNN(cudnnSetConvolutionMathType, d.conv, it->second.math);
      return it->second;
    }
  }
  constexpr bool is_float = std::is_same_v<T, float>;
  Plan plan;
  if (pass == Pass::Forward) {
    std::array<cudnnConvolutionFwdAlgoPerf_t, CUDNN_CONVOLUTION_FWD_ALGO_COUNT> perf{};
    int returned = 0;
    CUDNN(cudnnFindConvolutionForwardAlgorithm, s.handle(), d.x, d.w, d.conv, d.y, static_cast<int>(perf.size()),
          &returned, perf.data());
    plan = pick(pass, perf.data(), returned, is_float);
    CUDNN(cudnnSetConvolutionMathType, d.conv, plan.math);
    CUDNN(cudnnGetConvolutionForwardWorkspaceSize, s.handle(), d.x, d.w, d.conv, d.y,
          static_cast<cudnnConvolutionFwdAlgo_t>(plan.algorithm), &plan.workspace_bytes);
  } else if (pass == Pass::BackwardData) {
    std::array<cudnnConvolutionBwdDataAlgoPerf_t, CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT> perf{};
    int returned = 0;
    CUDNN(cudnnFindConvolutionBackwardDataAlgorithm, s.handle(), d.w, d.y, d.conv, d.x, static_cast<int>(perf.size()),
          &returned, perf.data());
    plan = pick(pass, perf.data(), returned, is_float);
    CUDNN(cudnnSetConvolutionMathType, d.conv, plan.math);
    CUDNN(cudnnGetConvolutionBackwardDataWorkspaceSize, s.handle(), d.w, d.y, d.conv, d.x,
          static_cast<cudnnConvolutionBwdDataAlgo_t>(plan.algorithm), &plan.workspace_bytes);
  } else {
    std::array<cudnnConvolutionBwdFilterAlgoPerf_t, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT> perf{};
    int returned = 0;
    CUDNN(cudnnFindConvolutionBackwardFilterAlgorithm, s.handle(), d.x, d.y, d.conv, d.w, static_cast<int>(perf.size()),
          &returned, perf.data());
    plan = pick(pass, perf.data(), returned, is_float);
    CUDNN(cudnnSetConvolutionMathType, d.conv, plan.math);
    CUDNN(cudnnGetConvolutionBackwardFilterWorkspaceSize, s.handle(), d.x, d.y, d.conv, d.w,
          static_cast<cudnnConvolutionBwdFilterAlgo_t>(plan.algorithm), &plan.workspace_bytes);
  }
  std::lock_guard lock(plan_mutex);
  plans().emplace(key, plan);
  return plan;
}

// ---- pooling ----
template <typename T>
struct PoolDescriptors {
  TensorDescriptor x{"cudnnCreateTensorDescriptor"}, y{"cudnnCreateTensorDescriptor"};
  PoolingDescriptor pool{"cudnnCreatePoolingDescriptor"};

  PoolDescriptors(cudnnPoolingMode_t mode, const Pool2dParams& p) {
    set_nchw(x, data_type<T>(), p.N, p.C, p.H, p.W);
    set_nchw(y, data_type<T>(), p.N, p.C, p.OH, p.OW);
    CUDNN(cudnnSetPooling2dDescriptor, pool, mode, CUDNN_PROPAGATE_NAN, to_int(p.kh, "kh"), to_int(p.kw, "kw"),
          to_int(p.pad_h, "pad_h"), to_int(p.pad_w, "pad_w"), to_int(p.stride_h, "stride_h"),
          to_int(p.stride_w, "stride_w"));
    int n = 0, c = 0, h = 0, w = 0;
    CUDNN(cudnnGetPooling2dForwardOutputDim, pool, x, &n, &c, &h, &w);
    if (h != p.OH || w != p.OW)
      throw CudaError("cuDNN pooling: its (floor-mode) output size disagrees with Pool2dParams (ceil mode?)");
  }
};

bool empty(const Pool2dParams& p) { return p.N == 0 || p.C == 0 || p.OH <= 0 || p.OW <= 0; }

template <typename T>
void pool_forward(cudnnPoolingMode_t mode, const Pool2dParams& p, const T* x, T* y) {
  if (empty(p)) return;
  Session s;
  const PoolDescriptors<T> d(mode, p);
  const T one = 1, zero = 0;  // scaling factors have the data's type for float and double
  CUDNN(cudnnPoolingForward, s.handle(), d.pool, &one, d.x, x, &zero, d.y, y);
  check_launch("cudnnPoolingForward");
}

template <typename T>
void pool_backward(cudnnPoolingMode_t mode, const Pool2dParams& p, const T* x, const T* y, const T* gy, T* gx) {
  if (p.N * p.C * p.H * p.W == 0) return;
  if (empty(p)) {  // no window: nothing flows back
    memset_zero(gx, static_cast<std::size_t>(p.N * p.C * p.H * p.W) * sizeof(T));
    return;
  }
  Session s;
  const PoolDescriptors<T> d(mode, p);
  const T one = 1, zero = 0;
  CUDNN(cudnnPoolingBackward, s.handle(), d.pool, &one, d.y, y, d.y, gy, d.x, x, &zero, d.x, gx);
  check_launch("cudnnPoolingBackward");
}

cudnnPoolingMode_t avg_mode(const Pool2dParams& p) {
  return p.count_include_pad ? CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING
                             : CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
}

// ---- activations ----
cudnnActivationMode_t activation_mode(Activation a) {
  switch (a) {
    case Activation::Relu:
      return CUDNN_ACTIVATION_RELU;
    case Activation::Sigmoid:
      return CUDNN_ACTIVATION_SIGMOID;
    case Activation::Tanh:
      return CUDNN_ACTIVATION_TANH;
    default:
      return CUDNN_ACTIVATION_ELU;
  }
}

// Elementwise, so n elements are processed as [1, 1, 1, chunk] tensors of at
// most 2^30 elements each: any n fits the int descriptors.
template <typename F>
void in_chunks(std::int64_t n, F&& f) {
  constexpr std::int64_t kChunk = std::int64_t{1} << 30;
  for (std::int64_t start = 0; start < n; start += kChunk) f(start, std::min(kChunk, n - start));
}

}  // namespace

bool usable() noexcept {
  try {
    if (query_devices().count == 0) return false;
    // cuDNN's ABI is stable within a major version only.
    if (cudnnGetVersion() / 10000 != CUDNN_MAJOR) return false;
    Session s;  // creates the handle of the current device
    return true;
  } catch (...) {
    return false;
  }
}

std::string version() {
  const std::size_t v = cudnnGetVersion();
  return "cuDNN " + std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." + std::to_string(v % 100);
}

template <typename T>
void conv2d_forward(const Conv2dParams& p, const T* x, const T* w, const T* bias, T* y) {
  if (degenerate(p)) return cuda::conv2d_forward<T>(ConvKernel::ImplicitGemm, p, x, w, bias, y);
  Session s;
  const ConvDescriptors<T> d(p);
  const Plan plan = plan_for(s, Pass::Forward, p, d);
  void* workspace = s.workspace(plan.workspace_bytes);
  const T one = 1, zero = 0;
  CUDNN(cudnnConvolutionForward, s.handle(), &one, d.x, x, d.w, w, d.conv,
        static_cast<cudnnConvolutionFwdAlgo_t>(plan.algorithm), workspace, plan.workspace_bytes, &zero, d.y, y);
  if (bias != nullptr) {  // y += bias[o], broadcast over N, OH, OW
    TensorDescriptor b("cudnnCreateTensorDescriptor");
    set_nchw(b, data_type<T>(), 1, p.O, 1, 1);
    CUDNN(cudnnAddTensor, s.handle(), &one, b, bias, &one, d.y, y);
  }
  check_launch("cudnnConvolutionForward");
}

template <typename T>
void conv2d_backward_input(const Conv2dParams& p, const T* gy, const T* w, T* gx) {
  if (degenerate(p)) return cuda::conv2d_backward_input<T>(ConvKernel::ImplicitGemm, p, gy, w, gx);
  Session s;
  const ConvDescriptors<T> d(p);
  const Plan plan = plan_for(s, Pass::BackwardData, p, d);
  void* workspace = s.workspace(plan.workspace_bytes);
  const T one = 1, zero = 0;
  CUDNN(cudnnConvolutionBackwardData, s.handle(), &one, d.w, w, d.y, gy, d.conv,
        static_cast<cudnnConvolutionBwdDataAlgo_t>(plan.algorithm), workspace, plan.workspace_bytes, &zero, d.x, gx);
  check_launch("cudnnConvolutionBackwardData");
}

template <typename T>
void conv2d_backward_weight(const Conv2dParams& p, const T* x, const T* gy, T* gw) {
  if (degenerate(p)) return cuda::conv2d_backward_weight<T>(ConvKernel::ImplicitGemm, p, x, gy, gw);
  Session s;
  const ConvDescriptors<T> d(p);
  const Plan plan = plan_for(s, Pass::BackwardFilter, p, d);
  void* workspace = s.workspace(plan.workspace_bytes);
  const T one = 1, zero = 0;
  CUDNN(cudnnConvolutionBackwardFilter, s.handle(), &one, d.x, x, d.y, gy, d.conv,
        static_cast<cudnnConvolutionBwdFilterAlgo_t>(plan.algorithm), workspace, plan.workspace_bytes, &zero, d.w, gw);
  check_launch("cudnnConvolutionBackwardFilter");
}

// Deterministic max pooling: the backward pass gives the same bits every run.
template <typename T>
void max_pool2d_forward(const Pool2dParams& p, const T* x, T* y) {
  pool_forward<T>(CUDNN_POOLING_MAX_DETERMINISTIC, p, x, y);
}
template <typename T>
void max_pool2d_backward(const Pool2dParams& p, const T* x, const T* y, const T* gy, T* gx) {
  pool_backward<T>(CUDNN_POOLING_MAX_DETERMINISTIC, p, x, y, gy, gx);
}
template <typename T>
void avg_pool2d_forward(const Pool2dParams& p, const T* x, T* y) {
  pool_forward<T>(avg_mode(p), p, x, y);
}
template <typename T>
void avg_pool2d_backward(const Pool2dParams& p, const T* x, const T* y, const T* gy, T* gx) {
  pool_backward<T>(avg_mode(p), p, x, y, gy, gx);
}

template <typename T>
void activation_forward(Activation a, std::int64_t n, double elu_alpha, const T* x, T* y) {
  if (n <= 0) return;
  Session s;
  ActivationDescriptor act("cudnnCreateActivationDescriptor");
  CUDNN(cudnnSetActivationDescriptor, act, activation_mode(a), CUDNN_PROPAGATE_NAN,
        a == Activation::Elu ? elu_alpha : 0.0);
  const T one = 1, zero = 0;
  in_chunks(n, [&](std::int64_t start, std::int64_t count) {
    TensorDescriptor d("cudnnCreateTensorDescriptor");
    set_nchw(d, data_type<T>(), 1, 1, 1, count);
    CUDNN(cudnnActivationForward, s.handle(), act, &one, d, x + start, &zero, d, y + start);
  });
  check_launch("cudnnActivationForward");
}

template <typename T>
void activation_backward(Activation a, std::int64_t n, double elu_alpha, const T* x, const T* y, const T* gy, T* gx) {
  if (n <= 0) return;
  Session s;
  ActivationDescriptor act("cudnnCreateActivationDescriptor");
  CUDNN(cudnnSetActivationDescriptor, act, activation_mode(a), CUDNN_PROPAGATE_NAN,
        a == Activation::Elu ? elu_alpha : 0.0);
  const T one = 1, zero = 0;
  in_chunks(n, [&](std::int64_t start, std::int64_t count) {
    TensorDescriptor d("cudnnCreateTensorDescriptor");
    set_nchw(d, data_type<T>(), 1, 1, 1, count);
    CUDNN(cudnnActivationBackward, s.handle(), act, &one, d, y + start, d, gy + start, d, x + start, &zero, d,
          gx + start);
  });
  check_launch("cudnnActivationBackward");
}

#define ADVGRAD_CUDNN_INSTANTIATE(T)                                                           \
  template void conv2d_forward<T>(const Conv2dParams&, const T*, const T*, const T*, T*);      \
  template void conv2d_backward_input<T>(const Conv2dParams&, const T*, const T*, T*);         \
  template void conv2d_backward_weight<T>(const Conv2dParams&, const T*, const T*, T*);        \
  template void max_pool2d_forward<T>(const Pool2dParams&, const T*, T*);                      \
  template void max_pool2d_backward<T>(const Pool2dParams&, const T*, const T*, const T*, T*); \
  template void avg_pool2d_forward<T>(const Pool2dParams&, const T*, T*);                      \
  template void avg_pool2d_backward<T>(const Pool2dParams&, const T*, const T*, const T*, T*); \
  template void activation_forward<T>(Activation, std::int64_t, double, const T*, T*);         \
  template void activation_backward<T>(Activation, std::int64_t, double, const T*, const T*, const T*, T*);
ADVGRAD_CUDNN_INSTANTIATE(float)
ADVGRAD_CUDNN_INSTANTIATE(double)
#undef ADVGRAD_CUDNN_INSTANTIATE
#undef CUDNN

}  // namespace cudnn
ADVGRAD_CUDA_NAMESPACE_END

#endif  // !defined(ADVGRAD_CUDA_EMULATED)
