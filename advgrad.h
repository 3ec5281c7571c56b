#pragma once
// advgrad: tensors, reverse-mode autograd, CPU (and CUDA) kernels, CNN layers,
// adversarial attacks and adversarial training. Include this one header.
#include "advgrad/core/autograd/engine.h"
#include "advgrad/core/autograd/node.h"
#include "advgrad/core/backend/backend.h"
#include "advgrad/core/backend/cuda.h"
#include "advgrad/core/device.h"
#include "advgrad/core/dtype.h"
#include "advgrad/core/error.h"
#include "advgrad/core/generator.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/core/shape.h"
#include "advgrad/core/tensor.h"
