#pragma once
// ImageNet-C's corruptions on colour photos (Hendrycks & Dietterich 2019,
// "Benchmarking Neural Network Robustness to Common Corruptions and
// Perturbations"), at the five severities of the paper's released parameters
// for 224 x 224 images. Applied, as there, to the network's input after the
// evaluation crop (shorter side 256, centre 224; data/imagenet.h):
//
//   corruption        parameter (data/colour_corruptions.h)     1        2        3        4        5
//   gaussian_noise    sigma of N(0, sigma^2)                    .08      .12      .18      .26      .38
//   shot_noise        photons: Poisson(c x) / c                 60       25       12       5        3
//   impulse_noise     fraction of values set to 0 or 1          .03      .06      .09      .17      .27
//   defocus_blur      disk radius, alias sigma                  3,.1     4,.5     6,.5     8,.5     10,.5
//   motion_blur       radius, sigma (angle U(-45, 45) deg)      10,3     15,5     15,8     15,12    20,15
//   brightness        + to HSV's V                              .1       .2       .3       .4       .5
//   contrast          factor c in m + c (x - m)                 .4       .3       .2       .1       .05
//   fog               strength, decay of the plasma cloud       1.5,2    2,2      2.5,1.7  2.5,1.5  3,1.4
//   pixelate          box down to factor x size, back up        .6       .5       .4       .3       .25
//   jpeg_compression  JPEG quality                              25       18       15       10       7
//
// The parameters are the paper's; the operations are this project's own
// implementations of the same definitions (the blurs replicate the border
// where OpenCV reflects it, and the motion blur's kernel is ImageMagick's
// one-sided Gaussian with whole-pixel offsets). Values are clamped to [0, 1]
// and stay float (ImageNet-C stores its corrupted images as JPEG; here only
// jpeg_compression quantises).
//
// Randomness (the noises, the fog's cloud, the motion's angle) comes from one
// Generator per (seed, image index, corruption, severity): each gets its own
// range of 2^40 Philox counters, so a photo's corrupted bytes depend on those
// four numbers only, not on which other photos or corruptions ran.
//
// JPEG needs imageio/'s codec, which eval/ may not include (docs/design.md):
// the caller passes it as a JpegRoundTrip, imageio::jpeg_round_trip
// (imageio/jpeg_encoder.h). Asking for jpeg_compression without one is an error.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "advgrad/core/tensor.h"
#include "advgrad/data/image_ops.h"

namespace advgrad::eval {

using JpegRoundTrip = std::function<std::vector<float>(const float* image, const data::ImageShape& s, int quality)>;

// The ten names above, in that order.
const std::vector<std::string>& photo_corruption_names();

// The parameter at a severity, as the table writes it ("0.08", "3, 0.1");
// throws advgrad::Error naming `who` for an unknown corruption or a severity
// outside 1..5.
std::string photo_corruption_setting(const std::string& corruption, int severity,
                                     const char* who = "photo_corruption_setting");

// The corrupted copy of one image [C, H, W] (float32 or float64, values in
// [0, 1], C = 1 or 3), float32 on the CPU. `index` is the image's number in
// its set (the seed rule above; 0 .. 2^17 - 1).
Tensor corrupt_photo(const Tensor& image, const std::string& corruption, int severity, std::uint64_t seed,
                     std::int64_t index, const JpegRoundTrip& jpeg = {});

}  // namespace advgrad::eval
