#pragma once
// The autograd graph. Every differentiable op that sees an input requiring
// grad records a Node: its backward formula, the tensors it saved, and one
// Edge per input pointing at the Node that produced that input (or at the
// leaf's AccumulateGrad). backward() walks the nodes in reverse topological
// order (core/autograd/engine.h).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "advgrad/core/tensor.h"

namespace advgrad::autograd {

class Node;

// Where a gradient goes: input slot `input_nr` of `node`.
struct Edge {
  std::shared_ptr<Node> node;
  std::uint32_t input_nr = 0;
  bool valid() const { return node != nullptr; }
};

// A tensor saved for backward. Inputs are kept as they are; an op's own
// outputs are kept without their grad_fn (that would be a cycle) and get it
// back when unpacked. The storage version at save time is checked on unpack:
// modifying a saved tensor in place is an error, not a silent wrong gradient.
class SavedTensor {
 public:
  SavedTensor() = default;
  SavedTensor(const Tensor& t, bool is_output);
  Tensor unpack(const std::shared_ptr<Node>& owner, const char* op) const;
  bool defined() const { return data_ != nullptr; }
  std::shared_ptr<TensorImpl> release() { return std::move(data_); }

 private:
  std::shared_ptr<TensorImpl> data_;
  std::uint64_t version_ = 0;
  std::uint32_t output_nr_ = 0;
  bool is_output_ = false;
};

struct TensorMeta {
  Shape shape;
  DType dtype = DType::Float32;
  Device device;
};

class Node : public std::enable_shared_from_this<Node> {
 public:
  explicit Node(std::string name);
  virtual ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  const std::string& name() const { return name_; }
  std::uint64_t sequence_nr() const { return sequence_nr_; }

  // Gradients w.r.t. this node's forward outputs -> gradients w.r.t. its
  // forward inputs (one per next edge; undefined = no gradient). needs[i] says
  // whether input i's gradient is wanted: formulas skip work otherwise (e.g.
  // conv skips its weight-gradient kernel when only dL/dx is asked for).
  virtual std::vector<Tensor> apply(std::vector<Tensor>&& grads, const std::vector<bool>& needs) = 0;

  std::vector<Edge>& next_edges() { return next_edges_; }
  const std::vector<Edge>& next_edges() const { return next_edges_; }
  std::vector<TensorMeta>& outputs() { return outputs_; }  // forward outputs' metadata
  std::size_t num_outputs() const { return outputs_.size(); }

  // Gradient hooks on output slot `slot` (registered through Tensor::register_hook).
  virtual int add_hook(std::uint32_t slot, GradHook hook);
  virtual void remove_hook(int id);
  // Runs the hooks of a slot on its incoming gradient, in registration order.
  virtual Tensor run_hooks(std::uint32_t slot, Tensor grad);

  // Saved tensors, freed after backward unless retain_graph.
  void save(const Tensor& t, bool is_output) { saved_.emplace_back(t, is_output); }
  Tensor saved(std::size_t i);
  void release_saved();
  bool released() const { return released_; }

 protected:
  std::string name_;
  std::uint64_t sequence_nr_;
  std::vector<Edge> next_edges_;
  std::vector<TensorMeta> outputs_;
  std::vector<SavedTensor> saved_;
  bool released_ = false;
  struct Hook {
    int id;
    std::uint32_t slot;
    GradHook fn;
  };
  std::vector<Hook> hooks_;
};

// A node whose backward formula is a closure. The closure gets the node (for
// saved tensors), the incoming gradients and the needs mask. It must not
// capture Tensors: save them with Node::save so they are freed (and checked)
// properly.
class FunctionNode final : public Node {
 public:
  using Backward = std::function<std::vector<Tensor>(FunctionNode& self, std::vector<Tensor>& grads,
                                                     const std::vector<bool>& needs)>;
  FunctionNode(std::string name, Backward fn) : Node(std::move(name)), fn_(std::move(fn)) {}
  std::vector<Tensor> apply(std::vector<Tensor>&& grads, const std::vector<bool>& needs) override;

 private:
  Backward fn_;
};

// The sink for a leaf tensor: adds incoming gradients into leaf.grad().
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(std::shared_ptr<TensorImpl> leaf);
  std::vector<Tensor> apply(std::vector<Tensor>&& grads, const std::vector<bool>& needs) override;
  int add_hook(std::uint32_t slot, GradHook hook) override;
  void remove_hook(int id) override;
  Tensor run_hooks(std::uint32_t slot, Tensor grad) override;
  const std::shared_ptr<TensorImpl>& leaf() const { return leaf_; }

 private:
  std::shared_ptr<TensorImpl> leaf_;
};

// A process-unique id for a gradient hook.
int new_hook_id();

// The edge a gradient for `t` flows along: (grad_fn, output_nr) for results of
// ops, (AccumulateGrad, 0) for leaves that require grad, invalid otherwise.
Edge gradient_edge(const Tensor& t);

// True when grad mode is on and any of the tensors requires grad.
bool any_requires_grad(std::initializer_list<const Tensor*> inputs);
bool any_requires_grad(const std::vector<Tensor>& inputs);

// Records `node` as the grad_fn of `outputs`, with one edge per input. Call
// after computing the outputs; then save what the formula needs on the node.
void connect(const std::shared_ptr<Node>& node, const std::vector<Tensor>& inputs,
             const std::vector<Tensor*>& outputs);

// Convenience for the common case: builds a FunctionNode, connects it and
// returns it so the op can save tensors.
std::shared_ptr<FunctionNode> record(const char* name, const std::vector<Tensor>& inputs,
                                     const std::vector<Tensor*>& outputs, FunctionNode::Backward backward);

}  // namespace advgrad::autograd
