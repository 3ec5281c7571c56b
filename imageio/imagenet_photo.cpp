#include "advgrad/imageio/imagenet_photo.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "advgrad/core/error.h"
#include "advgrad/data/imagenet.h"
#include "advgrad/imageio/image_file.h"

namespace advgrad::imageio {

Tensor read_imagenet_photo(const std::string& path) {
  return data::imagenet_eval_transform(to_tensor(read_image(path))).unsqueeze(0);
}

std::vector<std::string> list_photos(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  ADVGRAD_CHECK(fs::is_directory(dir, ec), "list_photos: '", dir, "' is not a directory");
  std::vector<std::string> paths;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::string ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext == ".png" || ext == ".jpg" || ext == ".jpeg") paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

}  // namespace advgrad::imageio
