// Behaviour of the autograd engine: accumulation, graph lifetime, grad() vs
// backward(), grad mode, hooks, double backprop, deep graphs, the in-place
// safety checks, graph printing and the pruning of unneeded branches.
#include <pthread.h>

#include <cmath>
#include <exception>
#include <string>

#include "expect_error.h"
#include "testing.h"

namespace advgrad {
namespace {

using testing::all_close;
using testing::expect_error;
using testing::random_tensor;

const TensorOptions kF64{.dtype = DType::Float64};

Tensor vec(std::vector<double> v) { return from_vector(v, {static_cast<std::int64_t>(v.size())}, kF64); }
Tensor leaf_vec(std::vector<double> v) { return vec(std::move(v)).requires_grad_(true); }

// Runs f, expects advgrad::Error whose message contains every piece.

// ---------------------------------------------------------------- accumulation and graph lifetime

TEST(Autograd, GradientsAccumulateOverTwoBackwardCalls) {
  Tensor x = leaf_vec({1.0, -2.0, 3.0});
  sum(x * x).backward();
  EXPECT_TRUE(all_close(x.grad(), vec({2, -4, 6})));
  sum(x * 3.0).backward();
  EXPECT_TRUE(all_close(x.grad(), vec({5, -1, 9})));
  x.zero_grad();
  EXPECT_FALSE(x.grad().defined());
  // A .grad set by hand is accumulated into like any other, even a broadcast
  // view (which must not be added into in place: all its elements share one).
  Tensor one = vec({1.0});
  x.set_grad(one.expand({3}));
  sum(x * 3.0).backward();
  EXPECT_TRUE(all_close(x.grad(), vec({4, 4, 4})));
  EXPECT_EQ(one.item(), 1.0);
}

// Two leaves fed by one AddBackward receive the same gradient tensor. With
// create_graph their .grad must still be separate tensors: a later backward
// accumulates in place and must not add into the other leaf's .grad.
TEST(Autograd, AccumulationAfterCreateGraphKeepsLeafGradsSeparate) {
  Tensor a = leaf_vec({1.0, 2.0}), b = leaf_vec({3.0, 4.0});
  sum(a + b).backward({}, false, /*create_graph=*/true);
  EXPECT_TRUE(all_close(a.grad(), vec({1, 1})));
  EXPECT_TRUE(all_close(b.grad(), vec({1, 1})));
  sum(a + b).backward();
  EXPECT_TRUE(all_close(a.grad(), vec({2, 2})));
  EXPECT_TRUE(all_close(b.grad(), vec({2, 2})));
  // One leaf: SumBackward hands out a stride-0 expand view of a single number;
  // accumulating into that in place would add every element into one slot.
  Tensor c = leaf_vec({1.0, 2.0, 3.0});
  sum(c).backward({}, false, true);
  sum(c).backward();
  EXPECT_TRUE(all_close(c.grad(), vec({2, 2, 2})));
}

// A gradient the user still holds (here: the explicit root gradient reaching a
// leaf unchanged through a view) must be copied, not adopted as .grad.
TEST(Autograd, LeafGradDoesNotAliasTheCallersGradient) {
  Tensor x = leaf_vec({1.0, 2.0, 3.0});
  Tensor g = vec({1.0, 1.0, 1.0});
  x.reshape({3}).backward(g);
  x.reshape({3}).backward(g);
  EXPECT_TRUE(all_close(x.grad(), vec({2, 2, 2})));
  EXPECT_TRUE(all_close(g, vec({1, 1, 1})));
}

TEST(Autograd, RetainGraphAllowsASecondBackward) {
  Tensor x = leaf_vec({0.5, -1.5});
  Tensor y = sum(exp(x) * x);
  y.backward({}, /*retain_graph=*/true);
  Tensor first = x.grad().clone();
  y.backward();
  EXPECT_TRUE(all_close(x.grad(), first * 2.0));
  expect_error([&] { y.backward(); }, {"backward through the graph a second time", "retain_graph=true"});
}

TEST(Autograd, SecondBackwardWithoutRetainGraphThrows) {
  Tensor x = leaf_vec({0.5, -1.5});
  Tensor y = sum(x * x);
  y.backward();
  expect_error([&] { y.backward(); }, {"backward through the graph a second time", "MulBackward"});
  // The same holds for grad(), which frees the graph unless told otherwise.
  Tensor z = sum(x * x);
  autograd::grad({z}, {x});
  expect_error([&] { autograd::grad({z}, {x}); }, {"backward through the graph a second time"});
}

// ---------------------------------------------------------------- grad()

TEST(Autograd, GradReturnsInputGradientsAndLeavesDotGradUntouched) {
  Tensor w = random_tensor({3, 4}, 1).requires_grad_(true);  // a "parameter"
  Tensor x = random_tensor({2, 3}, 2).requires_grad_(true);  // the "input image"
  Tensor h = tanh(sum(x.unsqueeze(2) * w, {1}));             // x W, a non-leaf intermediate
  Tensor loss = sum(h * h);
  auto g = autograd::grad({loss}, {x, h}, {}, {.retain_graph = true});
  ASSERT_EQ(g.size(), 2u);
  // dL/dh = 2h; dL/dx = (2h * (1 - h^2)) W^T.
  Tensor hd = h.detach();
  EXPECT_TRUE(all_close(g[1], hd * 2.0));
  Tensor dpre = hd * 2.0 * (1.0 - hd * hd);
  EXPECT_TRUE(all_close(g[0], sum(dpre.unsqueeze(1) * w.detach(), {2})));
  EXPECT_FALSE(w.grad().defined());
  EXPECT_FALSE(x.grad().defined());
  // Same gradient as backward() gives, which does fill .grad.
  loss.backward();
  EXPECT_TRUE(all_close(x.grad(), g[0]));
  EXPECT_TRUE(w.grad().defined());
}

TEST(Autograd, GradAllowUnusedAndUnreachableInputs) {
  Tensor x = leaf_vec({1.0, 2.0}), unused = leaf_vec({3.0});
  Tensor y = sum(x * x);
  auto g = autograd::grad({y}, {x, unused}, {}, {.retain_graph = true, .allow_unused = true});
  EXPECT_TRUE(all_close(g[0], vec({2, 4})));
  EXPECT_FALSE(g[1].defined());
  expect_error([&] { autograd::grad({y}, {x, unused}, {}, {.retain_graph = true}); },
               {"grad: input 1 is not reachable", "allow_unused"});
  // An input that is used elsewhere, but not by this output, is unreachable too.
  Tensor other = sum(unused * 2.0);
  (void)other;
  expect_error([&] { autograd::grad({y}, {unused}); }, {"not reachable"});
  Tensor c = vec({1.0});
  expect_error([&] { autograd::grad({y}, {c}); }, {"grad: input 0 does not require grad"});
}

TEST(Autograd, GradOfNonLeafIntermediateOnly) {
  Tensor x = leaf_vec({0.3, -0.7, 1.1});
  Tensor h = x * 2.0;
  Tensor y = sum(h * h * h);
  auto g = autograd::grad({y}, {h});
  EXPECT_TRUE(all_close(g[0], h.detach() * h.detach() * 3.0));
  EXPECT_FALSE(x.grad().defined());
}

// ---------------------------------------------------------------- grad mode, detach, requires_grad

TEST(Autograd, NoGradGuardStopsRecording) {
  Tensor x = leaf_vec({1.0, 2.0});
  Tensor y;
  {
    NoGradGuard no_grad;
    y = x * x;
    EXPECT_FALSE(GradMode::is_enabled());
    {
      EnableGradGuard enable;
      EXPECT_TRUE((x * 2.0).requires_grad());
    }
  }
  EXPECT_TRUE(GradMode::is_enabled());
  EXPECT_FALSE(y.requires_grad());
  EXPECT_EQ(y.grad_fn(), nullptr);
  expect_error([&] { sum(y).backward(); }, {"backward: output 0 does not require grad"});
}

TEST(Autograd, DetachCutsTheGraph) {
  Tensor x = leaf_vec({1.0, 2.0});
  Tensor h = x * x;
  Tensor d = h.detach();
  EXPECT_FALSE(d.requires_grad());
  EXPECT_TRUE(d.is_leaf());
  EXPECT_EQ(d.impl()->storage, h.impl()->storage);  // same data
  Tensor y = sum(d * x);                              // only the direct path to x remains
  y.backward();
  EXPECT_TRUE(all_close(x.grad(), vec({1, 4})));      // d, not d + 2x * x
}

TEST(Autograd, RequiresGradOnNonLeafThrows) {
  Tensor x = leaf_vec({1.0});
  Tensor y = x * 2.0;
  expect_error([&] { y.requires_grad_(true); }, {"requires_grad_", "leaf", "MulBackward", "detach()"});
  Tensor i = from_vector(std::vector<std::int64_t>{1, 2}, {2});
  expect_error([&] { i.requires_grad_(true); }, {"requires_grad_", "floating-point", "int64"});
}

TEST(Autograd, BackwardArgumentChecks) {
  Tensor x = leaf_vec({1.0, 2.0, 3.0});
  Tensor y = x * 2.0;
  expect_error([&] { y.backward(); }, {"backward", "only for scalar outputs", "[3]"});
  expect_error([&] { y.backward(vec({1.0, 1.0})); }, {"backward: gradient of shape [2]", "output 0 of shape [3]"});
  expect_error([&] { y.backward(ones({3})); }, {"backward: gradient dtype float32", "float64"});
  y.backward(vec({1.0, 0.0, -1.0}));
  EXPECT_TRUE(all_close(x.grad(), vec({2, 0, -2})));
}

// ---------------------------------------------------------------- hooks

TEST(Autograd, HookOnIntermediateSeesItsGradient) {
  Tensor x = leaf_vec({1.0, -2.0});
  Tensor h = x * 3.0;
  Tensor seen;
  int calls = 0;
  h.register_hook([&](const Tensor& g) {
    seen = g.clone();
    ++calls;
    return Tensor();
  });
  sum(h * h).backward();
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(all_close(seen, h.detach() * 2.0));  // dL/dh = 2h
  EXPECT_TRUE(all_close(x.grad(), h.detach() * 6.0));
}

TEST(Autograd, HookCanReplaceTheGradientAndBeRemoved) {
  Tensor x = leaf_vec({1.0, 2.0});
  Tensor h = x * 1.0;
  const int id = h.register_hook([](const Tensor& g) { return g * 10.0; });
  Tensor loss = sum(h * 2.0);
  loss.backward({}, /*retain_graph=*/true);
  EXPECT_TRUE(all_close(x.grad(), vec({20, 20})));
  h.remove_hook(id);
  x.zero_grad();
  loss.backward();
  EXPECT_TRUE(all_close(x.grad(), vec({2, 2})));
}

TEST(Autograd, LeafHooksRunBeforeAccumulation) {
  Tensor x = leaf_vec({1.0, 2.0});
  Tensor seen;
  const int watch = x.register_hook([&](const Tensor& g) {
    seen = g.clone();
    return Tensor();
  });
  const int halve = x.register_hook([](const Tensor& g) { return g * 0.5; });
  sum(x * 4.0).backward();
  EXPECT_TRUE(all_close(seen, vec({4, 4})));
  EXPECT_TRUE(all_close(x.grad(), vec({2, 2})));
  // grad() sees the hooked gradient too, but does not accumulate.
  auto g = autograd::grad({sum(x * 4.0)}, {x});
  EXPECT_TRUE(all_close(g[0], vec({2, 2})));
  EXPECT_TRUE(all_close(x.grad(), vec({2, 2})));
  x.remove_hook(halve);
  x.remove_hook(watch);
  seen = Tensor();
  sum(x * 4.0).backward();
  EXPECT_FALSE(seen.defined());
  EXPECT_TRUE(all_close(x.grad(), vec({6, 6})));
}

TEST(Autograd, HookReplacementMustMatchTheGradient) {
  Tensor x = leaf_vec({1.0, 2.0, 3.0});
  x.register_hook([](const Tensor&) { return scalar_tensor(5.0, kF64); });
  expect_error([&] { sum(x * 2.0).backward(); }, {"hook on 'leaf [3]'", "shape []", "shape [3]"});
  EXPECT_FALSE(x.grad().defined());
  Tensor y = leaf_vec({1.0, 2.0});
  Tensor h = y * 1.0;
  h.register_hook([](const Tensor&) { return ones({2}); });  // float32 for a float64 gradient
  expect_error([&] { sum(h * 2.0).backward(); }, {"hook on 'MulBackward'", "dtype float32", "dtype float64"});
}

TEST(Autograd, RetainGradKeepsANonLeafGradient) {
  Tensor x = leaf_vec({1.0, 2.0});
  Tensor h = x * x;
  Tensor k = h * 1.0;
  h.retain_grad();
  sum(k * 3.0).backward();
  ASSERT_TRUE(h.grad().defined());
  EXPECT_TRUE(all_close(h.grad(), vec({3, 3})));
  EXPECT_FALSE(k.grad().defined());  // not retained
  Tensor c = vec({1.0});
  expect_error([&] { c.retain_grad(); }, {"retain_grad", "does not require grad"});
  expect_error([&] { c.register_hook([](const Tensor&) { return Tensor(); }); }, {"register_hook"});
}

// ---------------------------------------------------------------- double backprop

TEST(Autograd, SecondDerivativeOfCube) {
  Tensor x = leaf_vec({0.5, -1.2, 2.0});
  Tensor y = sum(x * x * x);
  Tensor dy = autograd::grad({y}, {x}, {}, {.create_graph = true})[0];
  EXPECT_TRUE(dy.requires_grad());
  EXPECT_TRUE(all_close(dy, x.detach() * x.detach() * 3.0));
  Tensor d2y = autograd::grad({sum(dy)}, {x})[0];
  EXPECT_TRUE(all_close(d2y, x.detach() * 6.0));
  // Through backward() with create_graph, the accumulated .grad is differentiable.
  Tensor z = leaf_vec({1.5});
  sum(pow(z, 3.0)).backward({}, false, true);
  Tensor gz = z.grad();
  ASSERT_TRUE(gz.requires_grad());
  EXPECT_NEAR(autograd::grad({sum(gz)}, {z})[0].item(), 9.0, 1e-12);
  z.zero_grad();  // a differentiable .grad references its own leaf: break the cycle
}

// Input-gradient regularisation: P(w) = || dL(w, x)/dx ||^2, differentiated
// w.r.t. the weight w through the gradient graph.
Tensor gradient_penalty(const Tensor& w, const Tensor& x_values) {
  Tensor x = x_values.detach().clone().requires_grad_(true);
  Tensor loss = sum(tanh(x * w) * x);
  Tensor gx = autograd::grad({loss}, {x}, {}, {.create_graph = true})[0];
  return sum(gx * gx);
}

TEST(Autograd, GradientNormPenaltyMatchesFiniteDifferences) {
  const Tensor x = random_tensor({5}, 11);
  Tensor w = random_tensor({5}, 12).requires_grad_(true);
  // Closed form for a simpler loss L = sum(w x^2 / 2): dL/dx = w x, P = sum(w^2 x^2), dP/dw = 2 w x^2.
  {
    Tensor xx = x.clone().requires_grad_(true);
    Tensor gx = autograd::grad({sum(w * xx * xx * 0.5)}, {xx}, {}, {.create_graph = true})[0];
    Tensor dw = autograd::grad({sum(gx * gx)}, {w})[0];
    EXPECT_TRUE(all_close(dw, w.detach() * x * x * 2.0, 1e-10, 1e-12));
  }
  Tensor dw = autograd::grad({gradient_penalty(w, x)}, {w})[0];
  EXPECT_FALSE(w.grad().defined());
  // Central differences, element by element.
  const auto base = w.detach().to_double_vector();
  std::vector<double> numeric(base.size());
  const double eps = 1e-6;
  for (std::size_t i = 0; i < base.size(); ++i) {
    auto at = [&](double delta) {
      auto v = base;
      v[i] += delta;
      return gradient_penalty(vec(v), x).item();
    };
    numeric[i] = (at(eps) - at(-eps)) / (2 * eps);
  }
  EXPECT_TRUE(all_close(dw, vec(numeric), 1e-5, 1e-7));
  // And the harness' own check of the same function (first and second order).
  EXPECT_TRUE(testing::gradcheck([&](const std::vector<Tensor>& v) { return gradient_penalty(v[0], x); }, {w}));
}

// ---------------------------------------------------------------- deep graphs

// Runs f on a thread with a stack of `bytes`, so code that recurses once per
// graph node fails the same way on every build type and stack limit.
template <typename F>
void run_with_stack(std::size_t bytes, F&& f) {
  struct Job {
    F* f;
    std::exception_ptr error;
  } job{&f, nullptr};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, bytes), 0);
  pthread_t thread;
  auto body = [](void* p) -> void* {
    auto* j = static_cast<Job*>(p);
    try {
      (*j->f)();
    } catch (...) {
      j->error = std::current_exception();
    }
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attr, body, &job), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
  if (job.error) std::rethrow_exception(job.error);
}

