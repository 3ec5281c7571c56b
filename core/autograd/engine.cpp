#include "advgrad/core/autograd/engine.h"

#include <queue>
#include <sstream>
#include <unordered_map>

#include "advgrad/core/autograd/node.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad::autograd {
namespace {

struct NodeState {
  int dependencies = 0;        // consumers of this node's outputs not yet run
  bool reaches_target = true;  // grad(): whether any captured gradient lies below
  std::vector<Tensor> buffer;  // summed incoming gradients, one per output slot
};

struct Capture {
  Node* node;
  std::uint32_t slot;
};

void accumulate(Tensor& slot, Tensor g) {
  slot = slot.defined() ? add(slot, g) : std::move(g);
}

// One backward pass over the graph below some roots, in three steps:
//   1. discover: every node below the roots, and how many consumers each has;
//   2. mark_reachable (grad() only): which nodes lead to a captured input;
//   3. execute: run each node once all its consumers have, latest-created
//      first, handing each the gradients it needs and routing what it returns.
// When `captures` is non-empty (grad()), the gradients arriving at those
// (node, slot) pairs are returned, AccumulateGrad never runs and branches that
// lead to no capture are pruned.
class GraphTask {
 public:
  explicit GraphTask(const std::vector<Capture>& captures) : captures_(captures) {
    for (std::size_t i = 0; i < captures.size(); ++i) capture_index_[captures[i].node].push_back(i);
  }

  // 1. Depth-first over next_edges, iteratively; counts each node's consumers.
  void discover(const std::vector<Edge>& roots) {
    std::vector<Node*> stack;
    for (const Edge& e : roots)
      if (e.node && state_.emplace(e.node.get(), NodeState{}).second) {
        stack.push_back(e.node.get());
        order_.push_back(e.node.get());
      }
    while (!stack.empty()) {
      Node* n = stack.back();
      stack.pop_back();
      for (const Edge& e : n->next_edges()) {
        if (!e.node) continue;
        auto [it, inserted] = state_.emplace(e.node.get(), NodeState{});
        it->second.dependencies++;
        if (inserted) {
          stack.push_back(e.node.get());
          order_.push_back(e.node.get());
        }
      }
    }
  }

  // 2. A node reaches a target if it is captured or any child reaches one.
  //    Children are discovered after parents, so a reverse sweep over the
  //    discovery order is not enough in a DAG: iterate a post-order instead.
  void mark_reachable(const std::vector<Edge>& roots) {
    for (auto& [n, s] : state_) s.reaches_target = false;
    std::unordered_map<Node*, int> visit;  // 0 new, 1 open, 2 done
    for (const Edge& root : roots) {
      if (!root.node || visit[root.node.get()] == 2) continue;
      std::vector<std::pair<Node*, std::size_t>> dfs{{root.node.get(), 0}};
      visit[root.node.get()] = 1;
      while (!dfs.empty()) {
        auto& [n, child] = dfs.back();
        if (child < n->next_edges().size()) {
          Node* c = n->next_edges()[child++].node.get();
          if (c && visit[c] == 0) {
            visit[c] = 1;
            dfs.push_back({c, 0});
          }
          continue;
        }
        bool reach = capture_index_.count(n) > 0;
        for (const Edge& e : n->next_edges())
          if (e.node && state_[e.node.get()].reaches_target) reach = true;
        state_[n].reaches_target = reach;
        visit[n] = 2;
        dfs.pop_back();
      }
    }
  }

  void seed(const std::vector<Edge>& roots, std::vector<Tensor> root_grads) {
    for (std::size_t i = 0; i < roots.size(); ++i) {
      if (!roots[i].node) continue;
      auto& s = state_[roots[i].node.get()];
      s.buffer.resize(roots[i].node->num_outputs());
      accumulate(s.buffer[roots[i].input_nr], std::move(root_grads[i]));
    }
  }

