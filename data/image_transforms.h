#pragma once
// Resizing and cropping whole images, the preprocessing of an ImageNet
// network (resize the shorter side to 256, centre-crop 224), computed as PIL
// and torchvision (antialias=True) compute them. Images are float tensors
// [C, H, W] or [N, C, H, W] (float32 or float64, any device: the work is done
// in double on the host), normally in [0, 1] (imageio::to_tensor). These are
// data preparation, not differentiable ops: the result does not require grad.
// The math is in docs/images.md.
#include <cstdint>
#include <vector>

#include "advgrad/core/tensor.h"
#include "advgrad/data/dataset.h"

namespace advgrad::data {

// The 1-D filters, as functions of the distance t in input pixels:
//   Bilinear (triangle, support 1):  k(t) = max(0, 1 - |t|)
//   Bicubic (Keys, a = -0.5, support 2):
//     k(t) = (a + 2)|t|^3 - (a + 3)|t|^2 + 1          for |t| <= 1
//            a|t|^3 - 5a|t|^2 + 8a|t| - 4a            for 1 < |t| < 2
//            0                                        otherwise
enum class ResizeFilter { Bilinear, Bicubic };
double resize_filter(ResizeFilter filter, double t);

// Which inputs each output sample of one axis reads, and with what weights.
// Output i (of out_size) covers input positions [i s, (i + 1) s), s = in/out,
// centred at c = (i + 0.5) s. When shrinking (s > 1) the filter is stretched
// by s (antialiasing: every input pixel contributes, as in a box average);
// when enlarging it is used as is. With f = max(s, 1) and support r = R f
// (R = 1 or 2 above):
//   inputs j = first[i] .. first[i] + count[i] - 1, clipped to [0, in_size),
//   w_ij = k((j + 0.5 - c) / f), normalised to sum 1 over those j.
// (Pillow's resampling, src/libImaging/Resample.c, used by torchvision too.)
struct ResampleWeights {
  std::vector<std::int64_t> first, count;  // per output sample
  std::int64_t taps = 0;                   // the stride of `weights`: 2 ceil(R f) + 1 >= every count
  std::vector<double> weights;             // out_size * taps, zero-padded
};
ResampleWeights resample_weights(std::int64_t in_size, std::int64_t out_size, ResizeFilter filter);

// Resizes the last two dimensions to height x width: along the width first,
// then along the height (intermediate in double). Bicubic can overshoot
// [0, 1] at sharp edges; clamp afterwards where a valid pixel range matters.
Tensor resize_image(const Tensor& image, std::int64_t height, std::int64_t width,
                    ResizeFilter filter = ResizeFilter::Bilinear);

// torchvision's Resize(size) with an int: the shorter side becomes `size`,
// the longer floor(size * long / short), keeping the aspect ratio.
Tensor resize_shorter_side(const Tensor& image, std::int64_t size, ResizeFilter filter = ResizeFilter::Bilinear);

// torchvision's CenterCrop: the height x width window at top = round((H -
// height) / 2), left = round((W - width) / 2), rounding halves to even as
// Python's round() does. The window must fit inside the image.
Tensor center_crop(const Tensor& image, std::int64_t height, std::int64_t width);

// A whole data set converted for a network that wants other images, e.g.
// Fashion-MNIST (1 x 28 x 28) for a pretrained ImageNet network (3 x S x S):
//   channels  1 -> 3: the grey value repeated in R, G and B;
//             3 -> 1: luma 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601, PIL's "L");
//   size      resize_image (bilinear, antialiased when shrinking) to height x width.
// Pixels are rounded back to uint8. 0 keeps the data set's own value.
// Memory: n * channels * height * width bytes (60,000 images at 3 x 64 x 64 are 737 MB).
Dataset convert_dataset(const Dataset& data, std::int64_t channels, std::int64_t height, std::int64_t width);

}  // namespace advgrad::data
