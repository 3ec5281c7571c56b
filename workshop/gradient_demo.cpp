#include "advgrad/workshop/gradient_demo.h"

#include <cmath>
#include <iomanip>
#include <ostream>

#include "advgrad/advgrad.h"

namespace advgrad::workshop {
namespace {

constexpr int kSide = 8;
constexpr int kPixels = kSide * kSide;

struct Batch {
  Tensor images;  // [n, 64] in [0, 1]
  Tensor labels;  // [n] int64
};

// Bars: class 0 = one bright row, class 1 = one bright column, on noise.
Batch make_bars(int n, Generator& gen) {
  std::vector<float> pixels(static_cast<std::size_t>(n) * kPixels);
  std::vector<std::int64_t> labels(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const std::int64_t label = gen.next_int(0, 2);
    const int line = static_cast<int>(gen.next_int(1, kSide - 1));
    labels[i] = label;
    for (int r = 0; r < kSide; ++r)
      for (int c = 0; c < kSide; ++c) {
        const bool on = label == 0 ? r == line : c == line;
        const double noise = 0.3 * gen.next_double();
        pixels[static_cast<std::size_t>(i) * kPixels + r * kSide + c] = static_cast<float>(on ? 0.7 + noise : noise);
      }
  }
  return {from_vector(pixels, {n, kPixels}), from_vector(labels, {n})};
}

struct Mlp {
  Tensor w1, b1, w2, b2;
  Tensor forward(const Tensor& x) const { return linear(relu(linear(x, w1, b1)), w2, b2); }
  std::vector<Tensor> parameters() const { return {w1, b1, w2, b2}; }
};

double accuracy(const Tensor& logits, const Tensor& labels) {
  return eq(argmax(logits, 1), labels).to(DType::Float32).mean().item();
}

// Draws a 8x8 map as characters: ' .:-=+*#%@' by magnitude, sign shown for gradients.
void draw(std::ostream& log, const Tensor& image, bool signed_map) {
  const auto v = image.to_double_vector();
  double scale = 0;
  for (double x : v) scale = std::max(scale, std::fabs(x));
  if (scale == 0) scale = 1;
  const char* ramp = " .:-=+*#%@";
  for (int r = 0; r < kSide; ++r) {
    log << "    ";
    for (int c = 0; c < kSide; ++c) {
      const double x = v[r * kSide + c];
      const int level = std::min(9, static_cast<int>(std::fabs(x) / scale * 9.999));
      if (signed_map) log << (x > 0 ? '+' : x < 0 ? '-' : ' ') << ramp[level];
      else log << ramp[level] << ramp[level];
    }
    log << '\n';
  }
}

// ---- 1. the network: a 64-16-2 MLP with Kaiming-uniform-like init, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) ----
Mlp init_mlp(Generator& gen) {
  const int hidden = 16;
  const double s1 = 1.0 / std::sqrt(kPixels), s2 = 1.0 / std::sqrt(hidden);
  return {uniform({hidden, kPixels}, -s1, s1, gen).requires_grad_(true),
          uniform({hidden}, -s1, s1, gen).requires_grad_(true), uniform({2, hidden}, -s2, s2, gen).requires_grad_(true),
          uniform({2}, -s2, s2, gen).requires_grad_(true)};
}

// ---- 2. training: forward, loss, backward, hand-written SGD step ----
void train(Mlp& net, const GradientDemoOptions& o, Generator& gen, GradientDemoResult& result, std::ostream& log) {
  for (int step = 1; step <= o.steps; ++step) {
    Batch b = make_bars(o.batch_size, gen);
    Tensor loss = cross_entropy(net.forward(b.images), b.labels);
    for (auto& p : net.parameters()) p.zero_grad();
    loss.backward();
    {
      NoGradGuard no_grad;  // the update itself is not part of any graph
      for (auto& p : net.parameters()) p.add_(p.grad(), -o.learning_rate);
    }
    if (step % 25 == 0 || step == o.steps) {
      result.loss_curve.push_back(loss.item());
      log << "  step " << std::setw(4) << step << "  loss " << std::fixed << std::setprecision(4) << loss.item()
          << std::defaultfloat << "\n";
    }
  }
}

// ---- 3. dLoss/dImage for one test image (the parameters' .grad untouched) ----
Tensor show_input_gradient(Mlp& net, const Tensor& x, const Tensor& y, GradientDemoResult& result, std::ostream& log) {
  Tensor loss = cross_entropy(net.forward(x), y);
  Tensor grad_x = autograd::grad({loss}, {x})[0];
  result.clean_loss = loss.item();
  log << "image (label " << y.item() << ", loss " << result.clean_loss << "):\n";
  draw(log, x.detach(), false);
  log << "dLoss/dImage (+ raises the loss, - lowers it):\n";
  draw(log, grad_x, true);
  return grad_x;
}

// Central finite differences at the pixel with the largest |gradient| and at two corners.
void check_finite_differences(Mlp& net, const Tensor& x, const Tensor& y, const Tensor& grad_x,
                              GradientDemoResult& result, std::ostream& log) {
  NoGradGuard no_grad;
  Tensor order = argmax(abs(grad_x).reshape({kPixels}), 0);
  std::vector<std::int64_t> pixels{order.to_int_vector()[0], 0, kPixels - 1};
  const double h = 1e-2;
  for (auto p : pixels) {
    auto loss_at = [&](double delta) {
      Tensor xs = x.detach().clone();
      auto v = xs.to_double_vector();
      v[p] += delta;
      return cross_entropy(net.forward(from_vector(v, {1, kPixels})), y).item();
    };
    const double fd = (loss_at(h) - loss_at(-h)) / (2 * h);
    const double ag = grad_x.reshape({kPixels}).to_double_vector()[p];
    result.max_fd_error = std::max(result.max_fd_error, std::fabs(fd - ag));
    log << "  pixel " << std::setw(2) << p << ": autograd " << std::setw(11) << ag << "   finite difference "
        << std::setw(11) << fd << "\n";
  }
}

// ---- 4. one FGSM step, x_adv = clip(x + eps * sign(dL/dx), 0, 1): on the image, then on the whole test set ----
void fgsm_step(Mlp& net, const Tensor& x, const Tensor& y, const Tensor& grad_x, const Batch& test, double eps,
               GradientDemoResult& result, std::ostream& log) {
  {
    NoGradGuard no_grad;
    Tensor x_adv = clamp(x.detach() + sign(grad_x) * eps, 0.0, 1.0);
    result.adversarial_loss = cross_entropy(net.forward(x_adv), y).item();
    log << "\nFGSM, eps " << eps << ": loss " << result.clean_loss << " -> " << result.adversarial_loss << "\n";
    draw(log, x_adv, false);
  }
  Tensor xt = test.images.clone().requires_grad_(true);
  Tensor gt = autograd::grad({cross_entropy(net.forward(xt), test.labels)}, {xt})[0];
  {
    NoGradGuard no_grad;
    Tensor adv = clamp(xt.detach() + sign(gt) * eps, 0.0, 1.0);
    result.adversarial_accuracy = accuracy(net.forward(adv), test.labels);
  }
  log << "test accuracy: clean " << 100 * result.test_accuracy << "%, under FGSM eps " << eps << ": "
      << 100 * result.adversarial_accuracy << "%\n";
}

}  // namespace

GradientDemoResult run_gradient_demo(const GradientDemoOptions& o, std::ostream& log) {
  ADVGRAD_CHECK(o.steps >= 1 && o.batch_size >= 1 && o.test_size >= 1 && o.learning_rate > 0 && o.fgsm_eps >= 0,
                "gradient demo: steps, batch size and test size must be >= 1, learning rate > 0, eps >= 0");
  GradientDemoResult result;
  Generator gen(o.seed);
  Mlp net = init_mlp(gen);
  log << "advgrad gradient demo: 8x8 bars (horizontal = 0, vertical = 1), MLP 64-16-2, SGD lr "
      << o.learning_rate << ", " << o.steps << " steps of " << o.batch_size << "\n";
  train(net, o, gen, result, log);
  const Batch test = make_bars(o.test_size, gen);
  {
    NoGradGuard no_grad;
    result.test_accuracy = accuracy(net.forward(test.images), test.labels);
  }
  log << "test accuracy: " << std::setprecision(4) << 100 * result.test_accuracy << "%\n\n";
  Tensor x = test.images.slice(0, 0, 1).clone().requires_grad_(true);
  const Tensor y = test.labels.slice(0, 0, 1);
  const Tensor grad_x = show_input_gradient(net, x, y, result, log);
  check_finite_differences(net, x, y, grad_x, result, log);
  fgsm_step(net, x, y, grad_x, test, o.fgsm_eps, result, log);
  return result;
}

}  // namespace advgrad::workshop
