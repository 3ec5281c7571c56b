// Data readers (IDX, CIFAR-10), the synthetic digits and the DataLoader.
#include <zlib.h>

#include <filesystem>
#include <random>

#include "advgrad/data/data_loader.h"
#include "advgrad/data/dataset.h"
#include "testing.h"

namespace advgrad::data {
namespace {

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

std::string idx_images(std::uint32_t n, std::uint32_t rows, std::uint32_t cols) {
  std::string s = be32(2051) + be32(n) + be32(rows) + be32(cols);
  for (std::uint32_t i = 0; i < n * rows * cols; ++i) s.push_back(static_cast<char>(i % 251));
  return s;
}

template <typename F>
void expect_error(F f, const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "no error; expected: " << fragment;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(Idx, ParsesImagesAndLabels) {
  IdxImages im = parse_idx_images(idx_images(3, 2, 4), "t");
  EXPECT_EQ(im.count, 3);
  EXPECT_EQ(im.rows, 2);
  EXPECT_EQ(im.cols, 4);
  EXPECT_EQ(im.pixels[5], 5);
  auto labels = parse_idx_labels(be32(2049) + be32(3) + std::string{1, 9, 0}, "t");
  EXPECT_EQ(labels, (std::vector<std::int64_t>{1, 9, 0}));
}

TEST(Idx, RejectsCorruptAndTruncatedFiles) {
  std::string good = idx_images(3, 2, 4);
  expect_error([&] { parse_idx_images(good.substr(0, good.size() - 1), "t"); }, "truncated or corrupt");
  expect_error([&] { parse_idx_images(good.substr(0, 10), "t"); }, "too short");
  std::string bad_magic = good;
  bad_magic[3] = 1;
  expect_error([&] { parse_idx_images(bad_magic, "t"); }, "expected 2051");
  expect_error([&] { parse_idx_labels(be32(2049) + be32(5) + "ab", "t"); }, "promises 5 labels");
  expect_error([&] { parse_idx_images(be32(2051) + be32(1) + be32(0) + be32(4), "t"); }, "implausible");
}

TEST(Idx, GzipFilesAndMissingDirectories) {
  const auto dir = std::filesystem::path(::testing::TempDir()) / "advgrad_idx_test";
  std::filesystem::create_directories(dir);
  // A truncated gzip stream must be reported, not read as a short file.
  {
    std::FILE* f = std::fopen((dir / "broken.gz").c_str(), "wb");
    const unsigned char header[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0x4b, 0x4c};
    std::fwrite(header, 1, sizeof header, f);
    std::fclose(f);
  }
  expect_error([&] { read_maybe_gzip((dir / "broken.gz").string()); }, "corrupt or truncated gzip");
  expect_error([&] { load_mnist((dir / "nothing").string()); }, "does not exist");
  expect_error([&] { load_mnist(dir.string()); }, "has no train-images-idx3-ubyte");
  std::filesystem::remove_all(dir);
}

std::string gzip(const std::string& raw) {
  uLongf n = compressBound(raw.size()) + 32;
  std::string out(n, '\0');
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

TEST(Gzip, MembersBombsTruncationAndTrailingBytes) {
  std::mt19937 gen(std::random_device{}());
  std::string raw(1000 + gen() % 5000, '\0');
  for (auto& c : raw) c = static_cast<char>(gen() % 7);
  EXPECT_EQ(gunzip_if_gzip(raw, "plain"), raw);  // not gzip: unchanged
  EXPECT_EQ(gunzip_if_gzip(gzip(raw), "one"), raw);
  EXPECT_EQ(gunzip_if_gzip(gzip(raw.substr(0, 333)) + gzip(raw.substr(333)), "two members"), raw);
  const std::string bomb = gzip(std::string(3u << 20, '\0'));  // 3 MB of zeros in a few kB
  expect_error([&] { gunzip_if_gzip(bomb, "bomb", 1u << 20); }, "more than 1048576 bytes");
  const std::string z = gzip(raw);
  expect_error([&] { gunzip_if_gzip(z.substr(0, z.size() / 2), "half"); }, "corrupt or truncated gzip");
  expect_error([&] { gunzip_if_gzip(z + "junk", "tail"); }, "4 bytes of trailing data");
  std::string flipped = z;
  flipped[z.size() - 6] ^= 0x55;  // the CRC-32 in the trailer
  expect_error([&] { gunzip_if_gzip(flipped, "crc"); }, "corrupt or truncated gzip");
}

TEST(Idx, DevicesAndDirectoriesAreRefusedByName) {
  expect_error([] { read_maybe_gzip("/dev/zero"); }, "a character device");
  expect_error([] { read_maybe_gzip(::testing::TempDir()); }, "a directory");
}

TEST(Cifar, ParsesRecordsAndRejectsPartialOnes) {
  std::string rec(3073, '\x07');
  rec[0] = 4;
  Dataset d = parse_cifar10_batches({rec + rec}, {"b"}, "cifar10");
  EXPECT_EQ(d.size(), 2);
  EXPECT_EQ(d.labels[1], 4);
  EXPECT_EQ(d.channels, 3);
  expect_error([&] { parse_cifar10_batches({rec.substr(0, 3000)}, {"b"}, "cifar10"); }, "3073-byte records");
  rec[0] = 12;
  expect_error([&] { parse_cifar10_batches({rec}, {"b"}, "cifar10"); }, "label 12");
}

TEST(SyntheticDigits, DeterministicBalancedAndNotBlank) {
  Split a = make_synthetic_digits(200, 50, 7), b = make_synthetic_digits(200, 50, 7), c = make_synthetic_digits(200, 50, 8);
  EXPECT_EQ(a.train.pixels, b.train.pixels);
  EXPECT_NE(a.train.pixels, c.train.pixels);
  EXPECT_NE(a.train.pixels, std::vector<std::uint8_t>(a.train.pixels.size(), a.train.pixels[0]));
  std::vector<int> counts(10);
  for (auto y : a.train.labels) counts[y]++;
  for (int k : counts) EXPECT_EQ(k, 20);
  // Mean intensity in a plausible range for strokes on a dark background.
  double mean = 0;
  for (auto p : a.train.pixels) mean += p / 255.0;
  mean /= static_cast<double>(a.train.pixels.size());
  EXPECT_GT(mean, 0.05);
  EXPECT_LT(mean, 0.4);
}

TEST(DataLoader, BatchesShufflingDeterminismAndDropLast) {
  Split s = make_synthetic_digits(103, 10, 1);
  LoaderOptions o;
  o.batch_size = 10;
  o.seed = 3;
  DataLoader a(s.train, o), b(s.train, o);
  EXPECT_EQ(a.batches_per_epoch(), 11);
  Batch x, y;
  std::vector<std::int64_t> seen;
  while (a.next(x)) {
    ASSERT_TRUE(b.next(y));
    EXPECT_EQ(x.indices, y.indices);
    EXPECT_EQ(x.images.shape()[1], 1);
    seen.insert(seen.end(), x.indices.begin(), x.indices.end());
  }
  std::sort(seen.begin(), seen.end());
  for (std::int64_t i = 0; i < 103; ++i) EXPECT_EQ(seen[i], i);
  a.start_epoch(1);
  a.next(x);
  b.start_epoch(0);
  b.next(y);
  EXPECT_NE(x.indices, y.indices) << "each epoch has its own order";
  o.drop_last = true;
  DataLoader c(s.train, o);
  EXPECT_EQ(c.batches_per_epoch(), 10);
  int n = 0;
  while (c.next(x)) {
    ++n;
    EXPECT_EQ(x.labels.numel(), 10);
  }
  EXPECT_EQ(n, 10);
  EXPECT_THROW(DataLoader(s.train, LoaderOptions{.batch_size = 0}), Error);
}

TEST(DataLoader, PixelsBecomeUnitFloatsAndAugmentationKeepsShape) {
  Split s = make_synthetic_digits(8, 2, 1);
  Tensor t = s.train.images_tensor({0});
  EXPECT_EQ(t.dtype(), DType::Float32);
  EXPECT_NEAR(t.to_double_vector()[5], s.train.pixels[5] / 255.0, 1e-7);
  LoaderOptions o;
  o.batch_size = 4;
  o.crop_padding = 2;
  o.horizontal_flip = true;
  DataLoader l(s.train, o);
  Batch b;
  ASSERT_TRUE(l.next(b));
  EXPECT_EQ(b.images.shape(), (Shape{4, 1, 28, 28}));
  EXPECT_LE(amax(b.images).item(), 1.0);
}

}  // namespace
}  // namespace advgrad::data
