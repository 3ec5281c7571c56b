// The fused updates on the CUDA device against the CPU: each op on the same
// float32 and float64 inputs (bit for bit on the emulated device for the
// elementwise optimizer updates, whose kernels keep the reference's operation
// order; within a few ulps on a GPU, where nvcc contracts multiply-adds), then
// the optimizers and one PGD step end to end on a small model.
#include <functional>
#include <memory>
#include <string>

#include "advgrad/attacks/attack.h"
#include "advgrad/nn/linear.h"
#include "advgrad/nn/optimizer.h"
#include "cuda_testing.h"
#include "expect_error.h"

namespace advgrad::testing {
namespace {

// A snapshot on the CPU (a copy even of a CPU tensor, which to() would alias).
Tensor host(const Tensor& t) { return t.detach().to(Device::cpu()).clone(); }
Tensor dev(const Tensor& t) { return t.detach().to(cuda_test_device()); }

// Device vs CPU closeness for an update computed in `dtype`. `elementwise`:
// the same operations in the same order, exact when emulated.
::testing::AssertionResult matches(const Tensor& device, const Tensor& cpu, DType dtype, bool elementwise) {
  const bool f32 = dtype == DType::Float32;
  if (elementwise && cuda_test_device_is_emulated()) return all_close(host(device), cpu, 0, 0);
  return all_close(host(device), cpu, f32 ? 2e-6 : 1e-13, f32 ? 1e-7 : 1e-15);
}

std::string name_of(DType dtype) { return std::string(dtype_name(dtype)); }

TEST(CudaFusedOps, SgdMatchesTheCpu) {
  const SgdOptions cases[] = {
      {.lr = 0.1, .weight_decay = 0.02},
      {.lr = 0.05, .momentum = 0.9, .dampening = 0.25, .weight_decay = 0.01},
      {.lr = 0.05, .momentum = 0.8, .nesterov = true},
  };
  for (const auto& o : cases)
    for (DType dtype : {DType::Float32, DType::Float64}) {
      SCOPED_TRACE(name_of(dtype) + " momentum " + std::to_string(o.momentum) + (o.nesterov ? " nesterov" : ""));
      const Shape shape{7, 13};
      Tensor p = random_tensor(shape, 1, DType::Float64, -2, 2).to(dtype);
      Tensor b = o.momentum != 0 ? random_tensor(shape, 2).to(dtype) : Tensor();
      Tensor dp = dev(p), db = b.defined() ? dev(b) : Tensor();
      for (int step = 0; step < 3; ++step) {
        const bool first_step = step == 0;
        Tensor g = random_tensor(shape, 10 + step).to(dtype);
        sgd_update_(p, g, b, o, first_step);
        sgd_update_(dp, dev(g), db, o, first_step);
        EXPECT_TRUE(matches(dp, p, dtype, true)) << "parameter, step " << step + 1;
        if (b.defined()) {
          EXPECT_TRUE(matches(db, b, dtype, true)) << "momentum, step " << step + 1;
        }
      }
    }
}

TEST(CudaFusedOps, AdamAndAdamWMatchTheCpu) {
  for (bool decoupled : {false, true})
    for (DType dtype : {DType::Float32, DType::Float64}) {
      SCOPED_TRACE(name_of(dtype) + (decoupled ? " adamw" : " adam"));
      const Shape shape{5, 3, 11};
      Tensor p = random_tensor(shape, 3, DType::Float64, -2, 2).to(dtype);
      Tensor m = zeros(shape, {.dtype = dtype}), v = zeros(shape, {.dtype = dtype});
      Tensor dp = dev(p), dm = dev(m), dv = dev(v);
      for (std::int64_t t = 1; t <= 5; ++t) {
        const AdamOptions o{.lr = 0.01, .beta2 = 0.99, .weight_decay = 0.05, .decoupled = decoupled};
        Tensor g = random_tensor(shape, 20 + t).to(dtype);
        adam_update_(p, g, m, v, o, t);
        adam_update_(dp, dev(g), dm, dv, o, t);
      }
      EXPECT_TRUE(matches(dm, m, dtype, true)) << "exp_avg";
      EXPECT_TRUE(matches(dv, v, dtype, true)) << "exp_avg_sq";
      EXPECT_TRUE(matches(dp, p, dtype, true)) << "parameter";
    }
}

TEST(CudaFusedOps, UpdatesOfMoreElementsThanTheGridCoverStride) {
  // 2112 blocks of 256 threads cover 540672 elements; past that the grid strides.
  const Shape shape{541001};
  Tensor p = random_tensor(shape, 4, DType::Float32), g = random_tensor(shape, 5, DType::Float32);
  Tensor b = random_tensor(shape, 6, DType::Float32);
  Tensor m = random_tensor(shape, 7, DType::Float32, -0.1, 0.1), v = random_tensor(shape, 8, DType::Float32, 0, 0.1);
  Tensor dp = dev(p), db = dev(b), dm = dev(m), dv = dev(v), dg = dev(g);
  const SgdOptions sgd{.lr = 0.1, .momentum = 0.9};
  sgd_update_(p, g, b, sgd, false);
  sgd_update_(dp, dg, db, sgd, false);
  EXPECT_TRUE(matches(dp, p, DType::Float32, true));
  EXPECT_TRUE(matches(db, b, DType::Float32, true));
  const AdamOptions adam{};
  adam_update_(p, g, m, v, adam, 3);
  adam_update_(dp, dg, dm, dv, adam, 3);
  EXPECT_TRUE(matches(dp, p, DType::Float32, true));
  EXPECT_TRUE(matches(dv, v, DType::Float32, true));
}

const char* normalizer_name(Normalizer s) {
  return s == Normalizer::Sign ? "sign" : s == Normalizer::Max ? "max" : "l2";
}

// One attack_step_ on the CPU and on the device from the same start: x in
// [0, 1] (so some coordinates clip at 0 or 1), a start inside the ball, a
// step that leaves it for some rows.
void check_attack_step(const Shape& shape, Normalizer normalizer, Norm norm, DType dtype) {
  SCOPED_TRACE(shape_str(shape) + " " + normalizer_name(normalizer) + (norm == Norm::Linf ? " linf " : " l2 ") +
               name_of(dtype));
  const double eps = norm == Norm::Linf ? 0.05 : 0.5, step = norm == Norm::Linf ? 0.03 : 0.3;
  Tensor x = random_tensor(shape, 30, DType::Float64, 0, 1);
  Tensor delta = random_tensor(shape, 31, DType::Float64, -1, 1);
  if (norm == Norm::Linf) {
    delta = delta * (eps / 2);
  } else {
    Shape per_row(shape.size(), 1);
    per_row[0] = shape[0];
    delta = delta / norm_per_sample(delta, 2).reshape(per_row) * (eps / 2);
  }
  Tensor adv = clamp(x + delta, 0.0, 1.0).to(dtype);
  Tensor g = random_tensor(shape, 32).to(dtype);
  x = x.to(dtype);
  Tensor dadv = dev(adv);
  const AttackStepOptions o{.normalizer = normalizer, .norm = norm, .step_size = step, .eps = eps};
  attack_step_(adv, g, x, o);
  attack_step_(dadv, dev(g), dev(x), o);
  // The reductions run in another order than the CPU's loop (in double), so
  // the row scales may differ in the last bit.
  EXPECT_TRUE(matches(dadv, adv, dtype, false));
}

TEST(CudaFusedOps, AttackStepMatchesTheCpu) {
  for (Norm norm : {Norm::Linf, Norm::L2})
    for (Normalizer normalizer : {Normalizer::Sign, Normalizer::Max, Normalizer::L2})
      for (DType dtype : {DType::Float32, DType::Float64}) {
        check_attack_step({5, 3, 7}, normalizer, norm, dtype);  // a row smaller than the block
        check_attack_step({3, 601}, normalizer, norm, dtype);   // threads loop over the row
      }
}

TEST(CudaFusedOps, AttackStepOnMoreRowsThanBlocks) {
  // The grid is capped at 2112 blocks; further rows are strided over.
  check_attack_step({2200, 3}, Normalizer::L2, Norm::L2, DType::Float32);
  check_attack_step({2200, 3}, Normalizer::Max, Norm::Linf, DType::Float64);
}

TEST(CudaFusedOps, MixedDevicesAreNamed) {
  Tensor x = random_tensor({2, 3}, 33, DType::Float32, 0, 1);
  Tensor dadv = dev(x.clone());
  expect_error([&] { attack_step_(dadv, dev(x), x, {.step_size = 0.01, .eps = 0.1}); },
               {"attack_step_", "clean input", "cpu", "cuda:0"});
  Tensor none;
  expect_error([&] { sgd_update_(dadv, x, none, {}, false); }, {"sgd_update_", "gradient", "cpu", "cuda:0"});
}

// ---------------------------------------------------------------- end to end

// A small nn::Linear and a regression batch, the same on both devices.
struct LinearProblem {
  std::shared_ptr<nn::Linear> model;
  Tensor x, target;
};

LinearProblem linear_problem(Device device) {
  Generator gen(77);
  LinearProblem p{std::make_shared<nn::Linear>(5, 3, gen), random_tensor({9, 5}, 34, DType::Float32),
                  random_tensor({9, 3}, 35, DType::Float32)};
  p.model->to(device);
  p.x = p.x.to(device);
  p.target = p.target.to(device);
  return p;
}

// Runs 3 optimizer steps of `make` on the problem on `device`; returns the parameters after each step.
template <typename Make>
std::vector<std::vector<Tensor>> train_three_steps(Device device, Make make) {
  LinearProblem p = linear_problem(device);
  std::unique_ptr<nn::Optimizer> opt = make(p.model->parameters());
  std::vector<std::vector<Tensor>> out;
  for (int step = 0; step < 3; ++step) {
    opt->zero_grad();
    Tensor loss = mse_loss((*p.model)(p.x), p.target);
    loss.backward();
    opt->step();
    std::vector<Tensor> params;
    for (const Tensor& t : p.model->parameters()) params.push_back(host(t));
    out.push_back(params);
  }
  return out;
}

TEST(CudaFusedOptimizers, SgdMomentumAndAdamTrainALinearLayerLikeTheCpu) {
  const std::pair<const char*, std::function<std::unique_ptr<nn::Optimizer>(std::vector<Tensor>)>> optimizers[] = {
      {"sgd-momentum",
       [](std::vector<Tensor> ps) {
         return std::make_unique<nn::Sgd>(std::move(ps), nn::SgdOptions{.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01});
       }},
      {"adam", [](std::vector<Tensor> ps) { return std::make_unique<nn::Adam>(std::move(ps), nn::AdamOptions{.lr = 0.01}); }},
      {"adamw",
       [](std::vector<Tensor> ps) {
         return std::make_unique<nn::Adam>(std::move(ps), nn::AdamOptions{.lr = 0.01, .weight_decay = 0.1, .decoupled = true});
       }},
  };
  for (const auto& [name, make] : optimizers) {
    SCOPED_TRACE(name);
    const auto cpu = train_three_steps(Device::cpu(), make);
    const auto device = train_three_steps(cuda_test_device(), make);
    for (std::size_t step = 0; step < cpu.size(); ++step)
      for (std::size_t i = 0; i < cpu[step].size(); ++i)
        // The forward and backward differ from the CPU's in the last bits
        // (other GEMM and reduction orders); the updates add no more than that.
        EXPECT_TRUE(all_close(device[step][i], cpu[step][i], 1e-5, 1e-6)) << "step " << step + 1 << ", parameter " << i;
  }
}

TEST(CudaFusedAttack, OnePgdStepMatchesTheCpu) {
  for (attacks::Norm norm : {attacks::Norm::Linf, attacks::Norm::L2}) {
    SCOPED_TRACE(norm == attacks::Norm::Linf ? "linf" : "l2");
    attacks::AttackOptions o;
    o.steps = 1;
    o.norm = norm;
    o.normalizer = norm == attacks::Norm::Linf ? attacks::Normalizer::Sign : attacks::Normalizer::L2;
    o.eps = norm == attacks::Norm::Linf ? 0.05 : 0.5;
    o.step_size = norm == attacks::Norm::Linf ? 0.05 : 0.5;
    Generator init(78);
    auto model_ptr = std::make_shared<nn::Linear>(7, 4, init);
    nn::Linear& model = *model_ptr;
    Tensor x = random_tensor({6, 7}, 36, DType::Float32, 0, 1);
    Tensor y = from_vector(std::vector<std::int64_t>{0, 1, 2, 3, 1, 2}, {6});
    Generator g1(1), g2(1);
    const attacks::AttackResult cpu = attacks::pgd(model, x, y, o, g1);
    model.to(cuda_test_device());
    const attacks::AttackResult device = attacks::pgd(model, dev(x), dev(y), o, g2);
    EXPECT_TRUE(device.x_adv.device() == cuda_test_device());
    EXPECT_TRUE(all_close(host(device.x_adv), cpu.x_adv, 1e-5, 1e-6));
    EXPECT_TRUE(all_close(host(device.success), cpu.success, 0, 0));
  }
}

}  // namespace
}  // namespace advgrad::testing
