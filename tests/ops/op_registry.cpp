#include "ops/op_registry.h"

#include <cctype>
#include <cmath>
#include <ostream>
#include <set>
#include <stdexcept>

#include "ops/tensor_inputs.h"

namespace advgrad::testing {

// ---------------------------------------------------------------- declarations

Arg Arg::rounded_to(double q) const {
  Arg a = *this;
  a.quantum = q;
  return a;
}

Arg input(Shape shape, double lo, double hi) { return Arg{std::move(shape), true, lo, hi, 0.0, {}}; }
Arg constant(Shape shape, double lo, double hi) { return Arg{std::move(shape), false, lo, hi, 0.0, {}}; }
Arg indices(std::vector<std::int64_t> values, Shape shape) {
  return Arg{std::move(shape), false, 0.0, 0.0, 0.0, std::move(values)};
}

OpSpec& OpSpec::first_order_only() {
  second_order = false;
  return *this;
}
OpSpec& OpSpec::without_finite_differences() {
  gradcheck = second_order = cuda_gradcheck = false;
  return *this;
}
OpSpec& OpSpec::without_device_gradcheck() {
  cuda_gradcheck = false;
  return *this;
}
OpSpec& OpSpec::cpu_only() {
  cuda = false;
  return *this;
}
OpSpec& OpSpec::contiguous_only() {
  non_contiguous = false;
  return *this;
}
OpSpec& OpSpec::fast_tolerance(double rtol, double atol) {
  fast = {rtol, atol};
  return *this;
}
OpSpec& OpSpec::grad_tolerance(double rtol, double atol) {
  grad = {rtol, atol};
  return *this;
}
OpSpec& OpSpec::cuda_tolerance(double rtol, double atol) {
  cuda_f32 = {rtol, atol};
  return *this;
}
OpSpec& OpSpec::variants(std::vector<Variant> v) {
  cuda_variants = std::move(v);
  return *this;
}

OpSpec& OpCaseList::add(std::string name, TensorFn fn, std::vector<Arg> inputs) {
  OpSpec spec;
  spec.name = std::move(name);
  spec.family = family_;
  spec.fn = std::move(fn);
  spec.inputs = std::move(inputs);
  cases_.push_back(std::move(spec));
  return cases_.back();
}

// ---------------------------------------------------------------- the registry

namespace {

bool is_identifier(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

// Mistakes in a declaration stop every test binary at start-up, naming the case.
void validate(const std::vector<OpSpec>& all) {
  std::set<std::string> names;
  for (const OpSpec& s : all) {
    const std::string where = "op registry: case '" + s.name + "' (" + s.family + "): ";
    if (!is_identifier(s.name)) throw std::logic_error(where + "names may hold only letters, digits and '_'");
    if (!names.insert(s.name).second) throw std::logic_error(where + "declared twice");
    if (!s.fn) throw std::logic_error(where + "no function");
    bool differentiable = false;
    for (const Arg& a : s.inputs) {
      differentiable = differentiable || a.differentiable;
      if (a.is_index() && static_cast<std::int64_t>(a.indices.size()) != numel_of(a.shape))
        throw std::logic_error(where + "index values do not fill shape " + shape_str(a.shape));
      if (!a.is_index() && !(a.lo < a.hi)) throw std::logic_error(where + "empty input range");
    }
    if ((s.gradcheck || s.cuda_gradcheck) && !differentiable)
      throw std::logic_error(where + "a gradcheck needs a differentiable input");
    for (const Variant& v : s.cuda_variants) {
      if (!is_identifier(v.name) || !v.enter) throw std::logic_error(where + "bad variant '" + v.name + "'");
      if (!names.insert(s.name + "_" + v.name).second)
        throw std::logic_error(where + "variant name " + v.name + " collides with another case");
    }
  }
}

std::vector<OpSpec> build_registry() {
  std::vector<OpSpec> all;
  for (auto family : {elementwise_cases, activation_cases, reduction_cases, linalg_cases, conv_cases, pooling_cases,
                      softmax_loss_cases, batch_norm_cases, indexing_cases, view_cases, dropout_cases, padding_cases}) {
    for (OpSpec& s : family()) all.push_back(std::move(s));
  }
  validate(all);
  return all;
}

// FNV-1a of the case's name: each case draws its own inputs, and adding or
// renaming one case leaves every other case's inputs as they were.
std::uint64_t name_salt(const std::string& name) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : name) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

}  // namespace

const std::vector<OpSpec>& op_registry() {
  static const std::vector<OpSpec> all = build_registry();
  return all;
}

const OpSpec& find_op(const std::string& name) {
  for (const OpSpec& s : op_registry())
    if (s.name == name) return s;
  throw std::out_of_range("op registry: no case named '" + name + "'");
}

std::vector<OpRun> op_runs(Mode mode) {
  std::vector<OpRun> runs;
  for (const OpSpec& s : op_registry()) {
    switch (mode) {
      case Mode::FastVsReference:
      case Mode::Timing:
        runs.push_back({s.name, &s, nullptr});
        break;
      case Mode::Gradcheck:
        if (s.gradcheck) runs.push_back({s.name, &s, nullptr});
        break;
      case Mode::Gradgradcheck:
        if (s.gradcheck && s.second_order) runs.push_back({s.name, &s, nullptr});
        break;
      case Mode::Cuda:
        if (!s.cuda) break;
        if (s.cuda_variants.empty()) runs.push_back({s.name, &s, nullptr});
        for (const Variant& v : s.cuda_variants) runs.push_back({s.name + "_" + v.name, &s, &v});
        break;
    }
  }
  return runs;
}

void PrintTo(const OpRun& run, std::ostream* os) { *os << run.name; }

// ---------------------------------------------------------------- running a case

std::vector<Tensor> make_inputs(const OpSpec& spec, DType dtype, Device device, bool strided) {
  std::vector<Tensor> out;
  for (std::size_t i = 0; i < spec.inputs.size(); ++i) {
    const Arg& a = spec.inputs[i];
    Tensor t;
    if (a.is_index()) {
      t = from_vector(a.indices, a.shape);
    } else {
      // Drawn in float64 and then cast, so that float32 and float64 runs see the same values.
      t = random_tensor(a.shape, name_salt(spec.name) + 31 * i, DType::Float64, a.lo, a.hi);
      if (a.quantum > 0) {
        std::vector<double> v = t.to_double_vector();
        for (double& e : v) e = a.lo + std::floor((e - a.lo) / a.quantum) * a.quantum;
        t = from_vector(v, a.shape, TensorOptions{}.with_dtype(DType::Float64));
      }
      t = t.to(dtype);
    }
    t = t.to(device);
    if (strided && t.dim() > 0) t = non_contiguous(t);
    if (a.differentiable) t.requires_grad_(true);
    out.push_back(t);
  }
  return out;
}

Tensor loss_weight(const Tensor& out) {
  return random_tensor(out.shape(), 4242, DType::Float64, 0.5, 1.5).to(out.dtype()).to(out.device());
}

std::vector<Tensor> outputs_and_gradients(const TensorFn& fn, const std::vector<Tensor>& inputs, const Tensor& weight) {
  Tensor out = fn(inputs);
  std::vector<Tensor> results{out.detach()};
  std::vector<Tensor> wrt;
  for (const auto& t : inputs)
    if (t.requires_grad()) wrt.push_back(t);
  if (wrt.empty() || !out.requires_grad()) return results;
  const Tensor w = weight.defined() ? weight : loss_weight(out);
  autograd::GradOptions options;
  options.allow_unused = true;  // an input the output cannot reach gets an undefined gradient on every path
  for (const Tensor& g : autograd::grad({sum(mul(out, w))}, wrt, {}, options))
    results.push_back(g.defined() ? g.detach() : Tensor());
  return results;
}

}  // namespace advgrad::testing
