#include "advgrad/kernels/cpu/cpu_features.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace advgrad::kernels::cpu {
namespace {

Isa detect() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma"))
    return Isa::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::Avx2;
#endif
  return Isa::Scalar;
}

Isa env_limit() {
  const char* env = std::getenv("ADVGRAD_CPU_ISA");
  if (env == nullptr) return Isa::Avx512;
  if (std::strcmp(env, "scalar") == 0) return Isa::Scalar;
  if (std::strcmp(env, "avx2") == 0) return Isa::Avx2;
  return Isa::Avx512;
}

std::atomic<int>& limit() {
  static std::atomic<int> l{static_cast<int>(env_limit())};
  return l;
}

}  // namespace

Isa cpu_isa_supported() {
  static const Isa isa = detect();
  return isa;
}

Isa cpu_isa() {
  const int cap = limit().load(std::memory_order_relaxed);
  const int have = static_cast<int>(cpu_isa_supported());
  return static_cast<Isa>(have < cap ? have : cap);
}

void set_cpu_isa_limit(Isa l) { limit().store(static_cast<int>(l), std::memory_order_relaxed); }

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return "avx512";
    case Isa::Avx2: return "avx2";
    default: return "scalar";
  }
}

}  // namespace advgrad::kernels::cpu
