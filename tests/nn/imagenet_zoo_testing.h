#pragma once
// Shared checks for the torchvision-named ImageNet networks of the zoo
// (test_resnet_imagenet.cpp, test_mobilenet_v2.cpp): logits and a finite
// dLoss/dImage, a torchvision-style .pth round trip through
// nn::load_pretrained, and its errors naming the tensor.
#include <cmath>
#include <fstream>
#include <set>
#include <string>

#include "expect_error.h"
#include "nn/torch_checkpoint_writer.h"
#include "testing.h"

namespace advgrad::testing {

inline nn::ModelConfig zoo_config(const std::string& arch, std::uint64_t seed = 7) {
  nn::ModelConfig c = nn::imagenet_config(arch);
  c.seed = seed;
  return c;
}

// torchvision's BatchNorm2d tensors under `prefix` (its num_batches_tracked
// counter is left out: advgrad's model has none and load_pretrained drops it).
inline void add_batch_norm(std::set<std::string>& names, const std::string& prefix) {
  for (const char* t : {"weight", "bias", "running_mean", "running_var"}) names.insert(prefix + "." + t);
}

inline std::set<std::string> state_dict_names(const nn::Module& m) {
  std::set<std::string> names;
  for (const auto& [name, t] : m.state_dict()) names.insert(name);
  return names;
}

// `state` as torch.save writes a torchvision state dict (zip format): each
// tensor in its own float storage, and an int64 num_batches_tracked beside
// every BatchNorm, as torchvision's modules have.
inline void write_torchvision_checkpoint(const std::string& path, const nn::StateDict& state) {
  FakeCheckpoint c;
  auto add = [&](const std::string& name, FakeStorage storage, const Shape& shape) {
    const std::string key = std::to_string(c.storages.size());
    std::vector<std::int64_t> stride(shape.size(), 1);
    for (std::size_t i = shape.size(); i-- > 1;) stride[i - 1] = stride[i] * shape[i];
    c.storages[key] = std::move(storage);
    c.tensors.push_back({name, key, 0, shape, stride});
  };
  for (const auto& [name, t] : state) {
    const std::vector<double> v = t.to_double_vector();
    add(name, {"FloatStorage", raw_bytes(std::vector<float>(v.begin(), v.end())), v.size()}, t.shape());
    const std::string suffix = ".running_var";
    if (name.ends_with(suffix))
      add(name.substr(0, name.size() - suffix.size()) + ".num_batches_tracked",
          {"LongStorage", raw_bytes(std::vector<std::int64_t>{1000}), 1}, {});
  }
  std::ofstream(path, std::ios::binary) << zip_checkpoint(c);
}

// Logits [2, classes] for a 2 x 3 x size x size batch in training mode, and a
// finite, non-zero dLoss/dImage of the input's shape.
inline void expect_logits_and_input_gradient(nn::Module& m, std::int64_t size, std::int64_t classes) {
  Tensor x = random_tensor({2, 3, size, size}, 5, DType::Float32, 0, 1).requires_grad_();
  Tensor logits = m(x);
  ASSERT_EQ(logits.shape(), (Shape{2, classes}));
  Tensor loss = cross_entropy(logits, from_vector(std::vector<std::int64_t>{1, classes - 1}, {2}));
  const Tensor g = autograd::grad({loss}, {x})[0];
  ASSERT_EQ(g.shape(), x.shape());
  double norm = 0;
  for (double v : g.to_double_vector()) {
    ASSERT_TRUE(std::isfinite(v));
    norm += std::abs(v);
  }
  EXPECT_GT(norm, 0);
}

// A model with trained BatchNorm statistics saved as a torchvision .pth loads
// into another one built from a different seed, tensor for tensor, and both
// give the same eval-mode logits.
inline void expect_checkpoint_round_trip(const std::string& arch) {
  nn::ModulePtr a = nn::build_model(zoo_config(arch, 1)), b = nn::build_model(zoo_config(arch, 2));
  const Tensor x = random_tensor({1, 3, 32, 32}, 9, DType::Float32, 0, 1);
  {
    NoGradGuard no_grad;
    (*a)(random_tensor({2, 3, 32, 32}, 8, DType::Float32, 0, 1));  // moves the running statistics
  }
  const std::string path = temp_dir("zoo_" + arch) / (arch + ".pth");
  write_torchvision_checkpoint(path, a->state_dict());
  nn::load_pretrained(*b, path);
  const nn::StateDict sa = a->state_dict(), sb = b->state_dict();
  for (const auto& [name, t] : sa) EXPECT_EQ(t.to_double_vector(), sb.at(name).to_double_vector()) << name;
  a->eval();
  b->eval();
  NoGradGuard no_grad;
  EXPECT_EQ((*a)(x).to_double_vector(), (*b)(x).to_double_vector());
}

// One advgrad::Error naming the tensor, for a missing one and a misshapen one.
inline void expect_load_errors_name_the_tensor(const std::string& arch, const std::string& missing,
                                               const std::string& misshapen) {
  nn::ModulePtr m = nn::build_model(zoo_config(arch));
  const nn::StateDict sd = m->state_dict();
  nn::StateDict lacking = sd;
  ASSERT_EQ(lacking.erase(missing), 1u) << missing;
  expect_error([&] { nn::load_pretrained(*m, lacking, "user.pth"); }, {"user.pth", ("'" + missing + "'").c_str()});
  nn::StateDict wrong = sd;
  Shape shape = wrong.at(misshapen).shape();
  shape[0] += 1;
  wrong[misshapen] = zeros(shape);
  expect_error([&] { nn::load_pretrained(*m, wrong, "user.pth"); },
               {"user.pth", ("'" + misshapen + "'").c_str(), shape_str(shape).c_str()});
}

}  // namespace advgrad::testing
