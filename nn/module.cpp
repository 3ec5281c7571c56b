#include "advgrad/nn/module.h"

#include <set>
#include <sstream>

#include "advgrad/core/grad_mode.h"

namespace advgrad::nn {

Tensor& Module::register_parameter(const std::string& name, Tensor& slot, Tensor value) {
  ADVGRAD_CHECK(name.find('.') == std::string::npos && !name.empty(), type_name(), ": bad parameter name '", name, "'");
  slot = value.defined() ? value.detach().requires_grad_(true) : value;
  params_.emplace_back(name, &slot);
  return slot;
}

Tensor& Module::register_buffer(const std::string& name, Tensor& slot, Tensor value) {
  ADVGRAD_CHECK(name.find('.') == std::string::npos && !name.empty(), type_name(), ": bad buffer name '", name, "'");
  slot = value;
  buffers_.emplace_back(name, &slot);
  return slot;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
  ADVGRAD_CHECK(module != nullptr, type_name(), ": child module '", name, "' is null");
  ADVGRAD_CHECK(name.find('.') == std::string::npos && !name.empty(), type_name(), ": bad module name '", name, "'");
  for (const auto& [n, m] : children_) ADVGRAD_CHECK(n != name, type_name(), ": duplicate child name '", name, "'");
  children_.emplace_back(name, std::move(module));
}

void Module::collect(const std::string& prefix, bool params, std::vector<std::pair<std::string, Tensor>>& out) const {
  for (const auto& [name, slot] : params ? params_ : buffers_)
    if (slot->defined()) out.emplace_back(prefix + name, *slot);
  for (const auto& [name, child] : children_) child->collect(prefix + name + ".", params, out);
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters() const {
  std::vector<std::pair<std::string, Tensor>> out;
  collect("", true, out);
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers() const {
  std::vector<std::pair<std::string, Tensor>> out;
  collect("", false, out);
  return out;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& [name, t] : named_parameters()) out.push_back(t);
  return out;
}

std::int64_t Module::num_parameters() const {
  std::int64_t n = 0;
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

std::vector<std::pair<std::string, Module*>> Module::named_modules() {
  std::vector<std::pair<std::string, Module*>> out{{"", this}};
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto [prefix, m] = out[i];
    for (auto& [name, child] : m->children_) out.emplace_back(prefix.empty() ? name : prefix + "." + name, child.get());
  }
  return out;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

template <typename F>
void Module::for_each_slot(const std::string& prefix, F&& f) {
  for (auto& [name, slot] : params_) f(prefix + name, *slot, true);
  for (auto& [name, slot] : buffers_) f(prefix + name, *slot, false);
  for (auto& [name, child] : children_) child->for_each_slot(prefix + name + ".", f);
}

StateDict Module::state_dict() const {
  StateDict out;
  for (auto& [name, t] : named_parameters()) out[name] = t.detach();
  for (auto& [name, t] : named_buffers()) out[name] = t.detach();
  return out;
}

void Module::load_state_dict(const StateDict& state, bool strict) {
  std::set<std::string> used;
  std::vector<std::string> missing;
  for_each_slot("", [&](const std::string& name, Tensor& slot, bool) {
    if (!slot.defined()) return;
    auto it = state.find(name);
    if (it == state.end()) {
      missing.push_back(name);
      return;
    }
    const Tensor& src = it->second;
    ADVGRAD_CHECK(src.defined() && src.shape() == slot.shape(), "load_state_dict: '", name, "' has shape ",
                  src.defined() ? shape_str(src.shape()) : "undefined", ", the model expects ", shape_str(slot.shape()));
    ADVGRAD_CHECK(src.dtype() == slot.dtype(), "load_state_dict: '", name, "' is ", dtype_name(src.dtype()),
                  ", the model expects ", dtype_name(slot.dtype()));
    used.insert(name);
  });
  if (strict) {
    std::vector<std::string> unexpected;
    for (const auto& [name, t] : state)
      if (!used.count(name)) unexpected.push_back(name);
    auto join = [](const std::vector<std::string>& v) {
      std::string s;
      for (std::size_t i = 0; i < v.size() && i < 8; ++i) s += (i ? ", " : "") + v[i];
      if (v.size() > 8) s += ", ...";
      return s;
    };
    ADVGRAD_CHECK(missing.empty(), "load_state_dict: missing ", missing.size(), " tensor(s): ", join(missing));
    ADVGRAD_CHECK(unexpected.empty(), "load_state_dict: unexpected ", unexpected.size(), " tensor(s): ", join(unexpected));
  }
  // All checks passed: copy (nothing is half-loaded on error).
  NoGradGuard no_grad;
  for_each_slot("", [&](const std::string& name, Tensor& slot, bool) {
    if (used.count(name)) slot.copy_(state.at(name));
  });
}

void Module::zero_grad() {
  for (auto& p : parameters()) p.zero_grad();
}

void Module::to(Device device) {
  for_each_slot("", [&](const std::string&, Tensor& slot, bool is_param) {
    if (!slot.defined() || slot.device() == device) return;
    Tensor moved = slot.detach().to(device);
    slot = is_param ? moved.requires_grad_(true) : moved;
  });
}

Device Module::device() const {
  for (const auto& [name, t] : named_parameters())
    if (t.defined()) return t.device();
  for (const auto& [name, t] : named_buffers())
    if (t.defined()) return t.device();
  return Device::cpu();
}

void Module::to(DType dtype) {
  for_each_slot("", [&](const std::string&, Tensor& slot, bool is_param) {
    if (!slot.defined() || slot.dtype() == dtype || !is_floating(slot.dtype())) return;
    Tensor converted = slot.detach().to(dtype);
    slot = is_param ? converted.requires_grad_(true) : converted;
  });
}

std::string Module::repr(int indent) const {
  std::ostringstream os;
  os << type_name() << '(' << extra_repr();
  if (!children_.empty()) {
    os << '\n';
    for (const auto& [name, child] : children_)
      os << std::string(indent + 2, ' ') << '(' << name << "): " << child->repr(indent + 2) << '\n';
    os << std::string(indent, ' ');
  }
  os << ')';
  return os.str();
}

}  // namespace advgrad::nn
