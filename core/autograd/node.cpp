#include "advgrad/core/autograd/node.h"

#include <atomic>

#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad::autograd {
namespace {

// A hook's replacement must look like the gradient it replaces: it flows on
// into formulas (which would broadcast a wrong shape silently) or into .grad.
void check_hook_result(const Tensor& replaced, const Tensor& grad, const std::string& where) {
  ADVGRAD_CHECK(replaced.shape() == grad.shape() && replaced.dtype() == grad.dtype() &&
                    replaced.device() == grad.device(),
                "hook on '", where, "': returned a gradient of shape ", shape_str(replaced.shape()), " and dtype ",
                dtype_name(replaced.dtype()), " for a gradient of shape ", shape_str(grad.shape()), " and dtype ",
                dtype_name(grad.dtype()));
}

std::atomic<std::uint64_t> next_sequence_nr{0};
std::atomic<int> next_hook_id{1};

// Graphs can be 100,000 nodes deep. Destroying the last handle to such a chain
// would recurse once per node through shared_ptr destructors and overflow the
// stack, so a dying node hands what it owns (its children and its saved
// tensors) to this thread-local list, and the outermost destructor frees the
// list iteratively.
thread_local std::vector<std::shared_ptr<void>>* graveyard = nullptr;

}  // namespace

// ---- SavedTensor ----
SavedTensor::SavedTensor(const Tensor& t, bool is_output) : is_output_(is_output) {
  if (!t.defined()) return;
  version_ = t.impl()->storage->version();
  if (is_output) {
    // Keep the data and metadata, but not the grad_fn (the owner node).
    data_ = std::make_shared<TensorImpl>();
    data_->storage = t.impl()->storage;
    data_->shape = t.impl()->shape;
    data_->strides = t.impl()->strides;
    data_->offset = t.impl()->offset;
    data_->dtype = t.impl()->dtype;
    output_nr_ = t.impl()->output_nr;
  } else {
    data_ = t.impl();
  }
}

Tensor SavedTensor::unpack(const std::shared_ptr<Node>& owner, const char* op) const {
  if (!data_) return {};
  ADVGRAD_CHECK(data_->storage->version() == version_, "autograd: a tensor saved by '", op,
                "' for backward was modified in place afterwards (version ", version_, " -> ",
                data_->storage->version(), "); clone() it before modifying, or modify under NoGradGuard "
                "before using it in differentiable ops");
  if (!is_output_) return Tensor(data_);
  auto impl = std::make_shared<TensorImpl>(*data_);
  impl->grad_fn = owner;
  impl->output_nr = output_nr_;
  return Tensor(impl);
}

// ---- Node ----
Node::Node(std::string name) : name_(std::move(name)), sequence_nr_(next_sequence_nr++) {}

Node::~Node() {
  std::vector<std::shared_ptr<void>> local;
  const bool outermost = graveyard == nullptr;
  if (outermost) graveyard = &local;
  for (auto& e : next_edges_)
    if (e.node) graveyard->push_back(std::move(e.node));
  for (auto& s : saved_)
    if (auto impl = s.release()) graveyard->push_back(std::move(impl));
  for (auto& h : hooks_) h.fn = nullptr;
  if (outermost) {
    while (!local.empty()) {
      std::shared_ptr<void> victim = std::move(local.back());
      local.pop_back();
      victim.reset();  // may push more entries onto `local`
    }
    graveyard = nullptr;
  }
}

int new_hook_id() { return next_hook_id++; }

int Node::add_hook(std::uint32_t slot, GradHook hook) {
  const int id = new_hook_id();
  hooks_.push_back({id, slot, std::move(hook)});
  return id;
}

void Node::remove_hook(int id) {
  std::erase_if(hooks_, [id](const Hook& h) { return h.id == id; });
}

Tensor Node::run_hooks(std::uint32_t slot, Tensor grad) {
  for (auto& h : hooks_) {
    if (h.slot != slot) continue;
    Tensor replaced = h.fn(grad);
    if (!replaced.defined()) continue;
    check_hook_result(replaced, grad, name_);
    grad = std::move(replaced);
  }
  return grad;
}

Tensor Node::saved(std::size_t i) {
  ADVGRAD_CHECK(!released_, "autograd: trying to backward through the graph a second time (the saved tensors of '",
                name_, "' were already freed); pass retain_graph=true to the first backward()/grad() call");
  ADVGRAD_CHECK(i < saved_.size(), "autograd: '", name_, "' has no saved tensor ", i);
  return saved_[i].unpack(shared_from_this(), name_.c_str());
}

