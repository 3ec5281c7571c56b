#include "advgrad/eval/photo_corruptions.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>

#include "advgrad/core/error.h"
#include "advgrad/core/generator.h"
#include "advgrad/data/colour_corruptions.h"

namespace advgrad::eval {
namespace {

// One corruption: its name and up to two parameters per severity (the second
// is 0 where there is none).
struct Spec {
  const char* name;
  std::array<std::array<double, 2>, 5> p;
};

constexpr std::array<Spec, 10> kSpecs{{
    {"gaussian_noise", {{{.08, 0}, {.12, 0}, {.18, 0}, {.26, 0}, {.38, 0}}}},
    {"shot_noise", {{{60, 0}, {25, 0}, {12, 0}, {5, 0}, {3, 0}}}},
    {"impulse_noise", {{{.03, 0}, {.06, 0}, {.09, 0}, {.17, 0}, {.27, 0}}}},
    {"defocus_blur", {{{3, .1}, {4, .5}, {6, .5}, {8, .5}, {10, .5}}}},
    {"motion_blur", {{{10, 3}, {15, 5}, {15, 8}, {15, 12}, {20, 15}}}},
    {"brightness", {{{.1, 0}, {.2, 0}, {.3, 0}, {.4, 0}, {.5, 0}}}},
    {"contrast", {{{.4, 0}, {.3, 0}, {.2, 0}, {.1, 0}, {.05, 0}}}},
    {"fog", {{{1.5, 2}, {2, 2}, {2.5, 1.7}, {2.5, 1.5}, {3, 1.4}}}},
    {"pixelate", {{{.6, 0}, {.5, 0}, {.4, 0}, {.3, 0}, {.25, 0}}}},
    {"jpeg_compression", {{{25, 0}, {18, 0}, {15, 0}, {10, 0}, {7, 0}}}},
}};
constexpr std::size_t kJpeg = 9;

// Position of `corruption` in kSpecs, checked with its severity.
std::size_t spec_index(const std::string& corruption, int severity, const char* who) {
  const auto it = std::find_if(kSpecs.begin(), kSpecs.end(), [&](const Spec& s) { return corruption == s.name; });
  if (it == kSpecs.end()) {
    std::ostringstream known;
    for (const Spec& s : kSpecs) known << (&s == kSpecs.data() ? "" : ", ") << s.name;
    detail::fail(who, ": unknown corruption '", corruption, "' (known: ", known.str(), ")");
  }
  ADVGRAD_CHECK(1 <= severity && severity <= 5, who, ": severity must be in 1..5, got ", severity);
  return static_cast<std::size_t>(it - kSpecs.begin());
}

constexpr std::int64_t kMaxIndex = std::int64_t{1} << 17;  // 17 + 4 + 3 + 40 bits of Philox offset

}  // namespace

const std::vector<std::string>& photo_corruption_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const Spec& s : kSpecs) v.emplace_back(s.name);
    return v;
  }();
  return names;
}

std::string photo_corruption_setting(const std::string& corruption, int severity, const char* who) {
  const auto& p = kSpecs[spec_index(corruption, severity, who)].p[static_cast<std::size_t>(severity - 1)];
  std::ostringstream s;
  s << p[0];
  if (p[1] != 0) s << ", " << p[1];
  return s.str();
}

Tensor corrupt_photo(const Tensor& image, const std::string& corruption, int severity, std::uint64_t seed,
                     std::int64_t index, const JpegRoundTrip& jpeg) {
  const char* who = "corrupt_photo";
  const std::size_t which = spec_index(corruption, severity, who);
  ADVGRAD_CHECK(image.dim() == 3 && (image.size(0) == 1 || image.size(0) == 3) && image.numel() > 0, who,
                ": expected an image [C, H, W] with C = 1 or 3, got ", shape_str(image.shape()));
  ADVGRAD_CHECK(index >= 0 && index < kMaxIndex, who, ": image index must be in [0, ", kMaxIndex, "), got ", index);
  ADVGRAD_CHECK(which != kJpeg || jpeg, who, ": jpeg_compression needs a JPEG codec (imageio::jpeg_round_trip)");
  const data::ImageShape s{image.size(0), image.size(1), image.size(2)};
  const std::vector<float> x = image.detach().to(Device::cpu()).to(DType::Float32).contiguous().to_vector<float>();
  const auto& p = kSpecs[which].p[static_cast<std::size_t>(severity - 1)];
  Generator gen(seed);
  gen.set_state({seed, ((static_cast<std::uint64_t>(index) * 16 + which) * 8 + static_cast<std::uint64_t>(severity))
                           << 40});
  std::vector<float> out;
  switch (which) {
    case 0: out = data::gaussian_noise_image(x.data(), s, p[0], gen); break;
    case 1: out = data::shot_noise_image(x.data(), s, p[0], gen); break;
    case 2: out = data::impulse_noise_image(x.data(), s, p[0], gen); break;
    case 3: out = data::defocus_blur_image(x.data(), s, p[0], p[1]); break;
    case 4: {
      const double angle = -45 + 90 * gen.next_double();
      out = data::motion_blur_image(x.data(), s, static_cast<std::int64_t>(p[0]), p[1], angle);
      break;
    }
    case 5: out = data::brightness_image(x.data(), s, p[0]); break;
    case 6: out = data::channel_contrast_image(x.data(), s, p[0]); break;
    case 7: out = data::fog_image(x.data(), s, p[0], p[1], gen); break;
    case 8: out = data::pixelate_image(x.data(), s, p[0]); break;
    default: out = jpeg(x.data(), s, static_cast<int>(p[0])); break;
  }
  ADVGRAD_CHECK(static_cast<std::int64_t>(out.size()) == s.numel(), who, ": the JPEG codec returned ", out.size(),
                " values for ", s.numel());
  return from_vector(out, image.shape());
}

}  // namespace advgrad::eval
