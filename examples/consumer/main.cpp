// Links the installed advgrad::advgrad through its one header and uses a layer
// of each kind: an input gradient checked against its formula (core),
// f(x) = sum(sigmoid(x)^2), df/dx = 2 s (1 - s) s with s = sigmoid(x); a model
// from the zoo (nn); and an FGSM step that stays in its eps-ball (attacks).
#include <advgrad/advgrad.h>

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
  nn::ModelConfig config;
  config.arch = "mlp";
  nn::ModulePtr model = nn::build_model(config);
  Generator gen(1);
  const Tensor images = rand({4, 1, 28, 28}, gen);
  const Tensor labels = from_vector(std::vector<std::int64_t>{0, 1, 2, 3}, {4});
  const attacks::AttackResult adv = attacks::fgsm(*model, images, labels, 0.1);
  const double moved = amax(abs(sub(adv.x_adv, images))).item();
  if (moved > 0.1 + 1e-6) {
    std::printf("consumer: FGSM left its eps-ball (moved %g)\n", moved);
    return 1;
  }
  std::printf("consumer: advgrad linked, df/dx = %s, FGSM moved pixels by at most %.3f\n", g.str().c_str(), moved);
  return 0;
}
