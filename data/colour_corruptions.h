#pragma once
// The image operations of ImageNet-C's corruptions (Hendrycks & Dietterich
// 2019, "Benchmarking Neural Network Robustness to Common Corruptions and
// Perturbations") on one float image [C, H, W] (row-major, values in [0, 1]),
// colour or grey. The severity table that picks their parameters, and JPEG
// compression (which needs imageio/'s codec), are eval/photo_corruptions.h;
// the grey-image set of Fashion-MNIST is eval/corruptions.h.
//
// Every function takes its parameters explicitly and returns a new image,
// clamped to [0, 1]; the random ones draw from the Generator they are given,
// in a fixed order (row-major over channel, y, x), so the same generator state
// gives the same bytes. Coordinates as data/image_ops.h: x right, y down.
// Like data/image_ops.h these are loops on host buffers, not Tensor ops.
#include <cstdint>
#include <vector>

#include "advgrad/core/generator.h"
#include "advgrad/data/image_ops.h"

namespace advgrad::data {

// x + N(0, sigma^2), independently per value (Box-Muller on the generator).
std::vector<float> gaussian_noise_image(const float* image, const ImageShape& s, double sigma, Generator& gen);

// Photon (shot) noise: Poisson(photons * x) / photons per value, so a pixel
// of brightness x collects photons * x photons on average and its relative
// noise is 1 / sqrt(photons * x). Poisson draws by inversion: one uniform u
// per value, the smallest k with P(K <= k) > u.
std::vector<float> shot_noise_image(const float* image, const ImageShape& s, double photons, Generator& gen);
// One Poisson(lambda) draw by inversion from the uniform u in [0, 1).
std::int64_t poisson_inverse(double lambda, double u);

// Salt-and-pepper noise: each value independently, with probability
// `amount`, becomes 1 or 0 (even odds); per value as in ImageNet-C (which
// applies scikit-image's s&p noise to the H x W x 3 array), so a pixel may
// turn pure red. Two uniforms per value: u1 < amount picks it, u2 < 0.5 salt.
std::vector<float> impulse_noise_image(const float* image, const ImageShape& s, double amount, Generator& gen);

// Defocus blur: convolution with a disk of radius r (1 where dx^2 + dy^2 <=
// r^2), whose jagged rim is softened ("anti-aliased") by a 3 x 3 Gaussian of
// sigma alias_sigma, normalised to sum 1. The border replicates the edge pixel.
// r >= 0.5 and alias_sigma > 0.
std::vector<float> defocus_blur_image(const float* image, const ImageShape& s, double radius, double alias_sigma);
// The 2-D kernel, (2R + 1) x (2R + 1) row-major with R = ceil(r) + 1.
std::vector<double> defocus_kernel(double radius, double alias_sigma);

// Motion blur along a straight line, one-sided as ImageMagick's -motion-blur
// (which ImageNet-C uses): 2 radius + 1 taps i = 0..2 radius with weights
// w_i ~ exp(-i^2 / (2 sigma^2)), normalised to sum 1, and
//   out(p) = sum_i w_i in(p + round(i (cos a, sin a)))
// with `a` the angle in degrees (0: along +x; positive turns towards +y), the
// border replicating the edge pixel. The nearest taps weigh most, so an edge
// leaves a fading streak. radius >= 1 (whole pixels), sigma > 0.
std::vector<float> motion_blur_image(const float* image, const ImageShape& s, std::int64_t radius, double sigma,
                                     double angle_degrees);

// Brightness: ImageNet-C adds `delta` to the V of HSV and clips it to [0, 1],
// keeping hue and saturation. Since V = max(r, g, b) and every RGB component
// is V times a function of (H, S), that is a scaling of the pixel:
//   rgb' = rgb * V' / V,  V' = min(V + delta, 1)
// and a black pixel (V = 0, S = 0 by convention) becomes grey (V', V', V').
// For C channels the same with V = max over the channels (grey: x + delta).
std::vector<float> brightness_image(const float* image, const ImageShape& s, double delta);

// Contrast as ImageNet-C: x' = m_c + factor (x - m_c) with m_c the mean of
// channel c (data::contrast_image uses one mean over all channels, the same
// for grey images).
std::vector<float> channel_contrast_image(const float* image, const ImageShape& s, double factor);

// A plasma fractal (diamond-square midpoint displacement on a periodic
// size x size grid, size a power of two >= 2): value 0 at the origin; at each
// level, with step h the half of the current square side, every square's
// centre and then every edge midpoint becomes the mean of its four neighbours
// at distance h plus a uniform draw in [-a, a]; the amplitude a starts at 1
// and shrinks by decay^2 per level (ImageNet-C's "wibble" w shrinks by decay
// and the displacement is w U(-w, w)). Finally mapped linearly onto [0, 1]
// (min 0, max 1). Smaller decay: rougher, patchier haze.
std::vector<double> plasma_fractal(std::int64_t size, double decay, Generator& gen);

// Fog (haze): a plasma cloud added to every channel, then the whole image
// scaled so its brightest clean value stays put:
//   out = (x + strength * cloud(y, x)) * M / (M + strength),  M = max over the image
// `cloud` holds at least H x W values in [0, 1], row-major with row length
// cloud_width (the top-left H x W window is used).
std::vector<float> fog_image(const float* image, const ImageShape& s, double strength, const std::vector<double>& cloud,
                             std::int64_t cloud_width);
// The same with a fresh plasma_fractal (size: the smallest power of two >= max(H, W)).
std::vector<float> fog_image(const float* image, const ImageShape& s, double strength, double decay, Generator& gen);

// Area resampling (PIL's BOX filter) of one line of n values to m values:
// output j is the mean of the input over [j n / m, (j + 1) n / m), each
// input pixel a unit-wide constant piece.
std::vector<double> box_resample(const std::vector<double>& line, std::int64_t m);
// Pixelation: box-downsampled to floor(factor W) x floor(factor H) (at least
// 1 x 1) and box-upsampled back, separably (rows, then columns). factor in (0, 1].
std::vector<float> pixelate_image(const float* image, const ImageShape& s, double factor);

}  // namespace advgrad::data
