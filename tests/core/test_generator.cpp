// Randomness: reproducible bits per (seed, thread count), exact state
// save/restore, and the distributions' ranges and moments.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "advgrad/kernels/random.h"
#include "expect_error.h"
#include "testing.h"

namespace advgrad {
namespace {

using testing::expect_error;

const TensorOptions kF64{.dtype = DType::Float64};

// Every random factory, drawn in sequence from one generator.
std::vector<std::vector<double>> draw_all(Generator& gen) {
  return {rand({1001}, gen).to_double_vector(),
          randn({777}, gen, kF64).to_double_vector(),
          uniform({5, 7}, -3.0, 2.0, gen).to_double_vector(),
          normal({33}, 1.0, 0.5, gen, kF64).to_double_vector(),
          randint(-5, 9, {100}, gen).to_double_vector(),
          bernoulli({257}, 0.3, gen).to_double_vector(),
          randperm(50, gen).to_double_vector()};
}

TEST(Generator, SameSeedSameBits) {
  Generator a(1234), b(1234);
  const auto da = draw_all(a), db = draw_all(b);
  for (std::size_t i = 0; i < da.size(); ++i) EXPECT_EQ(da[i], db[i]) << "draw " << i;
  EXPECT_EQ(a.state(), b.state());
  // manual_seed restarts the stream.
  a.manual_seed(1234);
  EXPECT_EQ(draw_all(a), da);
}

TEST(Generator, DifferentSeedsDiffer) {
  Generator a(1), b(2);
  const auto da = draw_all(a), db = draw_all(b);
  for (std::size_t i = 0; i < da.size(); ++i) EXPECT_NE(da[i], db[i]) << "draw " << i;
  // Successive draws from one generator differ too (the offset advances).
  Generator c(7);
  EXPECT_NE(rand({64}, c).to_double_vector(), rand({64}, c).to_double_vector());
  EXPECT_NE(c.next_u32(), c.next_u32());
}

TEST(Generator, StateSaveRestoreReproducesTheContinuation) {
  Generator gen(99);
  rand({13}, gen);  // advance to an odd place
  randint(0, 10, {3}, gen);
  const Generator::State saved = gen.state();
  const auto first = draw_all(gen);
  const double host = gen.next_double();
  gen.set_state(saved);
  EXPECT_EQ(draw_all(gen), first);
  EXPECT_EQ(gen.next_double(), host);
  // A copy of the state in another generator continues identically.
  Generator other;
  other.set_state(saved);
  EXPECT_EQ(draw_all(other), first);
}

TEST(Generator, SameBitsWithOneAndTwoThreads) {
  const int before = get_num_threads();
  auto draw = [](int threads) {
    set_num_threads(threads);
    Generator gen(2024);
    // Large enough to be split across threads (chunks of >= 16384 elements).
    return std::vector<std::vector<double>>{rand({100003}, gen).to_double_vector(),
                                            randn({70001}, gen, kF64).to_double_vector(),
                                            bernoulli({65537}, 0.5, gen).to_double_vector()};
  };
  const auto one = draw(1), two = draw(2);
  set_num_threads(before);
  for (std::size_t i = 0; i < one.size(); ++i) EXPECT_EQ(one[i], two[i]) << "draw " << i;
  expect_error([] { set_num_threads(0); }, {"set_num_threads", "n >= 1"});
}

// The float32 and float64 draws of one stream are two roundings of the same bits.
TEST(Generator, DtypesShareTheStream) {
  Generator a(5), b(5);
  const auto f = rand({1000}, a).to_double_vector();
  const auto d = rand({1000}, b, kF64).to_double_vector();
  for (std::size_t i = 0; i < f.size(); ++i) ASSERT_NEAR(f[i], d[i], 1e-7) << i;
}

TEST(Generator, UniformStaysInItsHalfOpenRange) {
  Generator gen(3);
  for (auto [lo, hi] : {std::pair{0.0, 1.0}, std::pair{-2.5, -1.0}, std::pair{10.0, 10.5}}) {
    for (DType dt : {DType::Float32, DType::Float64}) {
      const auto v = uniform({100000}, lo, hi, gen, {.dtype = dt}).to_double_vector();
      const auto [mn, mx] = std::minmax_element(v.begin(), v.end());
      EXPECT_GE(*mn, lo);
      EXPECT_LT(*mx, hi);
      // Covers the range: both ends are approached.
      EXPECT_LT(*mn, lo + (hi - lo) * 1e-3);
      EXPECT_GT(*mx, hi - (hi - lo) * 1e-3);
      const double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
      // Mean of U[lo, hi): (lo+hi)/2 with std (hi-lo)/sqrt(12 n); allow 5 sigma.
      EXPECT_NEAR(mean, (lo + hi) / 2, 5 * (hi - lo) / std::sqrt(12.0 * 1e5));
    }
  }
  const auto c = uniform({10}, 2.0, 2.0, gen).to_double_vector();  // degenerate range
  EXPECT_EQ(c, std::vector<double>(10, 2.0));
  expect_error([&] { uniform({2}, 1.0, 0.0, gen); }, {"uniform: lo (1) must not exceed hi (0)"});
  expect_error([&] { rand({2}, gen, {.dtype = DType::Int64}); }, {"uniform: needs a floating-point dtype", "int64"});
}

TEST(Generator, NormalMomentsWithinStatisticalBounds) {
  Generator gen(11);
  const double mu = 2.0, sigma = 3.0;
  const std::int64_t n = 100000;
  for (DType dt : {DType::Float32, DType::Float64}) {
    const auto v = normal({n}, mu, sigma, gen, {.dtype = dt}).to_double_vector();
    double mean = 0, m2 = 0, m3 = 0, m4 = 0;
    for (double x : v) mean += x;
    mean /= n;
    for (double x : v) {
      const double d = (x - mean) / sigma;
      m2 += d * d;
      m3 += d * d * d;
      m4 += d * d * d * d;
    }
    m2 /= n;
    m3 /= n;
    m4 /= n;
    // 5-sigma bounds: se(mean) = sigma/sqrt(n); se(var/sigma^2) = sqrt(2/n);
    // se(skew) = sqrt(6/n); se(kurtosis) = sqrt(24/n).
    EXPECT_NEAR(mean, mu, 5 * sigma / std::sqrt(static_cast<double>(n)));
    EXPECT_NEAR(m2, 1.0, 5 * std::sqrt(2.0 / n));
    EXPECT_NEAR(m3, 0.0, 5 * std::sqrt(6.0 / n));
    EXPECT_NEAR(m4, 3.0, 5 * std::sqrt(24.0 / n));
    // Tails: P(|z| > 3) = 0.0027.
    const auto beyond = std::count_if(v.begin(), v.end(), [&](double x) { return std::fabs(x - mu) > 3 * sigma; });
    EXPECT_NEAR(static_cast<double>(beyond) / n, 0.0027, 5 * std::sqrt(0.0027 / n));
  }
  expect_error([&] { normal({2}, 0.0, -1.0, gen); }, {"normal: stddev must be >= 0"});
}

TEST(Generator, RandintWithinRangeAndCoversIt) {
  Generator gen(17);
  Tensor r = randint(-3, 4, {20000}, gen);
  EXPECT_EQ(r.dtype(), DType::Int64);
  const auto v = r.to_int_vector();
  std::vector<int> counts(7, 0);
  for (auto x : v) {
    ASSERT_GE(x, -3);
    ASSERT_LT(x, 4);
    ++counts[x + 3];
  }
  for (int c : counts) EXPECT_NEAR(c, 20000 / 7.0, 5 * std::sqrt(20000 / 7.0));
  EXPECT_EQ(randint(5, 6, {10}, gen).to_int_vector(), std::vector<std::int64_t>(10, 5));
  // A range wider than 2^32 works too (64-bit draws).
  const std::int64_t big = std::int64_t{1} << 40;
  const auto w = randint(-big, big, {1000}, gen).to_int_vector();
  EXPECT_TRUE(std::all_of(w.begin(), w.end(), [&](std::int64_t x) { return x >= -big && x < big; }));
  EXPECT_TRUE(std::any_of(w.begin(), w.end(), [&](std::int64_t x) { return x > (std::int64_t{1} << 33); }));
  EXPECT_EQ(randint(0, 3, {4}, gen, kF64).dtype(), DType::Float64);
  expect_error([&] { randint(3, 3, {1}, gen); }, {"randint: empty range [3, 3)"});
}

TEST(Generator, RandpermIsAPermutation) {
  Generator gen(23);
  for (std::int64_t n : {0, 1, 2, 17, 1000}) {
    Tensor p = randperm(n, gen);
    EXPECT_EQ(p.dtype(), DType::Int64);
    EXPECT_EQ(p.shape(), (Shape{n}));
    auto v = p.to_int_vector();
    std::sort(v.begin(), v.end());
    std::vector<std::int64_t> iota(static_cast<std::size_t>(n));
    std::iota(iota.begin(), iota.end(), 0);
    EXPECT_EQ(v, iota);
  }
  // Shuffled, not the identity; and each position takes every value over many draws.
  std::vector<std::int64_t> identity(1000);
  std::iota(identity.begin(), identity.end(), 0);
  EXPECT_NE(randperm(1000, gen).to_int_vector(), identity);
  std::set<std::int64_t> first;
  for (int i = 0; i < 200; ++i) first.insert(randperm(5, gen).to_int_vector()[0]);
  EXPECT_EQ(first.size(), 5u);
  expect_error([&] { randperm(-1, gen); }, {"randperm: n must be >= 0"});
}

TEST(Generator, BernoulliRate) {
  Generator gen(29);
  const auto v = bernoulli({100000}, 0.3, gen).to_double_vector();
  EXPECT_TRUE(std::all_of(v.begin(), v.end(), [](double x) { return x == 0.0 || x == 1.0; }));
  const double rate = std::accumulate(v.begin(), v.end(), 0.0) / 1e5;
  EXPECT_NEAR(rate, 0.3, 5 * std::sqrt(0.3 * 0.7 / 1e5));
  EXPECT_EQ(bernoulli({50}, 0.0, gen).to_double_vector(), std::vector<double>(50, 0.0));
  EXPECT_EQ(bernoulli({50}, 1.0, gen).to_double_vector(), std::vector<double>(50, 1.0));
  expect_error([&] { bernoulli({2}, 1.5, gen); }, {"bernoulli: p must be in [0, 1], got 1.5"});
}

TEST(Generator, HostDraws) {
  Generator gen(31);
  double lo = 1, hi = 0;
  for (int i = 0; i < 10000; ++i) {
    const double d = gen.next_double();
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_GE(lo, 0.0);
  EXPECT_LT(hi, 1.0);
  EXPECT_LT(lo, 1e-3);
  EXPECT_GT(hi, 1 - 1e-3);
  expect_error([&] { gen.next_int(2, 1); }, {"Generator::next_int: empty range [2, 1)"});
  // The default generator is seedable.
  manual_seed(77);
  const auto a = rand({8}, default_generator()).to_double_vector();
  manual_seed(77);
  EXPECT_EQ(rand({8}, default_generator()).to_double_vector(), a);
}

// Philox4x32-10 known answer (Random123's kat_vectors: counter 0, key 0).
TEST(Generator, PhiloxKnownAnswer) {
  const auto r = kernels::philox4x32(0, 0);
  EXPECT_EQ(r, (std::array<std::uint32_t, 4>{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}));
}

}  // namespace
}  // namespace advgrad
