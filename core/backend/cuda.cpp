#include "advgrad/core/backend/cuda.h"

#include <atomic>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <utility>

#include "advgrad/core/backend/backend.h"
#include "advgrad/core/error.h"
#if defined(ADVGRAD_WITH_CUDNN)
#include "advgrad/kernels/cuda/cudnn/cudnn_ops.h"
#endif

namespace advgrad::cuda {

namespace {
CudaRuntime* runtime() { return registered_cuda_runtime(); }

CudaRuntime& available_runtime(int device) {
  CudaRuntime* r = runtime();
  ADVGRAD_CHECK(r != nullptr, "cuda: this build of advgrad has no CUDA backend");
  const int count = r->device_count();
  ADVGRAD_CHECK(count > 0, "cuda: no CUDA device is available (", r->unavailable_reason(), ")");
  ADVGRAD_CHECK(device >= 0 && device < count, "cuda: no device cuda:", device, " (", count, " device(s))");
  return *r;
}

template <typename E>
E from_name(const char* what, const std::string& text, std::initializer_list<std::pair<const char*, E>> choices) {
  std::string known;
  for (const auto& [name, value] : choices) {
    if (text == name) return value;
    known += known.empty() ? name : std::string(", ") + name;
  }
  detail::fail(what, "=", text, ": expected one of ", known);
}

template <typename E>
E from_environment(const char* name, E fallback, std::initializer_list<std::pair<const char*, E>> choices) {
  const char* env = std::getenv(name);
  if (env == nullptr || *env == '\0') return fallback;
  return from_name(name, env, choices);
}

// One table for the environment and parse_conv_algorithm, so the two agree.
constexpr std::initializer_list<std::pair<const char*, ConvAlgorithm>> kConvNames = {
    {"direct", ConvAlgorithm::Direct}, {"implicit-gemm", ConvAlgorithm::ImplicitGemm}, {"cudnn", ConvAlgorithm::Cudnn}};

std::atomic<ConvAlgorithm>& conv_choice() {
  static std::atomic<ConvAlgorithm> choice{
      from_environment("ADVGRAD_CUDA_CONV", ConvAlgorithm::ImplicitGemm, kConvNames)};
  return choice;
}
std::atomic<GemmAlgorithm>& gemm_choice() {
  static std::atomic<GemmAlgorithm> choice{from_environment(
      "ADVGRAD_CUDA_GEMM", GemmAlgorithm::Cublas, {{"cublas", GemmAlgorithm::Cublas}, {"tiled", GemmAlgorithm::Tiled}})};
  return choice;
}
}  // namespace

bool is_available() { return device_count() > 0; }

int device_count() {
  CudaRuntime* r = runtime();
  return r == nullptr ? 0 : r->device_count();
}

std::string describe() {
  CudaRuntime* r = runtime();
  if (r == nullptr) return "none: this build of advgrad has no CUDA backend";
  const int count = r->device_count();
  if (count == 0) return "none: " + r->unavailable_reason();
  std::string text = r->name() + ":";
  for (int i = 0; i < count; ++i) text += (i ? ", " : " ") + r->device_name(i);
  return text;
}

MemoryStats memory_stats(int device) { return available_runtime(device).memory_stats(device); }
void reset_peak_memory_stats(int device) { available_runtime(device).reset_peak_memory_stats(device); }
void empty_cache() {
  if (CudaRuntime* r = runtime(); r != nullptr && r->device_count() > 0) r->empty_cache();
}
void synchronize(int device) { available_runtime(device).backend(device).synchronize(); }
double time_ms(const std::function<void()>& work, int device) { return available_runtime(device).time_ms(device, work); }

void set_conv_algorithm(ConvAlgorithm algorithm) { conv_choice().store(algorithm); }
ConvAlgorithm conv_algorithm() { return conv_choice().load(); }
ConvAlgorithm parse_conv_algorithm(const std::string& name) { return from_name("conv algorithm", name, kConvNames); }
const char* conv_algorithm_name(ConvAlgorithm algorithm) {
  for (const auto& [name, value] : kConvNames)
    if (value == algorithm) return name;
  return "unknown";
}

bool cudnn_available() {
#if defined(ADVGRAD_WITH_CUDNN)
  // Only the real runtime reaches cuDNN; the emulated device never does.
  CudaRuntime* r = runtime();
  if (r == nullptr || r->name() != "cuda" || r->device_count() == 0) return false;
  return kernels::cuda::cudnn::usable();
#else
  return false;
#endif
}
void set_gemm_algorithm(GemmAlgorithm algorithm) { gemm_choice().store(algorithm); }
GemmAlgorithm gemm_algorithm() { return gemm_choice().load(); }

}  // namespace advgrad::cuda
