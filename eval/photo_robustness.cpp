#include "advgrad/eval/photo_robustness.h"

#include <algorithm>
#include <sstream>

#include "advgrad/core/error.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad::eval {
namespace {

// softmax probabilities [N, K] of the model on the stacked photos, as doubles.
std::vector<double> probabilities(nn::Module& model, const std::vector<Tensor>& photos, std::int64_t* classes) {
  std::vector<Tensor> batch;
  for (const Tensor& p : photos) batch.push_back(p.unsqueeze(0));
  Tensor logits;
  {
    NoGradGuard no_grad;
    logits = model(cat(batch, 0).to(model.device()));
  }
  *classes = logits.size(1);
  return softmax(logits.to(Device::cpu()).to(DType::Float64), 1).contiguous().to_double_vector();
}

std::int64_t argmax_row(const double* p, std::int64_t k) {
  return static_cast<std::int64_t>(std::max_element(p, p + k) - p);  // the first maximum
}

}  // namespace

std::vector<PhotoStability> photo_corruption_stability(nn::Module& model, const std::vector<Tensor>& photos,
                                                       const std::vector<std::vector<std::int64_t>>& acceptable,
                                                       const std::vector<std::string>& corruptions,
                                                       const std::vector<int>& severities, std::uint64_t seed,
                                                       const JpegRoundTrip& jpeg) {
  const char* who = "photo_corruption_stability";
  ADVGRAD_CHECK(!photos.empty(), who, ": no photos");
  ADVGRAD_CHECK(acceptable.empty() || acceptable.size() == photos.size(), who, ": ", acceptable.size(),
                " label sets for ", photos.size(), " photos");
  for (const auto& c : corruptions)
    for (int s : severities) photo_corruption_setting(c, s, who);  // fail before any work
  const bool was_training = model.is_training();
  model.eval();
  const auto n = static_cast<std::int64_t>(photos.size());
  std::int64_t k = 0;
  const std::vector<double> clean = probabilities(model, photos, &k);
  std::vector<std::int64_t> clean_top1(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) clean_top1[i] = argmax_row(clean.data() + i * k, k);

  const auto row = [&](const std::string& name, int severity, const std::vector<double>& p) {
    PhotoStability r{name, severity, n};
    for (std::int64_t i = 0; i < n; ++i) {
      const double* pi = p.data() + i * k;
      const std::int64_t top = argmax_row(pi, k);
      r.unchanged += top == clean_top1[i];
      r.clean_class_prob += pi[clean_top1[i]];
      r.top1_prob += pi[top];
      if (!acceptable.empty() && !acceptable[i].empty()) {
        ++r.labelled;
        r.acceptable += std::find(acceptable[i].begin(), acceptable[i].end(), top) != acceptable[i].end();
      }
    }
    r.unchanged /= static_cast<double>(n), r.clean_class_prob /= static_cast<double>(n);
    r.top1_prob /= static_cast<double>(n);
    if (r.labelled > 0) r.acceptable /= static_cast<double>(r.labelled);
    return r;
  };
  std::vector<PhotoStability> out{row("clean", 0, clean)};
  for (const auto& c : corruptions)
    for (int s : severities) {
      std::vector<Tensor> corrupted;
      for (std::int64_t i = 0; i < n; ++i) corrupted.push_back(corrupt_photo(photos[i], c, s, seed, i, jpeg));
      out.push_back(row(c, s, probabilities(model, corrupted, &k)));
    }
  model.train(was_training);
  return out;
}

std::string photo_stability_to_csv(const std::vector<PhotoStability>& rows) {
  std::ostringstream s;
  s << "corruption,severity,photos,unchanged,clean_class_prob,top1_prob,labelled,acceptable\n";
  for (const auto& r : rows)
    s << r.corruption << ',' << r.severity << ',' << r.photos << ',' << r.unchanged << ',' << r.clean_class_prob << ','
      << r.top1_prob << ',' << r.labelled << ',' << r.acceptable << '\n';
  return s.str();
}

}  // namespace advgrad::eval
