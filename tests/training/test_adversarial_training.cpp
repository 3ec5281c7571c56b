// Online adversarial training: option checks and defaults, no gradient
// through the attack, BatchNorm untouched by the attack, robustness gained on
// a tiny problem, and smooth activations (smooth adversarial training).
#include "advgrad/nn/batch_norm.h"
#include "advgrad/training/adversarial_training.h"
#include "expect_error.h"
#include "recipe_testing.h"
#include "testing.h"

namespace advgrad::training {
namespace {

using namespace recipe_testing;
using testing::expect_error;

std::vector<std::vector<double>> parameter_grads(nn::Module& m) {
  std::vector<std::vector<double>> out;
  for (auto& p : m.parameters()) out.push_back(p.grad().defined() ? p.grad().to_double_vector() : std::vector<double>{});
  return out;
}

TEST(OnlineAdversarial, ValidatesAndResolvesDefaults) {
  OnlineAdversarialOptions o;
  const auto pgd = to_attack_options(o);
  EXPECT_EQ(pgd.steps, 7);
  EXPECT_DOUBLE_EQ(pgd.step_size, 2.5 * 0.1 / 7);
  EXPECT_TRUE(pgd.random_start);
  o.attack = "fgsm";
  const auto fgsm = to_attack_options(o);
  EXPECT_EQ(fgsm.steps, 1);
  EXPECT_DOUBLE_EQ(fgsm.step_size, 0.1);
  EXPECT_FALSE(fgsm.random_start);
  o.attack = "fgsm-rs";
  const auto rs = to_attack_options(o);
  EXPECT_EQ(rs.steps, 1);
  EXPECT_DOUBLE_EQ(rs.step_size, 0.125);
  EXPECT_TRUE(rs.random_start);

  auto bad = [](auto edit, const char* piece) {
    OnlineAdversarialOptions b;
    edit(b);
    expect_error([&] { validate(b); }, {piece});
  };
  bad([](auto& b) { b.attack = "cw"; }, "unknown attack 'cw'");
  bad([](auto& b) { b.mix = "half"; }, "unknown mix 'half'");
  bad([](auto& b) { b.eps = 0; }, "eps must be > 0");
  bad([](auto& b) { b.steps = 0; }, "steps must be >= 1");
  bad([](auto& b) { b.step_size = -1; }, "step size must be >= 0");
  bad([](auto& b) { b.adversarial_weight = 1.5; }, "adversarial weight must be in [0, 1]");
}

// The recipe's loss must give exactly the parameter gradients of the plain
// loss evaluated on a precomputed, detached x_adv. If anything flowed back
// through the attack (x_adv built with create_graph, or left attached), the
// recipe's gradients would carry extra second-order terms and differ. The
// model is cnn-bn so the test also sees BatchNorm: its running statistics
// after the step must equal those of one training-mode forward pass of the
// update alone (the attack, in eval mode, updates none) and the model must
// be back in training mode.
TEST(OnlineAdversarial, NoGradientFlowsThroughTheAttack) {
  for (const std::string mix : {"double-batch", "adversarial", "weighted"}) {
    OnlineAdversarialOptions o;
    o.attack = "pgd";
    o.steps = 3;
    o.mix = mix;
    o.adversarial_weight = 0.3;
    o.seed = 9;
    nn::ModelConfig c;
    c.arch = "cnn-bn";
    c.height = c.width = 8;
    c.seed = 3;
    Generator data_gen(4);
    data::Batch b;
    b.images = rand({6, 1, 8, 8}, data_gen);
    b.labels = from_vector(std::vector<std::int64_t>{0, 1, 2, 3, 4, 5}, {6});

    // Dropout draws from the model's own generator, identical in both models.
    nn::ModulePtr recipe_model = nn::build_model(c), plain_model = nn::build_model(c);
    recipe_model->train();
    plain_model->train();
    Tensor logits;
    Tensor loss = online_adversarial_loss(o)(*recipe_model, b, logits);
    EXPECT_TRUE(recipe_model->is_training()) << "the update runs in training mode";
    loss.backward();

    Generator attack_gen(9);
    const Tensor x_adv = attacks::pgd(*plain_model, b.images, b.labels, to_attack_options(o), attack_gen).x_adv;
    ASSERT_FALSE(x_adv.requires_grad());
    Tensor plain;
    if (mix == "adversarial") {
      plain = cross_entropy((*plain_model)(x_adv), b.labels);
    } else {
      const double w = mix == "weighted" ? 0.3 : 0.5;
      Tensor both = (*plain_model)(cat({b.images, x_adv}, 0));
      plain = add(cross_entropy(both.slice(0, 0, 6), b.labels) * (1 - w), cross_entropy(both.slice(0, 6, 12), b.labels) * w);
    }
    plain.backward();
    EXPECT_EQ(loss.item(), plain.item()) << mix;
    EXPECT_EQ(parameter_grads(*recipe_model), parameter_grads(*plain_model)) << mix;
    const auto recipe_state = recipe_model->state_dict(), plain_state = plain_model->state_dict();
    for (const auto& [name, t] : recipe_state)
      if (name.find("running") != std::string::npos) {
        EXPECT_EQ(t.to_double_vector(), plain_state.at(name).to_double_vector()) << mix << " " << name;
      }
    EXPECT_EQ(logits.size(0), 6);
  }
}

// Robust accuracy (PGD-10, eps 0.1) of the plain model vs the adversarially
// trained ones, same data, weights init and data order. Figures on seeds 1-3
// are in docs/adversarial-training.md.
TEST(OnlineAdversarial, TrainedModelsAreMoreRobustThanThePlainOne) {
  const std::uint64_t seed = test_seed();
  const double eps = 0.1;
  const Baseline base = plain_baseline(seed, eps);
  const data::Split& data = base.data;
  const nn::ModelConfig& c = base.config;
  const double plain_clean = base.clean, plain_robust = base.robust;
  EXPECT_GT(plain_clean, 0.6);
  struct Case {
    std::string attack, mix;
  };
  for (const Case& k : {Case{"fgsm", "double-batch"}, Case{"fgsm-rs", "adversarial"}, Case{"pgd", "adversarial"},
                        Case{"pgd", "weighted"}}) {
    OnlineAdversarialOptions o;
    o.attack = k.attack;
    o.mix = k.mix;
    o.eps = eps;
    o.steps = 5;
    o.adversarial_weight = 0.7;
    o.seed = seed;
    nn::ModulePtr robust = train_model(c, data, 3, seed, online_adversarial_loss(o));
    const double clean = clean_accuracy(*robust, data.test), adv = pgd_accuracy(*robust, data.test, eps);
    std::printf("  [seed %llu] %-8s %-12s clean %.3f (plain %.3f)  PGD %.3f (plain %.3f)\n", (unsigned long long)seed,
                k.attack.c_str(), k.mix.c_str(), clean, plain_clean, adv, plain_robust);
    EXPECT_GT(clean, 0.4) << k.attack << " " << k.mix;  // chance is 0.1
    EXPECT_GT(adv, plain_robust + 0.1) << k.attack << " " << k.mix;
  }
}

// Smooth adversarial training (Xie et al. 2020) is adversarial training with
// a smooth activation: nothing to build, only the config's activation.
TEST(OnlineAdversarial, SmoothActivationsTrainAndGainRobustness) {
  const std::uint64_t seed = test_seed();
  const data::Split data = tiny_digits(seed);
  for (const std::string act : {"gelu", "silu", "softplus"}) {
    nn::ModelConfig c = tiny_config(data.train, "mlp", seed);
    c.activation = act;
    OnlineAdversarialOptions o;
    o.attack = "fgsm-rs";
    o.mix = "double-batch";
    o.eps = 0.1;
    o.seed = seed;
    // Softplus (smooth everywhere, slow to leave its linear regime) learns
    // slowly at Adam's default rate in 3 epochs; both of its models get 3e-3.
    const double lr = act == "softplus" ? 3e-3 : 0;
    nn::ModulePtr plain = train_model(c, data, 3, seed, {}, lr),
                  robust = train_model(c, data, 3, seed, online_adversarial_loss(o), lr);
    const double clean = clean_accuracy(*robust, data.test), adv = pgd_accuracy(*robust, data.test, 0.1),
                 plain_adv = pgd_accuracy(*plain, data.test, 0.1);
    std::printf("  [seed %llu] smooth %-8s clean %.3f  PGD %.3f (plain %.3f)\n", (unsigned long long)seed, act.c_str(),
                clean, adv, plain_adv);
    EXPECT_GT(clean, 0.3) << act;  // chance is 0.1
    EXPECT_GT(adv, plain_adv + 0.1) << act;
  }
}

}  // namespace
}  // namespace advgrad::training
