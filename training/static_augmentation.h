#pragma once
// Static adversarial augmentation, the TensorFlow adversarial workshop's seven
// steps: (1) train on clean data, (2) evaluate, (3) make FGSM copies of the
// train and test sets with that trained model, (4) evaluate on the perturbed
// test set, (5) retrain on clean + perturbed train, (6)-(7) evaluate on the
// clean and the perturbed test sets. The copies are made once, with a fixed
// model, so (unlike online training) they do not follow the model being
// retrained. tests/training/test_static_augmentation.cpp walks the steps.
#include <cstdint>

#include "advgrad/data/dataset.h"
#include "advgrad/nn/module.h"

namespace advgrad::training {

// x_adv = clip(x + eps sign(dCE/dx), 0, 1) per batch (attacks::fgsm, eval
// mode), stored back as uint8. Each pixel is rounded toward its original value
// (floor above it, ceil below), so |q/255 - x| <= |x_adv - x| <= eps: the copy
// stays inside the eps-ball after quantisation (and in [0, 255]). Labels,
// geometry and class names are kept; the name gains "+fgsm".
data::Dataset fgsm_perturbed_copy(nn::Module& model, const data::Dataset& data, double eps,
                                  std::int64_t batch_size = 500);
// a's examples then b's. Same channels, height, width and class count, else
// advgrad::Error naming both.
data::Dataset concat_datasets(const data::Dataset& a, const data::Dataset& b);

}  // namespace advgrad::training
