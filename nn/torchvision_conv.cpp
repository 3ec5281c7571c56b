#include "advgrad/nn/torchvision_conv.h"

#include "advgrad/nn/init.h"

namespace advgrad::nn {

std::shared_ptr<Conv2d> torchvision_conv(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel,
                                         std::int64_t stride, Generator& gen, std::int64_t groups) {
  Conv2dOptions o;
  o.pad_h = o.pad_w = (kernel - 1) / 2;
  o.stride_h = o.stride_w = stride;
  o.groups = groups;
  auto conv = std::make_shared<Conv2d>(in_channels, out_channels, kernel, gen, o, false);
  init::kaiming_normal_(conv->weight, gen, 0.0, init::FanMode::FanOut);
  return conv;
}

}  // namespace advgrad::nn
