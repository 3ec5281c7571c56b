// A photo prepared as an ImageNet network takes it, in pixel space: decoded
// (PNG or JPEG, told by its first bytes), [3, H, W] in [0, 1], the shorter
// side resized to 256 (bicubic, antialiased as torchvision), the centre
// 224 x 224 cropped. The network's own normalisation stays inside the model,
// so an attack's eps is measured on these pixels.
//   example_prepare_photo [PHOTO | --quick]
// Without PHOTO it takes coffee.png from the photo cache
// (scripts/fetch-photos.sh) or, when that is absent, a synthetic picture.
// Exits 1 with one line on stderr if the photo cannot be read, or if the
// prepared tensor is not [3, 224, 224] in [0, 1].
// docs/images.md quotes the [snippet:...] region below.
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <advgrad/advgrad.h>
#include <advgrad/imageio/image_file.h>
#include <advgrad/imageio/png_codec.h>
#include <advgrad/io/cache_dir.h>

using namespace advgrad;

namespace {

// A 300 x 200 colour ramp, encoded and decoded like a file would be.
imageio::Image synthetic_photo() {
  imageio::Image im{300, 200, 3, std::vector<std::uint8_t>(300 * 200 * 3)};
  for (int y = 0; y < 200; ++y)
    for (int x = 0; x < 300; ++x)
      for (int c = 0; c < 3; ++c)
        im.pixels[(y * 300 + x) * 3 + c] = static_cast<std::uint8_t>(c == 0   ? x * 255 / 299
                                                                     : c == 1 ? y * 255 / 199
                                                                              : 128);
  return imageio::decode_image(imageio::encode_png(im), "synthetic.png");
}

imageio::Image load(int argc, char** argv, std::string* name) {
  if (argc > 1 && std::strcmp(argv[1], "--quick") != 0) return imageio::read_image(*name = argv[1]);
  const std::string cached = io::cache_path("photos") + "/coffee.png";
  if (std::filesystem::is_regular_file(cached)) return imageio::read_image(*name = cached);
  *name = "a synthetic picture (run scripts/fetch-photos.sh for real photos)";
  return synthetic_photo();
}

int prepare(int argc, char** argv) {
  std::string name;
  const imageio::Image photo = load(argc, argv, &name);
  // [snippet:prepare]
  Tensor x = imageio::to_tensor(photo);                                // [3, H, W] in [0, 1]
  x = data::resize_shorter_side(x, 256, data::ResizeFilter::Bicubic);  // [3, 256, 256 W / H]
  x = data::center_crop(x, 224, 224);                                  // [3, 224, 224]
  x = clamp(x, 0.0, 1.0);  // bicubic overshoots [0, 1] a little at sharp edges
  // [/snippet]
  const Tensor channel_means = mean(x, {1, 2});
  std::printf("%s: %dx%d, prepared %s, channel means %s\n", name.c_str(), photo.width, photo.height,
              shape_str(x.shape()).c_str(), channel_means.str().c_str());
  const bool ok = x.shape() == Shape{3, 224, 224} && amin(x).item() >= 0 && amax(x).item() <= 1;
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return prepare(argc, argv);
  } catch (const Error& e) {  // e.g. a corrupt, truncated or unknown file
    std::fprintf(stderr, "example_prepare_photo: %s\n", e.what());
    return 1;
  }
}
