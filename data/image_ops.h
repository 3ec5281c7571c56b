#pragma once
// Small image operations on one float image [C, H, W] (row-major, values in
// [0, 1] by convention), for the common corruptions (eval/corruptions.h)
// and the noise of Noisy Student training (training/noisy_student.h). This is
// data processing on host buffers, not a differentiable op: nothing here
// touches Tensor or autograd.
//
// Coordinates: x to the right, y down, pixel (x, y) at integer positions; the
// centre of an image is ((W - 1) / 2, (H - 1) / 2).
#include <cstdint>
#include <vector>

namespace advgrad::data {

struct ImageShape {
  std::int64_t channels = 1, height = 1, width = 1;
  std::int64_t numel() const { return channels * height * width; }
};

// Bilinear sample of channel c at real position (x, y); neighbours outside the
// image count as 0 (zero fill), so the border fades instead of smearing.
double bilinear_zero(const float* image, const ImageShape& s, std::int64_t c, double x, double y);

// Rotation about the centre by `degrees`, counter-clockwise as seen on screen
// (y down). Each output pixel p samples the input at R(-theta) (p - centre) +
// centre, i.e. with d = p - centre, c = cos theta, s = sin theta:
//   src_x = cx + c dx - s dy,   src_y = cy + s dx + c dy,
// bilinear with zero fill outside the image.
std::vector<float> rotate_image(const float* image, const ImageShape& s, double degrees);

// Translation by (dx, dy) whole pixels (right and down positive); uncovered
// pixels become 0: out(x, y) = in(x - dx, y - dy).
std::vector<float> shift_image(const float* image, const ImageShape& s, std::int64_t dx, std::int64_t dy);

// Separable Gaussian blur: a 1-D kernel k(t) ~ exp(-t^2 / (2 sigma^2)) for
// |t| <= ceil(3 sigma), normalised to sum 1, applied along rows then columns.
// The border replicates the edge pixel (clamped index), so a constant image
// stays exactly constant and the mean of an image is (nearly) preserved.
// sigma must be > 0.
std::vector<float> gaussian_blur_image(const float* image, const ImageShape& s, double sigma);
std::vector<double> gaussian_kernel(double sigma);  // the 1-D kernel, length 2 ceil(3 sigma) + 1

// Contrast: x' = m + factor (x - m) with m the mean over the whole image (all
// channels), the definition of ImageNet-C. factor in [0, 1] pulls every pixel
// towards the mean.
std::vector<float> contrast_image(const float* image, const ImageShape& s, double factor);

}  // namespace advgrad::data
