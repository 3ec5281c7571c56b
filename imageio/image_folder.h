#pragma once
// An image-folder data set: DIR/<class>/<image>, one sub-directory per class
// (torchvision's ImageFolder layout). Classes are the sub-directories sorted
// by name (label 0 is the first); images are the files ending in .jpg, .jpeg
// or .png (any case), sorted by name; other files and hidden entries are
// ignored. Each image is decoded (PNG or JPEG, by content), converted to
// `channels` (3: RGB, grey repeated; 1: the luma of data::convert_dataset), resized so its shorter side
// is `size` and centre-cropped to size x size (data/image_transforms.h).
//
// Errors (advgrad::Error, naming the path): a missing directory, one without
// class sub-directories, a class without images, a file that does not decode.
//
// A split: DIR/train/<class> and DIR/test/<class> (or DIR/val/<class>) when
// DIR/train exists; otherwise every class is split by a seeded shuffle, a
// fifth of its images (at least one, when it has two or more) to the test set.
#include <cstdint>
#include <string>

#include "advgrad/data/dataset.h"

namespace advgrad::imageio {

data::Dataset load_image_folder(const std::string& dir, std::int64_t size, std::int64_t channels);
data::Split load_image_folder_split(const std::string& dir, std::int64_t size, std::int64_t channels,
                                   std::uint64_t seed);

}  // namespace advgrad::imageio
