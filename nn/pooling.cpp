#include "advgrad/nn/pooling.h"

namespace advgrad::nn {
namespace {
Pool2dOptions square(std::int64_t k, std::int64_t s, std::int64_t p) {
  Pool2dOptions o;
  o.kernel_h = o.kernel_w = k;
  o.stride_h = o.stride_w = s == 0 ? k : s;
  o.pad_h = o.pad_w = p;
  return o;
}
std::string describe(const Pool2dOptions& o) {
  return "kernel=" + std::to_string(o.kernel_h) + ", stride=" + std::to_string(o.stride_h) +
         (o.pad_h ? ", padding=" + std::to_string(o.pad_h) : "");
}
}  // namespace

MaxPool2d::MaxPool2d(std::int64_t k, std::int64_t s, std::int64_t p) : options_(square(k, s, p)) {}
std::string MaxPool2d::extra_repr() const { return describe(options_); }
AvgPool2d::AvgPool2d(std::int64_t k, std::int64_t s, std::int64_t p) : options_(square(k, s, p)) {}
std::string AvgPool2d::extra_repr() const { return describe(options_); }

}  // namespace advgrad::nn