  // 3. Kahn's algorithm: a node is ready when all its consumers have run;
  //    among the ready ones the latest created runs first.
  std::vector<Tensor> execute(bool retain_graph, bool create_graph) {
    auto later_first = [](Node* a, Node* b) { return a->sequence_nr() < b->sequence_nr(); };
    std::priority_queue<Node*, std::vector<Node*>, decltype(later_first)> ready(later_first);
    for (Node* n : order_)
      if (state_[n].dependencies == 0) ready.push(n);
    captured_.assign(captures_.size(), Tensor());
    EnableGradGuard grad_mode(create_graph);
    while (!ready.empty()) {
      Node* node = ready.top();
      ready.pop();
      run_node(node);
      if (!retain_graph) node->release_saved();
      for (const Edge& e : node->next_edges())
        if (e.node && --state_[e.node.get()].dependencies == 0) ready.push(e.node.get());
    }
    return std::move(captured_);
  }

 private:
  // Runs one node's hooks, records captured gradients, applies its backward
  // formula to the inputs that need a gradient and routes the results.
  void run_node(Node* node) {
    NodeState& s = state_[node];
    s.buffer.resize(node->num_outputs());
    const bool any_grad = run_hooks_and_capture(node, s);
    const bool is_sink = dynamic_cast<AccumulateGrad*>(node) != nullptr;
    std::vector<bool> needs(node->next_edges().size());
    bool any_needed = false;
    for (std::size_t i = 0; i < needs.size(); ++i) {
      const Edge& e = node->next_edges()[i];
      needs[i] = e.node && state_[e.node.get()].reaches_target;
      any_needed |= needs[i];
    }
    const bool capture_mode = !captures_.empty();
    if (any_grad && (is_sink ? !capture_mode : any_needed)) {
      // Slots that received nothing get zeros, so formulas never see an undefined gradient.
      for (std::uint32_t slot = 0; slot < s.buffer.size(); ++slot)
        if (!s.buffer[slot].defined()) {
          const TensorMeta& m = node->outputs()[slot];
          s.buffer[slot] = zeros(m.shape, TensorOptions{m.dtype, m.device});
        }
      std::vector<Tensor> input_grads = node->apply(std::move(s.buffer), needs);
      ADVGRAD_CHECK(is_sink || input_grads.size() == node->next_edges().size(), "autograd: '", node->name(),
                    "' returned ", input_grads.size(), " gradients for ", node->next_edges().size(), " inputs");
      route(node, input_grads, needs);
    }
    s.buffer.clear();
  }

  // Hooks may replace each incoming gradient; grad() captures it after them.
  bool run_hooks_and_capture(Node* node, NodeState& s) {
    bool any_grad = false;
    const auto captured_here = capture_index_.find(node);
    for (std::uint32_t slot = 0; slot < s.buffer.size(); ++slot) {
      if (!s.buffer[slot].defined()) continue;
      s.buffer[slot] = node->run_hooks(slot, std::move(s.buffer[slot]));
      any_grad = true;
      if (captured_here != capture_index_.end())
        for (std::size_t ci : captured_here->second)
          if (captures_[ci].slot == slot) captured_[ci] = s.buffer[slot];
    }
    return any_grad;
  }

  // Adds each needed input gradient into the buffer of the node that made that input.
  void route(Node* node, std::vector<Tensor>& input_grads, const std::vector<bool>& needs) {
    for (std::size_t i = 0; i < input_grads.size(); ++i) {
      const Edge& e = node->next_edges()[i];
      if (!needs[i] || !input_grads[i].defined()) continue;
      const TensorMeta& want = e.node->outputs()[e.input_nr];
      ADVGRAD_CHECK(input_grads[i].shape() == want.shape, "autograd: '", node->name(), "' returned a gradient of shape ",
                    shape_str(input_grads[i].shape()), " for input ", i, " of shape ", shape_str(want.shape));
      NodeState& child = state_[e.node.get()];
      child.buffer.resize(e.node->num_outputs());
      accumulate(child.buffer[e.input_nr], std::move(input_grads[i]));
    }
  }

