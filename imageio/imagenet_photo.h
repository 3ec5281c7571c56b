#pragma once
// Photos as an ImageNet network's evaluation sees them: decoded (PNG or
// JPEG, by content), the shorter side resized to 256 and the centre 224 x 224
// cropped (data::imagenet_eval_transform), pixels in [0, 1]. The networks of
// the zoo normalise inside (nn::ScaleShift), so these stay pixels and an
// attack's eps stays in pixel units.
#include <string>
#include <vector>

#include "advgrad/core/tensor.h"

namespace advgrad::imageio {

// [1, 3, 224, 224] float32 on the CPU; errors name the path.
Tensor read_imagenet_photo(const std::string& path);

// The PNG and JPEG files directly in `dir` (by extension: .png, .jpg, .jpeg,
// any case), sorted by name; an error naming `dir` when it is not a directory.
std::vector<std::string> list_photos(const std::string& dir);

}  // namespace advgrad::imageio
