// The image-folder data set: classes sorted by name, images decoded, resized
// and converted; every malformed layout is one clear error naming the path.
#include <filesystem>
#include <fstream>

#include "advgrad/imageio/image_folder.h"
#include "advgrad/imageio/png_codec.h"
#include "expect_error.h"
#include "jpeg_fixture.h"
#include "testing.h"

namespace advgrad::imageio {
namespace {
namespace fs = std::filesystem;

// A w x h image of `channels` whose every pixel is `value` (+ c for channel c).
Image flat_image(int w, int h, int channels, int value) {
  Image img{.width = w, .height = h, .channels = channels, .pixels = {}};
  for (int i = 0; i < w * h; ++i)
    for (int c = 0; c < channels; ++c) img.pixels.push_back(static_cast<std::uint8_t>(value + c));
  return img;
}

void write_file(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(ImageFolder, ClassesSortedImagesResizedAndConverted) {
  const fs::path dir = testing::temp_dir("image_folder_ok");
  // Classes created out of order; odd sizes; a grey PNG, colour PNGs, a JPEG, an ignored text file.
  write_file(dir / "zebra" / "b.png", encode_png(flat_image(13, 9, 3, 200)));
  write_file(dir / "zebra" / "a.PNG", encode_png(flat_image(7, 11, 1, 40)));
  write_file(dir / "ant" / "x.jpg", testing::encode_jpeg(flat_image(17, 17, 3, 90), 95));
  write_file(dir / "ant" / "notes.txt", "not an image");
  write_file(dir / "ant" / ".hidden.png", "skipped");
  const data::Dataset d = load_image_folder(dir.string(), 5, 3);
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"ant", "zebra"}));
  EXPECT_EQ(d.labels, (std::vector<std::int64_t>{0, 1, 1}));
  EXPECT_EQ(d.channels, 3);
  EXPECT_EQ(d.height, 5);
  EXPECT_EQ(d.width, 5);
  ASSERT_EQ(d.pixels.size(), 3U * 3 * 25);
  // zebra/a.PNG is grey 40 repeated into R, G, B; zebra/b.png is (200, 201, 202).
  EXPECT_EQ(d.pixels[75], 40);
  EXPECT_EQ(d.pixels[75 + 25], 40);
  EXPECT_EQ(d.pixels[150], 200);
  EXPECT_EQ(d.pixels[150 + 2 * 25 + 24], 202);
  EXPECT_NEAR(d.pixels[0], 90, 3);  // JPEG: lossy
  // One channel: luma of (200, 201, 202) = 200.815 -> 201.
  const data::Dataset grey = load_image_folder(dir.string(), 4, 1);
  EXPECT_EQ(grey.channels, 1);
  EXPECT_EQ(grey.pixels[16 * 2], 201);
  EXPECT_EQ(grey.pixels[16], 40);

  // Split: a fifth of each class (at least one) to the test set, by seed.
  for (int i = 0; i < 6; ++i) write_file(dir / "ant" / ("more" + std::to_string(i) + ".png"), encode_png(flat_image(6, 6, 3, i)));
  const data::Split s = load_image_folder_split(dir.string(), 6, 3, 7);
  EXPECT_EQ(s.test.size(), 2);  // ant: 7 images -> 1; zebra: 2 -> 1
  EXPECT_EQ(s.train.size(), 7);
  EXPECT_EQ(s.train.classes, 2);
}

TEST(ImageFolder, TrainAndTestSubdirectories) {
  const fs::path dir = testing::temp_dir("image_folder_split");
  for (const char* part : {"train", "test"})
    for (const char* cls : {"cat", "dog"}) write_file(dir / part / cls / "1.png", encode_png(flat_image(8, 8, 3, 10)));
  write_file(dir / "train" / "dog" / "2.png", encode_png(flat_image(8, 8, 3, 10)));
  const data::Split s = load_image_folder_split(dir.string(), 8, 3, 0);
  EXPECT_EQ(s.train.size(), 3);
  EXPECT_EQ(s.test.size(), 2);
  fs::create_directories(dir / "test" / "emu");
  write_file(dir / "test" / "emu" / "1.png", encode_png(flat_image(8, 8, 3, 10)));
  testing::expect_error([&] { (void)load_image_folder_split(dir.string(), 8, 3, 0); }, {std::string("different class directories").c_str()});
}

TEST(ImageFolder, ClearErrors) {
  const fs::path dir = testing::temp_dir("image_folder_bad");
  testing::expect_error([&] { (void)load_image_folder((dir / "missing").string(), 8, 3); }, {std::string("is not a directory").c_str()});
  write_file(dir / "loose.png", encode_png(flat_image(4, 4, 3, 1)));
  testing::expect_error([&] { (void)load_image_folder(dir.string(), 8, 3); }, {std::string("has no class sub-directories").c_str()});
  fs::create_directories(dir / "empty");
  write_file(dir / "full" / "a.png", encode_png(flat_image(4, 4, 3, 1)));
  testing::expect_error([&] { (void)load_image_folder(dir.string(), 8, 3); }, {std::string((dir / "empty").string() + " has no .jpg").c_str()});
  fs::remove_all(dir / "empty");
  write_file(dir / "full" / "broken.jpg", "GIF89a not really");
  testing::expect_error([&] { (void)load_image_folder(dir.string(), 8, 3); }, {std::string("cannot decode " + (dir / "full" / "broken.jpg").string()).c_str()});
  testing::expect_error([&] { (void)load_image_folder(dir.string(), 8, 2); }, {std::string("channels must be 1 or 3").c_str()});
  testing::expect_error([&] { (void)load_image_folder(dir.string(), 0, 3); }, {std::string("size must be").c_str()});
}

}  // namespace
}  // namespace advgrad::imageio
