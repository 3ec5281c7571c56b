#pragma once
// The backward engine: reverse-mode automatic differentiation over the graph of
// Nodes recorded by the forward pass.
//
//   backward(): d(outputs)/d(leaf) accumulated into every leaf's .grad().
//   grad():     d(outputs)/d(inputs) returned for any tensors (an input image
//               included) without touching any .grad. Only the part of the
//               graph that leads to `inputs` runs, and each node is told which
//               of its inputs' gradients are needed, so e.g. conv skips its
//               weight-gradient kernel when only dL/dx is asked for.
//
// The traversal is iterative (no recursion, so graphs 100,000 ops deep are
// fine) and runs nodes in reverse creation order among those whose consumers
// are all done (Kahn's algorithm), so each gradient is complete before it is
// propagated. With create_graph the backward formulas run with grad mode on
// and build a graph of their own: gradients of gradients.
#include <vector>

#include "advgrad/core/tensor.h"

namespace advgrad::autograd {

struct GradOptions {
  bool retain_graph = false;  // keep saved tensors for another backward
  bool create_graph = false;  // make the returned gradients differentiable
  bool allow_unused = false;  // return undefined for inputs not reached (else an error)
};

void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs = {},
              bool retain_graph = false, bool create_graph = false);

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {}, GradOptions options = {});

// Graphviz DOT of the graph behind `t` (a teaching aid): one box per node,
// edges in the direction gradients flow.
std::string to_dot(const Tensor& t);

}  // namespace advgrad::autograd