// 1 MiB of stack: plenty for the iterative engine, far too little for one
// frame per node (100,000 nodes) in backward or in the graph's destruction.
TEST(Autograd, HundredThousandOpDeepGraph) {
  run_with_stack(1 << 20, [] {
    constexpr int kSteps = 50000;  // two ops each: 100,000 nodes deep
    const double a = 1.00001;
    Tensor x = leaf_vec({1.0});
    {
      Tensor y = x;
      for (int i = 0; i < kSteps; ++i) y = y * a + 0.0001;
      // dy/dx = a^N, through grad() (its own reachability walk) and backward().
      const double expected = std::pow(a, kSteps);
      EXPECT_NEAR(autograd::grad({y}, {x}, {}, {.retain_graph = true})[0].item(), expected, 1e-9);
      y.backward();
      EXPECT_NEAR(x.grad().item(), expected, 1e-9);
    }  // the graph (already freed of saved tensors) is destroyed here
    {
      Tensor y = x;
      for (int i = 0; i < kSteps; ++i) y = y * a + 0.0001;
      EXPECT_EQ(y.grad_fn()->name(), "AddBackward");
    }  // destroyed with every saved tensor still alive: must not recurse
  });
}

// ---------------------------------------------------------------- in-place safety

TEST(Autograd, ModifyingASavedTensorInPlaceIsAnError) {
  Tensor w = leaf_vec({1.0, 2.0});
  Tensor c = vec({3.0, 4.0});  // does not require grad: in-place is allowed
  Tensor y = sum(w * c);       // MulBackward saves c
  c.mul_(2.0);
  expect_error([&] { y.backward(); }, {"modified in place", "MulBackward"});

  // Writing through another view of the same storage counts too.
  Tensor x = leaf_vec({0.5, 1.5});
  Tensor e = exp(x);  // saves its output
  Tensor z = sum(e);
  {
    NoGradGuard no_grad;
    e.detach().fill_(0.0);
  }
  expect_error([&] { z.backward(); }, {"modified in place", "ExpBackward"});
}

