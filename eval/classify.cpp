#include "advgrad/eval/classify.h"

#include <algorithm>
#include <cctype>
#include <numeric>
#include <sstream>

#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad::eval {

std::vector<Prediction> top_k(const Tensor& logits, const std::vector<std::string>& names, std::int64_t k) {
  ADVGRAD_CHECK(logits.dim() == 1 && k >= 1, "top_k: expected logits [C] and k >= 1, got ", shape_str(logits.shape()),
                " and k = ", k);
  ADVGRAD_CHECK(names.empty() || static_cast<std::int64_t>(names.size()) == logits.size(0), "top_k: ", names.size(),
                " class names for ", logits.size(0), " logits");
  const std::vector<double> p = softmax(logits.detach().to(Device::cpu()).to(DType::Float64), 0).to_double_vector();
  std::vector<std::int64_t> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  const auto kept = static_cast<std::ptrdiff_t>(std::min<std::size_t>(static_cast<std::size_t>(k), p.size()));
  std::partial_sort(order.begin(), order.begin() + kept, order.end(),
                    [&](std::int64_t a, std::int64_t b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
  std::vector<Prediction> top;
  for (std::ptrdiff_t i = 0; i < kept; ++i) {
    const std::int64_t c = order[static_cast<std::size_t>(i)];
    top.push_back({c, names.empty() ? std::to_string(c) : names[static_cast<std::size_t>(c)], p[c]});
  }
  return top;
}

std::vector<std::vector<Prediction>> classify(nn::Module& model, const Tensor& images,
                                              const std::vector<std::string>& names, std::int64_t k) {
  const bool was_training = model.is_training();
  model.eval();
  Tensor logits;
  {
    NoGradGuard no_grad;
    logits = model(images.to(model.device()));
  }
  model.train(was_training);
  std::vector<std::vector<Prediction>> all;
  for (std::int64_t i = 0; i < logits.size(0); ++i) all.push_back(top_k(logits.select(0, i), names, k));
  return all;
}

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The indices of the names equal to (or, with `contains`, containing) `text`, ignoring case.
std::vector<std::int64_t> matching(const std::vector<std::string>& names, const std::string& text, bool contains) {
  const std::string want = lower(text);
  std::vector<std::int64_t> found;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string name = lower(names[i]);
    if (contains ? name.find(want) != std::string::npos : name == want) found.push_back(static_cast<std::int64_t>(i));
  }
  return found;
}

// "crane (134), crane (517)": at most eight, then "...".
std::string listing(const std::vector<std::string>& names, const std::vector<std::int64_t>& found) {
  std::ostringstream s;
  for (std::size_t i = 0; i < std::min<std::size_t>(found.size(), 8); ++i)
    s << (i ? ", " : "") << names[static_cast<std::size_t>(found[i])] << " (" << found[i] << ")";
  if (found.size() > 8) s << ", ... (" << found.size() << " in all)";
  return s.str();
}

}  // namespace

std::int64_t class_index(const std::vector<std::string>& names, const std::string& text) {
  const auto classes = static_cast<std::int64_t>(names.size());
  const bool digits = !text.empty() && text.size() <= 18 &&
                      std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
  if (digits) {
    const std::int64_t index = std::stoll(text);
    ADVGRAD_CHECK(index < classes, "class index ", index, " is outside 0..", classes - 1);
    return index;
  }
  ADVGRAD_CHECK(!text.empty(), "empty class name");
  std::vector<std::int64_t> found = matching(names, text, false);
  if (found.empty()) found = matching(names, text, true);
  ADVGRAD_CHECK(!found.empty(), "no class is named '", text, "' (", classes, " classes; give a name or an index)");
  ADVGRAD_CHECK(found.size() == 1, "class name '", text, "' is ambiguous: ", listing(names, found), "; give the index");
  return found.front();
}

}  // namespace advgrad::eval
