// FGSM by hand: dLoss/dImage from autograd, checked against central finite
// differences, then one signed-gradient step. For an image x with label y and
// L(x) = cross_entropy(f(x), y):
//   g   = dL/dx                                   autograd::grad (reverse mode, input only)
//   g_i ~ (L(x + h e_i) - L(x - h e_i)) / (2h)    central difference, error O(h^2)
//   x'  = clamp(x + eps sign(g), 0, 1)            FGSM: steepest ascent of L in the L-inf ball
// Exits 1 if the two gradients disagree or the step did not increase the loss.
// docs/from-loss-to-pixel.md quotes the [snippet:...] regions below.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <numeric>

#include <advgrad/advgrad.h>

using namespace advgrad;

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;

  // 1. A briefly trained small-cnn (any net has a gradient; a trained one makes
  //    the attack mean something).
  data::Split data = data::make_synthetic_digits(quick ? 2048 : 6000, 200, /*seed=*/2);
  nn::ModelConfig config;
  config.arch = "small-cnn";
  nn::ModulePtr model = nn::build_model(config);
  training::TrainerOptions train_options;
  train_options.epochs = quick ? 1 : 2;
  train_options.batch_size = 64;
  train_options.progress = 0;
  training::Trainer(model, config, train_options).fit(data.train, data.test, std::cout);
  model->eval();
  model->zero_grad();  // the last training step left its .grad behind

  // 2. One test image x [1, 1, 28, 28] and its label y [1].
  const Tensor x = data.test.images_tensor({0}), y = data.test.labels_tensor({0});

  // [snippet:grad]
  Tensor x_leaf = x.detach().requires_grad_(true);   // the image is the variable now
  Tensor loss = cross_entropy((*model)(x_leaf), y);  // forward: records the graph
  Tensor g = autograd::grad({loss}, {x_leaf})[0];    // dL/dx, shape of x; no .grad is touched
  // [/snippet]
  bool ok = true;
  for (const Tensor& p : model->parameters()) ok = ok && !p.grad().defined();  // input-only backward
  if (!ok) std::printf("FAILED: autograd::grad wrote a parameter's .grad\n");

  // 3. The same gradient in float64, next to central differences at a few pixels:
  //    the 4 largest |g| (on the glyph's stroke) and two background corners.
  std::vector<double> g32 = g.to_double_vector();
  std::vector<std::int64_t> pixels(g32.size());
  std::iota(pixels.begin(), pixels.end(), 0);
  std::partial_sort(pixels.begin(), pixels.begin() + 4, pixels.end(),
                    [&](auto a, auto b) { return std::fabs(g32[a]) > std::fabs(g32[b]); });
  pixels.resize(4);
  pixels.push_back(0);
  pixels.push_back(27 * 28 + 27);

  // [snippet:fd]
  nn::ModulePtr model64 = nn::build_model(config);  // same architecture...
  model64->load_state_dict(model->state_dict());    // ...same weights...
  model64->to(DType::Float64);                      // ...in double precision
  model64->eval();
  const Tensor x64 = x.to(DType::Float64);
  Tensor x64_leaf = x64.detach().requires_grad_(true);
  const std::vector<double> g64 =
      autograd::grad({cross_entropy((*model64)(x64_leaf), y)}, {x64_leaf})[0].to_double_vector();
  auto loss64 = [&](std::int64_t pixel, double delta) {  // L(x + delta e_pixel)
    NoGradGuard no_grad;
    std::vector<double> v = x64.to_double_vector();
    v[pixel] += delta;
    return cross_entropy((*model64)(from_vector(v, x64.shape(), x64.options())), y).item();
  };
  const double h = 1e-5;  // in float64: truncation error ~h^2, rounding error ~1e-16 / h
  auto central_difference = [&](std::int64_t pixel) { return (loss64(pixel, h) - loss64(pixel, -h)) / (2 * h); };
  // [/snippet]
  bool fd_ok = true;
  std::printf("\n pixel (r, c)   autograd f32    autograd f64    central diff    |f64 - diff|\n");
  for (std::int64_t p : pixels) {
    const double fd = central_difference(p);
    const double err = std::fabs(g64[p] - fd);
    std::printf(" %3lld (%2lld,%2lld)  %+.6e  %+.6e  %+.6e  %.1e\n", static_cast<long long>(p),
                static_cast<long long>(p / 28), static_cast<long long>(p % 28), g32[p], g64[p], fd, err);
    if (err > 1e-7 + 1e-5 * std::fabs(fd)) fd_ok = false;
  }
  if (!fd_ok) std::printf("FAILED: autograd and finite differences disagree\n");

  // 4. One FGSM step by hand, then the library's fgsm / pgd on the same image.
  const double eps = 0.15;
  // [snippet:fgsm]
  Tensor x_adv;
  {
    NoGradGuard no_grad;                         // the step itself is not part of any graph
    x_adv = clamp(x + eps * sign(g), 0.0, 1.0);  // ||x_adv - x||_inf <= eps, pixels in [0, 1]
  }
  // [/snippet]
  // [snippet:attacks]
  attacks::AttackResult fgsm = attacks::fgsm(*model, x, y, eps);  // the same step, by the library
  attacks::AttackOptions pgd_options;
  pgd_options.eps = eps;            // L-inf radius in pixel space
  pgd_options.step_size = eps / 4;  // alpha per step
  pgd_options.steps = 10;           // x <- project(x + alpha sign(g)), 10 times
  pgd_options.random_start = true;  // start uniformly inside the ball
  Generator gen(0);
  attacks::AttackResult pgd = attacks::pgd(*model, x, y, pgd_options, gen);
  // [/snippet]

  NoGradGuard no_grad;
  auto report = [&](const char* name, const Tensor& image) {
    const Tensor logits = (*model)(image);
    const double l = cross_entropy(logits, y).item();
    std::printf(" %-10s loss %8.4f  predicted %lld (label %lld)\n", name, l,
                static_cast<long long>(argmax(logits, 1).to_int_vector()[0]),
                static_cast<long long>(y.to_int_vector()[0]));
    return l;
  };
  std::printf("\n eps = %.2f (L-inf, pixel space)\n", eps);
  const double before = report("clean", x), after = report("fgsm", x_adv);
  report("lib fgsm", fgsm.x_adv);
  report("lib pgd", pgd.x_adv);
  const double same = amax(abs(x_adv - fgsm.x_adv)).item();
  std::printf(" max |by hand - attacks::fgsm| = %g\n", same);
  if (after <= before) {
    std::printf("FAILED: the FGSM step did not increase the loss\n");
    ok = false;
  }
  if (same > 1e-6) {
    std::printf("FAILED: the hand-made step differs from attacks::fgsm\n");
    ok = false;
  }
  return ok && fd_ok ? 0 : 1;
}