TEST(Autograd, InPlaceOnALeafThatRequiresGrad) {
  Tensor x = leaf_vec({1.0, 2.0});
  expect_error([&] { x.mul_(2.0); }, {"mul_", "in-place", "requires grad", "NoGradGuard"});
  expect_error([&] { x.add_(vec({1.0, 1.0})); }, {"add_", "in-place"});
  expect_error([&] { x.fill_(0.0); }, {"fill_"});
  expect_error([&] { x.copy_(vec({0.0, 0.0})); }, {"copy_"});
  expect_error([&] { (x * 1.0).zero_(); }, {"fill_", "in-place"});
  {
    NoGradGuard no_grad;
    x.add_(vec({1.0, -1.0}), 0.5);  // an optimizer step
  }
  EXPECT_TRUE(all_close(x, vec({1.5, 1.5})));
  EXPECT_TRUE(x.requires_grad());
}

// ---------------------------------------------------------------- graph printing

TEST(Autograd, ToDotNamesTheOps) {
  Tensor x = leaf_vec({1.0, 2.0});
  Tensor y = sum(exp(x) * x);
  const std::string dot = autograd::to_dot(y);
  EXPECT_EQ(dot.rfind("digraph", 0), 0u) << dot;
  for (const char* name : {"SumBackward", "MulBackward", "ExpBackward", "AccumulateGrad", "->"})
    EXPECT_NE(dot.find(name), std::string::npos) << name << " missing in\n" << dot;
  EXPECT_NE(autograd::to_dot(vec({1.0})).find("digraph"), std::string::npos);
}