void Node::release_saved() {
  if (saved_.empty()) return;
  saved_.clear();
  released_ = true;
}

std::vector<Tensor> FunctionNode::apply(std::vector<Tensor>&& grads, const std::vector<bool>& needs) {
  return fn_(*this, grads, needs);
}

// ---- AccumulateGrad ----
AccumulateGrad::AccumulateGrad(std::shared_ptr<TensorImpl> leaf) : Node("AccumulateGrad"), leaf_(std::move(leaf)) {
  outputs_.push_back({leaf_->shape, leaf_->dtype, leaf_->storage->device()});
}

std::vector<Tensor> AccumulateGrad::apply(std::vector<Tensor>&& grads, const std::vector<bool>&) {
  Tensor g = std::move(grads.at(0));
  if (!g.defined()) return {};
  if (GradMode::is_enabled()) {
    // create_graph: the accumulated gradient stays differentiable. The first
    // one is cloned (clone is differentiable): g may be a stride-0 expand view
    // or the very tensor another leaf receives (AddBackward hands {g, g} out),
    // and a later backward without create_graph accumulates into .grad in place.
    leaf_->grad = leaf_->grad ? (Tensor(leaf_->grad) + g).impl() : g.clone().impl();
    return {};
  }
  if (!leaf_->grad) {
    // Own a private copy unless nobody else can see g's storage.
    const bool exclusive = g.impl().use_count() == 1 && g.impl()->storage.use_count() == 1 && g.is_contiguous();
    leaf_->grad = exclusive ? g.detach().impl() : g.detach().clone().impl();
  } else {
    Tensor acc(leaf_->grad);
    // A grad made with create_graph earlier, or one set by the user that is a
    // broadcast view: never add in place into a graph or into stride-0 dims.
    if (acc.requires_grad() || !acc.is_contiguous()) acc = acc.detach().clone();
    acc.add_(g);
    leaf_->grad = acc.impl();
  }
  return {};
}

int AccumulateGrad::add_hook(std::uint32_t, GradHook hook) {
  const int id = new_hook_id();
  leaf_->hooks.emplace_back(id, std::move(hook));
  return id;
}

void AccumulateGrad::remove_hook(int id) {
  std::erase_if(leaf_->hooks, [id](const auto& h) { return h.first == id; });
}

Tensor AccumulateGrad::run_hooks(std::uint32_t, Tensor grad) {
  for (auto& [id, fn] : leaf_->hooks) {
    Tensor replaced = fn(grad);
    if (!replaced.defined()) continue;
    check_hook_result(replaced, grad, "leaf " + shape_str(leaf_->shape));
    grad = std::move(replaced);
  }
  return grad;
}

// ---- recording ----
Edge gradient_edge(const Tensor& t) {
  if (!t.defined()) return {};
  TensorImpl& impl = *t.impl();
  if (impl.grad_fn) return {impl.grad_fn, impl.output_nr};
  if (!impl.requires_grad) return {};
  std::shared_ptr<Node> acc = impl.grad_accumulator.lock();
  if (!acc) {
    acc = std::make_shared<AccumulateGrad>(t.impl());
    impl.grad_accumulator = acc;
  }
  return {acc, 0};
}

bool any_requires_grad(std::initializer_list<const Tensor*> inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor* t : inputs)
    if (t->defined() && t->requires_grad()) return true;
  return false;
}

bool any_requires_grad(const std::vector<Tensor>& inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

void connect(const std::shared_ptr<Node>& node, const std::vector<Tensor>& inputs,
             const std::vector<Tensor*>& outputs) {
  node->next_edges().clear();
  for (const Tensor& in : inputs) node->next_edges().push_back(in.defined() && in.requires_grad() ? gradient_edge(in) : Edge{});
  node->outputs().clear();
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    TensorImpl& impl = outputs[i]->checked();
    impl.grad_fn = node;
    impl.output_nr = static_cast<std::uint32_t>(i);
    node->outputs().push_back({impl.shape, impl.dtype, impl.storage->device()});
  }
}

std::shared_ptr<FunctionNode> record(const char* name, const std::vector<Tensor>& inputs,
                                     const std::vector<Tensor*>& outputs, FunctionNode::Backward backward) {
  auto node = std::make_shared<FunctionNode>(name, std::move(backward));
  connect(node, inputs, outputs);
  return node;
}

}  // namespace advgrad::autograd