  const std::vector<Capture>& captures_;
  std::unordered_map<Node*, std::vector<std::size_t>> capture_index_;
  std::unordered_map<Node*, NodeState> state_;
  std::vector<Node*> order_;  // discovery order
  std::vector<Tensor> captured_;
};

std::vector<Tensor> run_backward(const std::vector<Edge>& roots, std::vector<Tensor> root_grads, bool retain_graph,
                                 bool create_graph, const std::vector<Capture>& captures) {
  GraphTask task(captures);
  task.discover(roots);
  if (!captures.empty()) task.mark_reachable(roots);
  task.seed(roots, std::move(root_grads));
  return task.execute(retain_graph, create_graph);
}

std::vector<Tensor> root_gradients(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs,
                                   const char* op) {
  ADVGRAD_CHECK(grad_outputs.empty() || grad_outputs.size() == outputs.size(), op, ": got ", grad_outputs.size(),
                " gradients for ", outputs.size(), " outputs");
  std::vector<Tensor> grads;
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& out = outputs[i];
    ADVGRAD_CHECK(out.defined(), op, ": output ", i, " is undefined");
    ADVGRAD_CHECK(out.requires_grad(), op, ": output ", i,
                  " does not require grad and has no grad_fn (was it computed under NoGradGuard, or from "
                  "tensors that do not require grad?)");
    Tensor g = grad_outputs.empty() ? Tensor() : grad_outputs[i];
    if (!g.defined()) {
      ADVGRAD_CHECK(out.numel() == 1, op, ": a gradient can be created implicitly only for scalar outputs, got shape ",
                    shape_str(out.shape()), " (pass a gradient tensor)");
      g = ones_like(out);
    }
    ADVGRAD_CHECK(g.shape() == out.shape(), op, ": gradient of shape ", shape_str(g.shape()),
                  " does not match output ", i, " of shape ", shape_str(out.shape()));
    ADVGRAD_CHECK(g.dtype() == out.dtype(), op, ": gradient dtype ", dtype_name(g.dtype()),
                  " does not match output dtype ", dtype_name(out.dtype()));
    grads.push_back(g);
  }
  return grads;
}

}  // namespace

void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs, bool retain_graph,
              bool create_graph) {
  std::vector<Tensor> grads = root_gradients(outputs, grad_outputs, "backward");
  std::vector<Edge> roots;
  for (const Tensor& o : outputs) roots.push_back(gradient_edge(o));
  run_backward(roots, std::move(grads), retain_graph, create_graph, {});
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, GradOptions options) {
  ADVGRAD_CHECK(!inputs.empty(), "grad: no inputs given");
  std::vector<Tensor> grads = root_gradients(outputs, grad_outputs, "grad");
  std::vector<Capture> captures;
  // Keep the capture nodes alive for the duration (AccumulateGrad of a leaf is
  // otherwise only weakly held): taken in the same loop, so a capture never
  // names a node that has already been freed (and whose address may be reused).
  std::vector<std::shared_ptr<Node>> keep_alive;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    ADVGRAD_CHECK(inputs[i].defined() && inputs[i].requires_grad(), "grad: input ", i,
                  " does not require grad (call requires_grad_() on it before the forward pass)");
    Edge e = gradient_edge(inputs[i]);
    captures.push_back({e.node.get(), e.input_nr});
    keep_alive.push_back(std::move(e.node));
  }
  std::vector<Edge> roots;
  for (const Tensor& o : outputs) roots.push_back(gradient_edge(o));
  std::vector<Tensor> result =
      run_backward(roots, std::move(grads), options.retain_graph || options.create_graph, options.create_graph,
                   captures);
  for (std::size_t i = 0; i < result.size(); ++i)
    ADVGRAD_CHECK(result[i].defined() || options.allow_unused, "grad: input ", i,
                  " is not reachable from the outputs (pass allow_unused=true to get an undefined gradient)");
  return result;
}

std::string to_dot(const Tensor& t) {
  std::ostringstream os;
  os << "digraph autograd {\n  node [shape=box, fontname=\"monospace\"];\n";
  Edge root = gradient_edge(t);
  if (!root.node) {
    os << "}\n";
    return os.str();
  }
  std::unordered_map<Node*, int> ids;
  std::vector<Node*> stack{root.node.get()};
  ids[root.node.get()] = 0;
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    std::string label = n->name();
    if (auto* acc = dynamic_cast<AccumulateGrad*>(n)) label += "\\n" + shape_str(acc->leaf()->shape);
    os << "  n" << ids[n] << " [label=\"" << label << "\"];\n";
    for (const Edge& e : n->next_edges()) {
      if (!e.node) continue;
      auto [it, inserted] = ids.emplace(e.node.get(), static_cast<int>(ids.size()));
      if (inserted) stack.push_back(e.node.get());
      os << "  n" << ids[n] << " -> n" << it->second << ";\n";
    }
  }
  os << "}\n";
  return os.str();
}

}  // namespace advgrad::autograd