// ---------------------------------------------------------------- only the needed branch runs

TEST(Autograd, GradWrtInputSkipsTheParameterBranch) {
  Tensor x = leaf_vec({1.0, 2.0});
  Tensor w = leaf_vec({0.5, -0.5});
  Tensor wsq = w * w;  // a branch that only leads to w
  int param_hook = 0, branch_hook = 0;
  w.register_hook([&](const Tensor&) {
    ++param_hook;
    return Tensor();
  });
  wsq.register_hook([&](const Tensor&) {
    ++branch_hook;
    return Tensor();
  });
  Tensor loss = sum(x * w) + sum(wsq * x);
  auto gx = autograd::grad({loss}, {x}, {}, {.retain_graph = true})[0];
  EXPECT_TRUE(all_close(gx, vec({0.75, -0.25})));  // w + w^2
  EXPECT_EQ(param_hook, 0);
  EXPECT_EQ(branch_hook, 0);
  // backward() does run them.
  loss.backward();
  EXPECT_EQ(param_hook, 1);
  EXPECT_EQ(branch_hook, 1);
  EXPECT_TRUE(all_close(w.grad(), vec({1.0 + 2 * 0.5 * 1.0, 2.0 + 2 * -0.5 * 2.0})));
}

// Each formula is told which inputs' gradients are needed.
TEST(Autograd, NeedsMaskReachesTheFormula) {
  Tensor x = leaf_vec({1.0, 2.0}), w = leaf_vec({3.0, 4.0});
  std::vector<bool> seen;
  Tensor out;
  {
    NoGradGuard no_grad;
    out = x * w;
  }
  autograd::record("Probe", {x, w}, {&out}, [&](autograd::FunctionNode&, std::vector<Tensor>& g,
                                                 const std::vector<bool>& needs) {
    seen = needs;
    return std::vector<Tensor>{needs[0] ? g[0] : Tensor(), needs[1] ? g[0] : Tensor()};
  });
  autograd::grad({sum(out)}, {x});
  EXPECT_EQ(seen, (std::vector<bool>{true, false}));
}

}  // namespace
}  // namespace advgrad
