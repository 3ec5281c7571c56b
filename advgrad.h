#pragma once
// advgrad: tensors, reverse-mode autograd, CPU (and CUDA) kernels, CNN layers,
// adversarial attacks and adversarial training. Include this one header.
#include "core/autograd/engine.h"
#include "core/autograd/node.h"
#include "core/backend.h"
#include "core/cuda.h"
#include "core/device.h"
#include "core/dtype.h"
#include "core/error.h"
#include "core/generator.h"
#include "core/grad_mode.h"
#include "core/ops/ops.h"
#include "core/shape.h"
#include "core/tensor.h"
