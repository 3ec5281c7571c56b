// Links the installed static library and checks one input gradient:
// for f(x) = sum(sigmoid(x)^2), df/dx = 2 s (1 - s) s with s = sigmoid(x).
// It also encodes a PNG, so that the library's private libpng must reach this
// link line through the installed config's find_dependency(PNG).
#include <advgrad/advgrad.h>
#include <advgrad/training/png_image.h>

#include <cmath>
#include <cstdio>

int main() {
  using namespace advgrad;
  Tensor x = from_vector(std::vector<double>{-1.0, 0.5, 2.0}, {3}, {.dtype = DType::Float64}).requires_grad_(true);
  Tensor s = sigmoid(x);
  Tensor f = sum(s * s);
  Tensor g = autograd::grad({f}, {x})[0];
  const auto xs = x.to_double_vector(), gs = g.to_double_vector();
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double si = 1.0 / (1.0 + std::exp(-xs[i]));
    const double want = 2.0 * si * si * (1.0 - si);
    if (std::fabs(gs[i] - want) > 1e-12) {
      std::printf("consumer: gradient mismatch at %zu: %g vs %g\n", i, gs[i], want);
      return 1;
    }
  }
  const report::Image image(3, 2, {255, 0, 0});
  if (report::decode_png(report::encode_png(image), "consumer").rgb() != image.rgb()) {
    std::printf("consumer: PNG round trip failed\n");
    return 1;
  }
  std::printf("consumer: advgrad linked, df/dx = %s\n", g.str().c_str());
  return 0;
}
