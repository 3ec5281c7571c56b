#include "advgrad/imageio/image_folder.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <numeric>

#include "advgrad/core/error.h"
#include "advgrad/core/generator.h"
#include "advgrad/data/image_transforms.h"
#include "advgrad/imageio/image_file.h"

namespace advgrad::imageio {
namespace fs = std::filesystem;
namespace {

bool is_image_name(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png";
}

bool hidden(const fs::path& p) { return p.filename().string().rfind('.', 0) == 0; }

std::vector<fs::path> sorted_entries(const fs::path& dir, bool directories) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (hidden(e.path())) continue;
    if (directories ? e.is_directory() : (e.is_regular_file() && is_image_name(e.path()))) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// One image as 3 x size x size uint8 (RGB), appended to `pixels`.
void append_image(const fs::path& path, std::int64_t size, std::vector<std::uint8_t>& pixels) {
  Image img;
  try {
    img = read_image(path.string(), Channels::Rgb);
  } catch (const Error& e) {
    detail::fail("load_image_folder: cannot decode ", path.string(), ": ", e.what());
  }
  const Tensor t = data::center_crop(data::resize_shorter_side(to_tensor(img), size), size, size);
  for (double x : t.to_double_vector())
    pixels.push_back(static_cast<std::uint8_t>(std::lround(std::clamp(x, 0.0, 1.0) * 255.0)));
}

}  // namespace

data::Dataset load_image_folder(const std::string& dir, std::int64_t size, std::int64_t channels) {
  ADVGRAD_CHECK(size >= 1 && size <= kMaxSide, "load_image_folder: size must be in 1..", kMaxSide, ", got ", size);
  ADVGRAD_CHECK(channels == 1 || channels == 3, "load_image_folder: channels must be 1 or 3, got ", channels);
  ADVGRAD_CHECK(fs::is_directory(dir), "load_image_folder: ", dir, " is not a directory");
  const std::vector<fs::path> classes = sorted_entries(dir, true);
  ADVGRAD_CHECK(!classes.empty(), "load_image_folder: ", dir,
                " has no class sub-directories (expected DIR/<class>/<image>.jpg|jpeg|png)");
  data::Dataset out;
  out.name = fs::path(dir).filename().string();
  if (out.name.empty()) out.name = fs::path(dir).parent_path().filename().string();
  out.channels = 3;  // decoded as RGB; grey is converted at the end (data::convert_dataset's luma)
  out.height = out.width = size;
  out.classes = static_cast<std::int64_t>(classes.size());
  for (std::size_t k = 0; k < classes.size(); ++k) {
    out.class_names.push_back(classes[k].filename().string());
    const std::vector<fs::path> files = sorted_entries(classes[k], false);
    ADVGRAD_CHECK(!files.empty(), "load_image_folder: class directory ", classes[k].string(),
                  " has no .jpg, .jpeg or .png files");
    for (const auto& f : files) {
      append_image(f, size, out.pixels);
      out.labels.push_back(static_cast<std::int64_t>(k));
    }
  }
  out.validate();
  return channels == 3 ? out : data::convert_dataset(out, channels, 0, 0);
}

data::Split load_image_folder_split(const std::string& dir, std::int64_t size, std::int64_t channels,
                                    std::uint64_t seed) {
  const fs::path root(dir);
  if (fs::is_directory(root / "train")) {
    const fs::path test = fs::is_directory(root / "test") ? root / "test" : root / "val";
    ADVGRAD_CHECK(fs::is_directory(test), "load_image_folder: ", dir, " has train/ but no test/ or val/");
    data::Split s{load_image_folder((root / "train").string(), size, channels),
                  load_image_folder(test.string(), size, channels)};
    ADVGRAD_CHECK(s.train.class_names == s.test.class_names, "load_image_folder: ", dir,
                  ": train/ and ", test.filename().string(), "/ have different class directories");
    s.train.name = s.test.name = root.filename().string();
    return s;
  }
  const data::Dataset all = load_image_folder(dir, size, channels);
  // Per class: a seeded shuffle of its indices, the first fifth to test.
  Generator gen(seed);
  std::vector<std::int64_t> train_idx, test_idx;
  for (std::int64_t k = 0; k < all.classes; ++k) {
    std::vector<std::int64_t> idx;
    for (std::int64_t i = 0; i < all.size(); ++i)
      if (all.labels[static_cast<std::size_t>(i)] == k) idx.push_back(i);
    for (std::size_t i = idx.size(); i > 1; --i) std::swap(idx[i - 1], idx[gen.next_u32() % i]);
    const std::size_t n_test = idx.size() >= 2 ? std::max<std::size_t>(1, idx.size() / 5) : 0;
    test_idx.insert(test_idx.end(), idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(n_test));
    train_idx.insert(train_idx.end(), idx.begin() + static_cast<std::ptrdiff_t>(n_test), idx.end());
  }
  std::sort(train_idx.begin(), train_idx.end());
  std::sort(test_idx.begin(), test_idx.end());
  ADVGRAD_CHECK(!test_idx.empty(), "load_image_folder: ", dir, " has too few images to hold out a test set");
  return {all.select(train_idx), all.select(test_idx)};
}

}  // namespace advgrad::imageio
