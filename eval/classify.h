#pragma once
// What an image classifier says about one image: the k most probable classes
// with their softmax probabilities, highest first.
#include <cstdint>
#include <string>
#include <vector>

#include "advgrad/nn/module.h"

namespace advgrad::eval {

struct Prediction {
  std::int64_t index = 0;
  std::string name;  // names[index], or the index as text when names is empty
  double probability = 0.0;
};

// logits [C] (one image) -> the top k of softmax(logits), ties by lower index.
std::vector<Prediction> top_k(const Tensor& logits, const std::vector<std::string>& names, std::int64_t k);

// Runs `model` in eval mode without a graph on images [N, C, H, W] (already
// preprocessed) and returns the top k per image. The model's mode is restored.
std::vector<std::vector<Prediction>> classify(nn::Module& model, const Tensor& images,
                                              const std::vector<std::string>& names, std::int64_t k);

}  // namespace advgrad::eval
