#pragma once
// The evaluation protocol of TensorFlow NSL's adversarial-regularisation MNIST
// tutorial, and the white-box attacks beside it.
//
// The tutorial trains a base model and an NSL model (training/nsl.h), then makes the
// adversarial neighbours of the TEST set with the BASE model,
//
//   x' = clip(x + eps * sign(d CE(f_base(x), y) / dx), lo, hi)     (eps = adv_step_size)
//
// and scores both models on those same images. For the base model x' is a
// white-box FGSM example; for the NSL model it is a transfer (grey-box) attack
// made with another network's gradient, which is weaker than an attack on its
// own gradient. So the protocol also attacks each model with its own gradients:
// FGSM at eps, and PGD-k (random start, step 2.5 eps / k, Madry et al. 2018).
//
//   clean      accuracy on x
//   neighbors  accuracy on the base model's x' (identical images for both models)
//   fgsm, pgd  accuracy under the white-box attacks on the model itself
//
// The neighbours are made once per batch with the base model in eval mode
// (attacks::fgsm: NSL's "infinity"-norm neighbour is exactly one FGSM step)
// and both models are scored on that tensor. Batches are moved to each model's
// device, so the two models may live on different devices.
#include <cstdint>
#include <string>
#include <vector>

#include "advgrad/data/dataset.h"
#include "advgrad/nn/module.h"

namespace advgrad::eval {

struct NslProtocolOptions {
  double eps = 0.1;    // neighbour step = FGSM and PGD radius, pixel units; > 0
  int pgd_steps = 40;  // >= 1
  std::uint64_t seed = 0;         // PGD's random start
  std::int64_t batch_size = 250;
  std::int64_t limit = 0;         // clean and neighbour accuracy on the first `limit` test images (0: all)
  std::int64_t attack_limit = 0;  // white-box FGSM / PGD on the first `attack_limit` (0: as many as `limit`)
  double lo = 0, hi = 1;          // valid pixel range
};

struct NslProtocolRow {
  std::string name;  // "base" or "nsl"
  double clean = 0, neighbors = 0, fgsm = 0, pgd = 0;  // accuracies in [0, 1]
};

struct NslProtocolResult {
  double eps = 0;
  int pgd_steps = 0;
  std::int64_t count = 0, attack_count = 0;  // images behind clean/neighbors and behind fgsm/pgd
  NslProtocolRow base, nsl;
  double seconds = 0;
};

// One model's accuracies on the clean images and on `source`'s neighbours.
struct NeighborAccuracy {
  double clean = 0, neighbors = 0;
};
// The building block: makes the one-step neighbours of the first `limit` test
// images (0: all) with `source`, once per batch, and scores every model of
// `models` on the clean batch and on those neighbours. Each model's output must
// have test.classes logits. Returns one entry per model, in order.
std::vector<NeighborAccuracy> neighbor_accuracy(nn::Module& source, const std::vector<nn::Module*>& models,
                                                const data::Dataset& test, double eps, std::int64_t batch_size = 250,
                                                std::int64_t limit = 0, double lo = 0, double hi = 1);

// The whole protocol for a base model and an NSL model; deterministic for a seed.
// advgrad::Error on eps <= 0, pgd_steps < 1, batch_size < 1, an empty test set
// or a model whose number of outputs is not test.classes.
NslProtocolResult nsl_protocol(nn::Module& base, nn::Module& nsl, const data::Dataset& test,
                               const NslProtocolOptions& options = {});

}  // namespace advgrad::eval
