// Parameter groups: an optimizer over two groups (each its own rate and
// weight decay) must move every parameter exactly as two single-group
// optimizers with those settings would; set_lr scales the groups together;
// the groups survive a state round trip, and an old state without groups
// still loads.
#include <cmath>
#include <memory>

#include "advgrad/nn/lr_schedule.h"
#include "advgrad/nn/optimizer.h"
#include "testing.h"

namespace advgrad::nn {
namespace {

// Odd-sized parameters with random values; `salt` picks the draw.
std::vector<Tensor> make_params(std::uint64_t salt) {
  return {testing::random_tensor({3, 5}, salt).requires_grad_(true),
          testing::random_tensor({7}, salt + 1).requires_grad_(true)};
}

std::vector<Tensor> clones(const std::vector<Tensor>& ps) {
  std::vector<Tensor> out;
  for (const auto& p : ps) out.push_back(p.detach().clone().requires_grad_(true));
  return out;
}

void set_random_grads(const std::vector<Tensor*>& ps, std::uint64_t salt) {
  for (std::size_t i = 0; i < ps.size(); ++i) ps[i]->set_grad(testing::random_tensor(ps[i]->shape(), salt + 100 * i));
}

TEST(ParamGroups, EveryOptimizerWithTwoGroupsMatchesTwoOptimizers) {
  for (const auto& name : optimizer_names()) {
    SCOPED_TRACE(name);
    const std::vector<Tensor> a = make_params(11), b = make_params(23);
    std::vector<Tensor> a1 = clones(a), b1 = clones(b);
    // Group 0: its own rate and decay; group 1: the optimizer's.
    auto grouped = make_optimizer(name, {ParamGroup{.params = a, .lr = 0.03, .weight_decay = 0.2}, ParamGroup{.params = b}},
                                  0.007, 0.05);
    auto only_a = make_optimizer(name, a1, 0.03, 0.2), only_b = make_optimizer(name, b1, 0.007, 0.05);
    ASSERT_EQ(grouped->num_groups(), 2U);
    EXPECT_DOUBLE_EQ(grouped->group_lr(0), 0.03);
    EXPECT_DOUBLE_EQ(grouped->group_lr(1), 0.007);
    EXPECT_DOUBLE_EQ(grouped->group_weight_decay(0), 0.2);
    for (int step = 0; step < 4; ++step) {
      std::vector<Tensor> all = {a[0], a[1], b[0], b[1]}, singles = {a1[0], a1[1], b1[0], b1[1]};
      set_random_grads({&all[0], &all[1], &all[2], &all[3]}, 1000 + step);
      set_random_grads({&singles[0], &singles[1], &singles[2], &singles[3]}, 1000 + step);
      grouped->step();
      only_a->step();
      only_b->step();
    }
    for (std::size_t i = 0; i < 2; ++i) {
      EXPECT_EQ(a[i].to_double_vector(), a1[i].to_double_vector()) << "group 0 parameter " << i;
      EXPECT_EQ(b[i].to_double_vector(), b1[i].to_double_vector()) << "group 1 parameter " << i;
    }
  }
}

TEST(ParamGroups, SetLrScalesGroupsProportionallyAndScheduleFollows) {
  const std::vector<Tensor> a = make_params(3), b = make_params(5);
  Adam opt({ParamGroup{.params = a, .lr = 1e-4}, ParamGroup{.params = b}}, {.lr = 1e-3});
  EXPECT_DOUBLE_EQ(opt.group_lr_scale(0), 0.1);
  EXPECT_DOUBLE_EQ(opt.group_lr_scale(1), 1.0);
  LrScheduleConfig config;
  config.kind = "cosine";
  config.lr = 1e-3;
  const LrSchedule cosine(config, 10);
  for (std::int64_t t : {0, 3, 7, 10}) {
    opt.set_lr(cosine.at(t));
    EXPECT_DOUBLE_EQ(opt.lr(), cosine.at(t));
    EXPECT_NEAR(opt.group_lr(0), 0.1 * cosine.at(t), 1e-18);
    EXPECT_DOUBLE_EQ(opt.group_lr(1), cosine.at(t));
  }
  opt.set_lr(2e-3);
  opt.set_group_lr(1, 5e-4);  // one group alone; later set_lr keeps the new ratio
  EXPECT_DOUBLE_EQ(opt.group_lr(0), 2e-4);
  opt.set_lr(1e-3);
  EXPECT_DOUBLE_EQ(opt.group_lr(1), 2.5e-4);
}

TEST(ParamGroups, StateRoundTripKeepsGroupsAndContinuesIdentically) {
  for (const auto& name : optimizer_names()) {
    SCOPED_TRACE(name);
    const std::vector<Tensor> a = make_params(41), b = make_params(43);
    const std::vector<Tensor> a2 = clones(a), b2 = clones(b);
    auto first = make_optimizer(name, {ParamGroup{.params = a, .lr = 0.02}, ParamGroup{.params = b, .weight_decay = 0.1}},
                                0.04, 0.01);
    std::vector<Tensor> all = {a[0], a[1], b[0], b[1]};
    set_random_grads({&all[0], &all[1], &all[2], &all[3]}, 7);
    first->step();
    first->set_lr(0.01);  // group 0 at 0.005
    {
      NoGradGuard no_grad;
      for (std::size_t i = 0; i < 2; ++i) {
        Tensor x = a2[i], y = b2[i];
        x.copy_(a[i]);
        y.copy_(b[i]);
      }
    }
    // A fresh optimizer built with other rates: the state brings the saved ones.
    auto second = make_optimizer(name, {ParamGroup{.params = a2}, ParamGroup{.params = b2}}, 0.3, 0);
    second->load_state_dict(first->state_dict());
    EXPECT_DOUBLE_EQ(second->lr(), 0.01);
    EXPECT_DOUBLE_EQ(second->group_lr(0), 0.005);
    EXPECT_DOUBLE_EQ(second->group_weight_decay(1), 0.1);
    second->set_lr(0.02);
    EXPECT_DOUBLE_EQ(second->group_lr(0), 0.01);  // the saved ratio 0.5
    first->set_lr(0.02);
    std::vector<Tensor> all2 = {a2[0], a2[1], b2[0], b2[1]};
    set_random_grads({&all[0], &all[1], &all[2], &all[3]}, 8);
    set_random_grads({&all2[0], &all2[1], &all2[2], &all2[3]}, 8);
    first->step();
    second->step();
    for (std::size_t i = 0; i < 2; ++i) {
      EXPECT_EQ(a[i].to_double_vector(), a2[i].to_double_vector());
      EXPECT_EQ(b[i].to_double_vector(), b2[i].to_double_vector());
    }
  }
}

TEST(ParamGroups, OldStateWithoutGroupsLoadsAndMismatchesAreErrors) {
  const std::vector<Tensor> p = make_params(61);
  Sgd single(p, {.lr = 0.1, .momentum = 0.9});
  // A state as written before groups existed: step, lr, buffers.
  OptimizerState old{{"step", scalar_tensor(3.0, TensorOptions{DType::Int64})},
                     {"lr", scalar_tensor(0.025, TensorOptions{DType::Float64})},
                     {"1.momentum", testing::random_tensor({7}, 62)}};
  single.load_state_dict(old);
  EXPECT_DOUBLE_EQ(single.lr(), 0.025);
  EXPECT_DOUBLE_EQ(single.group_lr(0), 0.025);
  EXPECT_EQ(single.steps_taken(), 3);

  const std::vector<Tensor> q = make_params(63);
  Sgd two({ParamGroup{.params = {q[0]}}, ParamGroup{.params = {q[1]}}}, {.lr = 0.1});
  EXPECT_THROW(two.load_state_dict(old), Error);                 // no groups in the state, two here
  EXPECT_THROW(two.load_state_dict(single.state_dict()), Error);  // one group in the state
  EXPECT_THROW(single.load_state_dict(two.state_dict()), Error);  // two in the state
  EXPECT_THROW(Sgd({ParamGroup{.params = p}, ParamGroup{}}, {.lr = 0.1}), Error);                    // empty group
  EXPECT_THROW(Sgd({ParamGroup{.params = p}, ParamGroup{.params = {p[1]}}}, {.lr = 0.1}), Error);    // twice
  EXPECT_THROW(Sgd({ParamGroup{.params = p, .lr = std::nan("")}}, {.lr = 0.1}), Error);               // bad rate
  EXPECT_THROW(two.set_group_lr(2, 0.1), Error);
}

}  // namespace
}  // namespace advgrad::nn
