#pragma once
// Element types. float32 is the default; float64 is for gradient checks and
// references; int64 holds labels and indices.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "advgrad/core/error.h"

namespace advgrad {

enum class DType : std::uint8_t { Float32, Float64, Int64 };

constexpr std::size_t dtype_size(DType t) { return t == DType::Float32 ? 4 : 8; }
constexpr bool is_floating(DType t) { return t != DType::Int64; }
constexpr std::string_view dtype_name(DType t) {
  switch (t) {
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Int64: return "int64";
  }
  return "?";
}

template <typename T> struct dtype_of;
template <> struct dtype_of<float> { static constexpr DType value = DType::Float32; };
template <> struct dtype_of<double> { static constexpr DType value = DType::Float64; };
template <> struct dtype_of<std::int64_t> { static constexpr DType value = DType::Int64; };

template <typename T> struct type_tag { using type = T; };

// dispatch_floating(dtype, "op", [&](auto tag) { using T = typename decltype(tag)::type; ... })
// runs the body with T = float or double; int64 is an error naming the op.
template <typename F>
decltype(auto) dispatch_floating(DType t, std::string_view op, F&& f) {
  switch (t) {
    case DType::Float32: return f(type_tag<float>{});
    case DType::Float64: return f(type_tag<double>{});
    default: break;
  }
  detail::fail(op, ": expected a floating-point tensor (float32 or float64), got ", dtype_name(t));
}

// Same, including int64.
template <typename F>
decltype(auto) dispatch_all(DType t, F&& f) {
  switch (t) {
    case DType::Float32: return f(type_tag<float>{});
    case DType::Float64: return f(type_tag<double>{});
    case DType::Int64: break;
  }
  return f(type_tag<std::int64_t>{});
}

}  // namespace advgrad
