// The CPU block cache (core/backend/cpu_backend.cpp): once a training step has
// run, the next one takes every tensor buffer of 64 KiB or more from the cache
// and none from the system allocator; tensors can cross ReferenceKernelsGuard.
#include <gtest/gtest.h>

#include <random>

#include "advgrad/core/autograd/engine.h"
#include "advgrad/core/backend/cpu_backend.h"
#include "advgrad/core/generator.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/core/tensor.h"

namespace advgrad {
namespace {

bool cache_on() {
  Generator gen(std::random_device{}());
  const std::int64_t before = cpu_cache_stats().cache_hits;
  { Tensor a = rand({70000}, gen); }  // 280 kB, freed at once
  { Tensor b = rand({70000}, gen); }  // the same size class again
  return cpu_cache_stats().cache_hits > before;
}

// A conv -> ReLU -> max-pool -> linear -> cross-entropy step with SGD, on odd sizes.
struct Step {
  Generator gen{std::random_device{}()};
  std::int64_t n = 37;
  Tensor x = rand({n, 3, 19, 19}, gen);
  Tensor y = randint(0, 5, {n}, gen);
  Tensor w1 = (randn({8, 3, 3, 3}, gen) * 0.2).requires_grad_(true);
  Tensor b1 = (randn({8}, gen) * 0.1).requires_grad_(true);
  Tensor w2 = (randn({5, 8 * 9 * 9}, gen) * 0.05).requires_grad_(true);
  Tensor b2 = (randn({5}, gen) * 0.1).requires_grad_(true);

  void run() {
    Conv2dOptions conv;
    conv.pad_h = conv.pad_w = 1;
    const Tensor h = max_pool2d(relu(conv2d(x, w1, b1, conv)), Pool2dOptions{});
    const Tensor loss = cross_entropy(linear(h.flatten(1), w2, b2), y);
    const std::vector<Tensor> g = autograd::grad({loss}, {w1, b1, w2, b2});
    NoGradGuard no_grad;
    w1 = (w1 - g[0] * 0.1).requires_grad_(true);
    b1 = (b1 - g[1] * 0.1).requires_grad_(true);
    w2 = (w2 - g[2] * 0.1).requires_grad_(true);
    b2 = (b2 - g[3] * 0.1).requires_grad_(true);
  }
};

TEST(CpuCache, WarmTrainingStepTakesNoBlockFromTheSystem) {
  if (!cache_on()) GTEST_SKIP() << "CPU block cache off (ADVGRAD_CPU_CACHE_MB=0 or AddressSanitizer)";
  Step step;
  step.run();
  step.run();
  const MemoryStats before = cpu_cache_stats();
  step.run();
  const MemoryStats after = cpu_cache_stats();
  EXPECT_EQ(after.raw_allocations, before.raw_allocations);
  // The step's activations (37 x 8 x 19 x 19 floats = 427 kB, and their gradients) came from the cache.
  EXPECT_GE(after.cache_hits - before.cache_hits, 4);
  EXPECT_EQ(after.live_blocks, before.live_blocks);  // and went back to it
}

TEST(CpuCache, TensorsCrossReferenceKernelsGuard) {
  Generator gen(std::random_device{}());
  const std::int64_t live = cpu_cache_stats().live_blocks;
  Tensor fast = randn({123, 211}, gen);  // 104 kB: a cached size
  Tensor ref;
  {
    ReferenceKernelsGuard guard(true);
    ref = fast * 2.0;                    // allocated by the reference backend
    fast = Tensor();                     // freed by it
  }
  EXPECT_EQ(ref.shape(), (Shape{123, 211}));
  ref = Tensor();                        // freed by the fast backend
  EXPECT_EQ(cpu_cache_stats().live_blocks, live);  // both blocks went back to the one cache
}

}  // namespace
}  // namespace advgrad
