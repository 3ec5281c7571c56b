#pragma once
// advgrad: tensors, reverse-mode autograd, CPU (and CUDA) kernels, CNN layers,
// adversarial attacks and adversarial training.
//
//   #include <advgrad/advgrad.h>     and link advgrad::advgrad
//
// brings the whole public API of the library, layer by layer (docs/design.md).
// Figures, the report and the workshop are advgrad::workshop
// (<advgrad/report/...>, <advgrad/workshop/...>); the backend dispatch table and
// the raw-buffer kernels (<advgrad/core/backend/backend.h>, <advgrad/kernels/...>)
// are there for those who write kernels, not needed to use the library.

// core: tensor, autograd, differentiable ops, devices
#include "advgrad/core/autograd/engine.h"
#include "advgrad/core/autograd/node.h"
#include "advgrad/core/backend/cpu_settings.h"
#include "advgrad/core/backend/cuda.h"
#include "advgrad/core/device.h"
#include "advgrad/core/dtype.h"
#include "advgrad/core/error.h"
#include "advgrad/core/generator.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/core/shape.h"
#include "advgrad/core/tensor.h"

// io: files written atomically
#include "advgrad/io/atomic_file.h"

// nn: modules, layers, losses, model zoo, optimizers, schedules, model files
#include "advgrad/nn/activation.h"
#include "advgrad/nn/batch_norm.h"
#include "advgrad/nn/containers.h"
#include "advgrad/nn/conv2d.h"
#include "advgrad/nn/dropout.h"
#include "advgrad/nn/dual_batch_norm.h"
#include "advgrad/nn/efficientnet.h"
#include "advgrad/nn/init.h"
#include "advgrad/nn/linear.h"
#include "advgrad/nn/lr_schedule.h"
#include "advgrad/nn/model_io.h"
#include "advgrad/nn/mobilenet_v2.h"
#include "advgrad/nn/models.h"
#include "advgrad/nn/module.h"
#include "advgrad/nn/optimizer.h"
#include "advgrad/nn/pooling.h"
#include "advgrad/nn/pretrained.h"
#include "advgrad/nn/resnet_imagenet.h"
#include "advgrad/nn/safetensors.h"
#include "advgrad/nn/scale_shift.h"
#include "advgrad/nn/soft_cross_entropy.h"
#include "advgrad/nn/torchvision_conv.h"

// attacks: adversarial examples and input-gradient tools
#include "advgrad/attacks/apgd.h"
#include "advgrad/attacks/attack.h"
#include "advgrad/attacks/autoattack.h"
#include "advgrad/attacks/fab.h"
#include "advgrad/attacks/gradient_probe.h"
#include "advgrad/attacks/saliency.h"
#include "advgrad/attacks/square.h"

// data: data sets, loader, image operations
#include "advgrad/data/colour_corruptions.h"
#include "advgrad/data/data_loader.h"
#include "advgrad/data/dataset.h"
#include "advgrad/data/image_ops.h"
#include "advgrad/data/image_transforms.h"
#include "advgrad/data/imagenet.h"

// eval: clean and robust evaluation, corruptions, natural adversarial examples
#include "advgrad/eval/classify.h"
#include "advgrad/eval/corruptions.h"
#include "advgrad/eval/evaluate.h"
#include "advgrad/eval/image_attack.h"
#include "advgrad/eval/imagenet_a.h"
#include "advgrad/eval/interval.h"
#include "advgrad/eval/natural_adversarial.h"
#include "advgrad/eval/nsl_protocol.h"
#include "advgrad/eval/photo_corruptions.h"
#include "advgrad/eval/photo_labels.h"
#include "advgrad/eval/photo_robustness.h"
#include "advgrad/eval/robust_eval.h"

// training: the Trainer and the adversarial-training recipes
#include "advgrad/training/adversarial_training.h"
#include "advgrad/training/advprop.h"
#include "advgrad/training/noisy_student.h"
#include "advgrad/training/nsl.h"
#include "advgrad/training/overfitting_guard.h"
#include "advgrad/training/static_augmentation.h"
#include "advgrad/training/trainer.h"
#include "advgrad/training/training_verdict.h"
