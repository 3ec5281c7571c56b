#include "advgrad/nn/conv2d.h"

#include <cmath>

namespace advgrad::nn {

Conv2d::Conv2d(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel_size, Generator& gen,
               Conv2dOptions options, bool with_bias)
    : in_(in_channels), out_(out_channels), kernel_(kernel_size), options_(options) {
  ADVGRAD_CHECK(in_channels > 0 && out_channels > 0 && kernel_size > 0 && options.groups > 0, "Conv2d: channels, ",
                "kernel size and groups must be positive");
  ADVGRAD_CHECK(in_channels % options.groups == 0 && out_channels % options.groups == 0, "Conv2d: groups (",
                options.groups, ") must divide in_channels (", in_channels, ") and out_channels (", out_channels, ")");
  const double fan_in = static_cast<double>(in_channels / options.groups * kernel_size * kernel_size);
  const double bound = 1.0 / std::sqrt(fan_in);
  register_parameter("weight", weight,
                     uniform({out_channels, in_channels / options.groups, kernel_size, kernel_size}, -bound, bound, gen));
  if (with_bias) register_parameter("bias", bias, uniform({out_channels}, -bound, bound, gen));
}

Tensor Conv2d::forward(const Tensor& x) { return conv2d(x, weight, bias, options_); }

std::string Conv2d::extra_repr() const {
  std::string s = std::to_string(in_) + ", " + std::to_string(out_) + ", kernel=" + std::to_string(kernel_);
  if (options_.stride_h != 1) s += ", stride=" + std::to_string(options_.stride_h);
  if (options_.pad_h != 0) s += ", padding=" + std::to_string(options_.pad_h);
  if (options_.dilation_h != 1) s += ", dilation=" + std::to_string(options_.dilation_h);
  if (options_.groups != 1) s += ", groups=" + std::to_string(options_.groups);
  if (!bias.defined()) s += ", bias=false";
  return s;
}

}  // namespace advgrad::nn
