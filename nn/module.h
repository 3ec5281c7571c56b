#pragma once
// Module: the base of every layer and model. A module owns named parameters
// (tensors that require grad and are trained), named buffers (state that is
// saved but not trained, e.g. BatchNorm running statistics) and named child
// modules. Names compose with dots: "features.0.weight".
//
// Parameters and buffers are registered by address (a Tensor member of the
// subclass), so load_state_dict() and to(device) update the very tensors the
// layer computes with. Modules are therefore held by shared_ptr and not copied.
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "advgrad/core/tensor.h"

namespace advgrad::nn {

using StateDict = std::map<std::string, Tensor>;

class Module : public std::enable_shared_from_this<Module> {
 public:
  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  virtual Tensor forward(const Tensor& x) = 0;
  Tensor operator()(const Tensor& x) { return forward(x); }

  // A short type name ("Conv2d") and a one-line description of its config.
  virtual std::string type_name() const = 0;
  virtual std::string extra_repr() const { return ""; }
  std::string repr(int indent = 0) const;  // the module tree, PyTorch style

  // ---- traversal ----
  std::vector<Tensor> parameters() const;
  std::vector<std::pair<std::string, Tensor>> named_parameters() const;
  std::vector<std::pair<std::string, Tensor>> named_buffers() const;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_children() const { return children_; }
  std::vector<std::pair<std::string, Module*>> named_modules();  // self first ("")
  std::int64_t num_parameters() const;

  // ---- modes ----
  virtual void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // ---- state ----
  StateDict state_dict() const;  // parameters and buffers, detached
  // Copies values into the registered tensors. strict: the names must match
  // exactly; always: shapes and dtypes must match (errors name the tensor).
  void load_state_dict(const StateDict& state, bool strict = true);
  void zero_grad();
  // Moves (or converts) every parameter and buffer; parameters stay leaves that require grad.
  void to(Device device);
  void to(DType dtype);
  // Where the module's tensors live: the device of its first parameter or
  // buffer (cpu for a module with neither). Trainers and evaluations move
  // their host batches there.
  Device device() const;

 protected:
  Tensor& register_parameter(const std::string& name, Tensor& slot, Tensor value);
  Tensor& register_buffer(const std::string& name, Tensor& slot, Tensor value);
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }
  void add_child(const std::string& name, std::shared_ptr<Module> module);

 private:
  void collect(const std::string& prefix, bool params, std::vector<std::pair<std::string, Tensor>>& out) const;
  template <typename F>
  void for_each_slot(const std::string& prefix, F&& f);

  bool training_ = true;
  std::vector<std::pair<std::string, Tensor*>> params_;
  std::vector<std::pair<std::string, Tensor*>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
};

using ModulePtr = std::shared_ptr<Module>;

}  // namespace advgrad::nn
