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

// The class a person means by `name_or_index`: an index 0..names.size()-1
// written in digits, else a name. Names are compared ignoring case; an exact
// match wins when it is the only one, else a name containing the text when
// exactly one does ("golden" -> "golden retriever"). Class names are not
// unique (ImageNet has two "crane"), so several matches are an error listing
// them with their indices; no match is an error too.
std::int64_t class_index(const std::vector<std::string>& names, const std::string& name_or_index);

}  // namespace advgrad::eval
