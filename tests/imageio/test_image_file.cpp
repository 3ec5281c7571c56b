// Image files by their magic bytes, to_tensor's layout, and the real photos of
// scripts/fetch-photos.sh when they are in the cache (visibly skipped otherwise).
#include <filesystem>
#include <fstream>
#include <numeric>

#include "advgrad/imageio/image_file.h"
#include "advgrad/imageio/png_codec.h"
#include "advgrad/io/cache_dir.h"
#include "expect_error.h"
#include "imageio/jpeg_fixture.h"
#include "testing.h"

namespace advgrad::imageio {
namespace {

using advgrad::testing::encode_jpeg;
using advgrad::testing::expect_error;
namespace fs = std::filesystem;

const Image kTwoByOne{2, 1, 3, {10, 20, 30, 40, 50, 60}};

TEST(ImageFile, FormatIsToldByMagicBytesNotTheName) {
  const std::string png = encode_png(kTwoByOne), jpeg = encode_jpeg(kTwoByOne);
  EXPECT_EQ(sniff_format(png), ImageFormat::Png);
  EXPECT_EQ(sniff_format(jpeg), ImageFormat::Jpeg);
  EXPECT_EQ(decode_image(png, "misnamed.jpg").pixels, kTwoByOne.pixels);  // a PNG, whatever its name
  EXPECT_EQ(decode_image(jpeg, "misnamed.png").width, 2);
  expect_error([] { decode_image("GIF89a...", "cat.gif"); },
               {"decode_image", "cat.gif", "not a PNG or JPEG", "47 49 46 38 39 61 2e 2e"});
  expect_error([] { decode_image("", "empty.png"); }, {"decode_image", "empty.png", "empty"});
  expect_error([&] { decode_image(png.substr(0, 7), "short.png"); }, {"decode_image", "short.png"});
}

TEST(ImageFile, ReadImageNamesThePath) {
  const fs::path dir = testing::temp_dir("image_file");
  const std::string path = (dir / "pic.dat").string();
  std::ofstream(path, std::ios::binary) << encode_jpeg(kTwoByOne);
  EXPECT_EQ(read_image(path).height, 1);
  std::ofstream(path, std::ios::binary) << "not an image";
  expect_error([&] { read_image(path); }, {"decode_image", path.c_str()});
  const std::string missing = (dir / "missing.png").string();
  expect_error([&] { read_image(missing); }, {missing.c_str()});
  fs::remove_all(dir);
}

TEST(ImageFile, ToTensorIsPlanarFloatInZeroOne) {
  const Tensor t = to_tensor(kTwoByOne);
  EXPECT_EQ(t.shape(), (Shape{3, 1, 2}));
  EXPECT_EQ(t.dtype(), DType::Float32);
  // channel-major: R of both pixels, then G, then B
  const std::vector<double> want{10, 40, 20, 50, 30, 60};
  const std::vector<double> got = t.to_double_vector();
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_FLOAT_EQ(got[i], want[i] / 255.0);
  expect_error([] { to_tensor(Image{}); }, {"to_tensor"});
}

// The photos of scripts/fetch-photos.sh: width x height (all are colour) and
// the sum of all their decoded 8-bit samples as Pillow 9.4 (with Debian's
// libjpeg-turbo) decodes them, horse.png's alpha composited over white.
struct Photo {
  const char* name;
  int width, height;
  std::uint64_t sample_sum;
};
constexpr Photo kPhotos[] = {
    {"astronaut.png", 512, 512, 90124324},
    {"chelsea.png", 451, 300, 46802357},
    {"coffee.png", 600, 400, 71003487},
    {"horse.png", 400, 328, 67175772},
    {"motorcycle_left.png", 741, 500, 119713739},
    {"rocket.jpg", 640, 427, 53516744},
    {"grace_hopper.jpg", 512, 600, 74139337},
    {"dog.jpg", 768, 576, 169954419},
    {"eagle.jpg", 773, 512, 94182922},
    {"giraffe.jpg", 500, 500, 60485154},
    {"horses.jpg", 773, 512, 153048701},
    {"kite.jpg", 1352, 900, 722571703},
    {"person.jpg", 640, 424, 130624895},
    {"scream.jpg", 352, 448, 40129864},
};

TEST(ImagePhotos, AllFourteenDecodeAsPillowDecodesThem) {
  std::string dir;
  try {
    dir = io::cache_path("photos");
  } catch (const Error&) {
  }
  if (dir.empty() || !fs::is_regular_file(fs::path(dir) / kPhotos[0].name))
    GTEST_SKIP() << "no photos in '" << dir << "': run scripts/fetch-photos.sh to fetch them";
  for (const Photo& p : kPhotos) {
    const Image im = read_image((fs::path(dir) / p.name).string());
    EXPECT_EQ(im.width, p.width) << p.name;
    EXPECT_EQ(im.height, p.height) << p.name;
    EXPECT_EQ(im.channels, 3) << p.name;
    EXPECT_EQ(std::accumulate(im.pixels.begin(), im.pixels.end(), std::uint64_t{0}), p.sample_sum) << p.name;
  }
}

}  // namespace
}  // namespace advgrad::imageio
