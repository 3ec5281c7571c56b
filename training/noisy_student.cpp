#include "advgrad/training/noisy_student.h"

#include <algorithm>
#include <iomanip>
#include <memory>
#include <ostream>

#include "advgrad/core/generator.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/data/image_ops.h"
#include "advgrad/eval/corruptions.h"
#include "advgrad/eval/robust_eval.h"
#include "advgrad/nn/soft_cross_entropy.h"
#include "advgrad/training/trainer.h"

namespace advgrad::training {
namespace {

void check_options(const data::Dataset& labelled, const data::Dataset& unlabelled, const data::Dataset& test,
                   const NoisyStudentOptions& o) {
  const char* who = "noisy_student";
  for (const data::Dataset* d : {&labelled, &unlabelled, &test}) {
    ADVGRAD_CHECK(d->size() > 0, who, ": data set '", d->name, "' is empty");
    ADVGRAD_CHECK(d->channels == labelled.channels && d->height == labelled.height && d->width == labelled.width &&
                      d->classes == labelled.classes,
                  who, ": data set '", d->name, "' has images ", d->channels, "x", d->height, "x", d->width, " and ",
                  d->classes, " classes, the labelled set ", labelled.channels, "x", labelled.height, "x",
                  labelled.width, " and ", labelled.classes);
  }
  ADVGRAD_CHECK(o.iterations >= 1, who, ": iterations must be >= 1, got ", o.iterations);
  ADVGRAD_CHECK(o.confidence_threshold >= 0 && o.confidence_threshold < 1, who,
                ": confidence_threshold must be in [0, 1), got ", o.confidence_threshold);
  ADVGRAD_CHECK(o.input_noise_std >= 0, who, ": input_noise_std must be >= 0, got ", o.input_noise_std);
  ADVGRAD_CHECK(o.max_shift >= 0 && o.max_shift < std::min(labelled.height, labelled.width), who,
                ": max_shift must be in [0, image side), got ", o.max_shift);
  ADVGRAD_CHECK(o.fgsm_eps > 0, who, ": fgsm_eps must be > 0, got ", o.fgsm_eps);
}

std::vector<std::int64_t> all_indices(std::int64_t n) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

// The config with the data's input shape and class count.
nn::ModelConfig fit_to_data(nn::ModelConfig c, const data::Dataset& d, std::uint64_t seed_offset) {
  c.channels = d.channels;
  c.height = d.height;
  c.width = d.width;
  c.classes = d.classes;
  c.seed += seed_offset;
  return c;
}

TrainerOptions trainer_options(const NoisyStudentOptions& o, std::int64_t epochs, std::uint64_t seed) {
  TrainerOptions t;
  t.epochs = epochs;
  t.batch_size = o.batch_size;
  t.optimizer = o.optimizer;
  t.lr = o.lr;
  t.seed = seed;
  t.progress = 0;
  return t;
}

ModelReport report(nn::Module& model, const data::Dataset& test, const NoisyStudentOptions& o) {
  ModelReport r;
  r.clean_accuracy = eval::evaluate(model, test).accuracy;
  attacks::AttackOptions fgsm;
  fgsm.eps = fgsm.step_size = o.fgsm_eps;
  fgsm.steps = 1;
  r.fgsm_accuracy = eval::robust_accuracy(model, test, fgsm, o.seed, 250, o.eval_limit).robust_accuracy;
  const auto& names = o.corruptions.empty() ? eval::corruption_names() : o.corruptions;
  r.mean_corruption_accuracy =
      eval::mean_corruption_accuracy(eval::corruption_accuracy(model, test, names, o.severities, o.seed, o.eval_limit));
  return r;
}

void log_report(std::ostream& log, const char* who, const ModelReport& r) {
  log << "  " << who << std::fixed << std::setprecision(2) << ": clean " << 100 * r.clean_accuracy << "%  fgsm "
      << 100 * r.fgsm_accuracy << "%  corruptions " << 100 * r.mean_corruption_accuracy << "%" << std::defaultfloat
      << std::setprecision(6) << "\n";
}

}  // namespace

PseudoLabels pseudo_label(nn::Module& teacher, const data::Dataset& unlabelled, bool soft, std::int64_t batch_size) {
  ADVGRAD_CHECK(unlabelled.size() > 0, "pseudo_label: data set '", unlabelled.name, "' is empty");
  ADVGRAD_CHECK(batch_size >= 1, "pseudo_label: batch_size must be >= 1, got ", batch_size);
  const bool was_training = teacher.is_training();
  teacher.eval();  // the teacher is not noised: its labels should be as accurate as it can make them
  NoGradGuard no_grad;
  std::vector<Tensor> parts;
  for (std::int64_t s = 0; s < unlabelled.size(); s += batch_size) {
    std::vector<std::int64_t> idx;
    for (std::int64_t i = s; i < std::min(unlabelled.size(), s + batch_size); ++i) idx.push_back(i);
    parts.push_back(softmax(teacher(unlabelled.images_tensor(idx)), 1).to(DType::Float32));
  }
  teacher.train(was_training);
  PseudoLabels p;
  const Tensor probs = cat(parts, 0);
  const ValuesIndices top = max(probs, 1);
  p.labels = top.indices.to_int_vector();
  p.confidence = top.values.to_double_vector();
  p.targets = soft ? probs : one_hot(top.indices, probs.size(1));
  return p;
}

Tensor noisy_student_noise(const Tensor& images, double noise_std, std::int64_t max_shift, Generator& gen) {
  ADVGRAD_CHECK(images.defined() && images.dim() == 4 && images.dtype() == DType::Float32, "noisy_student_noise: ",
                "images must be float32 [B, C, H, W], got ",
                images.defined() ? shape_str(images.shape()) : std::string("(undefined)"));
  const data::ImageShape s{images.size(1), images.size(2), images.size(3)};
  Tensor x = images.to(Device::cpu()).contiguous().clone();
  if (max_shift > 0) {
    float* p = x.data<float>();
    for (std::int64_t b = 0; b < images.size(0); ++b) {
      const std::int64_t dx = gen.next_int(-max_shift, max_shift + 1), dy = gen.next_int(-max_shift, max_shift + 1);
      const std::vector<float> moved = data::shift_image(p + b * s.numel(), s, dx, dy);
      std::copy(moved.begin(), moved.end(), p + b * s.numel());
    }
  }
  if (noise_std > 0) x = clamp(add(x, normal(x.shape(), 0.0, noise_std, gen)), 0.0, 1.0);
  return x.to(images.device());
}

NoisyStudentResult noisy_student(const data::Dataset& labelled, const data::Dataset& unlabelled,
                                 const data::Dataset& test, const NoisyStudentOptions& o, std::ostream& log,
                                 nn::ModulePtr teacher) {
  check_options(labelled, unlabelled, test, o);
  // 1. The first teacher: plain cross-entropy on the labelled set (unless given).
  if (!teacher) {
    const nn::ModelConfig teacher_config = fit_to_data(o.teacher, labelled, 0);
    teacher = nn::build_model(teacher_config);
    log << "noisy student: teacher " << teacher_config.arch << " on " << labelled.size() << " labelled examples\n";
    Trainer t(teacher, teacher_config, trainer_options(o, o.teacher_epochs, o.seed));
    t.fit(labelled, test, log);
  } else {
    log << "noisy student: the given teacher (" << teacher->type_name() << ")\n";
  }
  ModelReport teacher_report = report(*teacher, test, o);
  NoisyStudentResult result;
  const std::int64_t K = labelled.classes;

  for (std::int64_t round = 1; round <= o.iterations; ++round) {
    // 2. Pseudo-labels from the clean teacher, filtered by confidence.
    const PseudoLabels p = pseudo_label(*teacher, unlabelled, o.soft_labels);
    std::vector<std::int64_t> kept;
    std::int64_t agree = 0;
    for (std::int64_t i = 0; i < unlabelled.size(); ++i)
      if (p.confidence[i] >= o.confidence_threshold) {
        kept.push_back(i);
        agree += p.labels[i] == unlabelled.labels[i];
      }
    // 3. The student's training set: L with one-hot targets, then the kept part
    //    of U with its pseudo-labels (the Dataset's labels are the hard
    //    pseudo-labels, used only for the Trainer's running accuracy).
    data::Dataset train = labelled;
    train.name = labelled.name + "+pseudo";
    for (std::int64_t i : kept) {
      const auto* px = unlabelled.pixels.data() + i * unlabelled.image_numel();
      train.pixels.insert(train.pixels.end(), px, px + unlabelled.image_numel());
      train.labels.push_back(p.labels[i]);
    }
    std::vector<Tensor> target_parts{one_hot(labelled.labels_tensor(all_indices(labelled.size())), K)};
    if (!kept.empty())
      target_parts.push_back(index_select(p.targets, 0, from_vector(kept, {static_cast<std::int64_t>(kept.size())})));
    const Tensor targets = cat(target_parts, 0);

    const nn::ModelConfig student_config = fit_to_data(o.student, labelled, static_cast<std::uint64_t>(round));
    nn::ModulePtr student = nn::build_model(student_config);
    log << "round " << round << ": student " << student_config.arch << " on " << labelled.size() << " labelled + "
        << kept.size() << " pseudo-labelled (" << (o.soft_labels ? "soft" : "hard") << ") examples\n";
    Trainer t(student, student_config, trainer_options(o, o.student_epochs, o.seed + static_cast<std::uint64_t>(round)));
    auto gen = std::make_shared<Generator>(o.seed * 31 + static_cast<std::uint64_t>(round));
    t.set_step_loss([targets, gen, &o](nn::Module& m, const data::Batch& b, Tensor& logits) {
      logits = m(noisy_student_noise(b.images, o.input_noise_std, o.max_shift, *gen));
      const Tensor q = index_select(targets, 0, from_vector(b.indices, {static_cast<std::int64_t>(b.indices.size())}));
      return nn::soft_cross_entropy(logits, q.to(logits.dtype()));
    });
    FitResult fit = t.fit(train, test, log);

    NoisyStudentRound r;
    r.student_fit = std::move(fit);
    r.iteration = round;
    r.teacher = teacher_report;
    r.student = report(*student, test, o);
    r.pseudo_labelled = static_cast<std::int64_t>(kept.size());
    r.pseudo_label_accuracy = kept.empty() ? 0 : static_cast<double>(agree) / static_cast<double>(kept.size());
    log_report(log, "teacher", r.teacher);
    log_report(log, "student", r.student);
    result.rounds.push_back(r);
    // 4. The student becomes the teacher.
    teacher = student;
    teacher_report = r.student;
    result.final_config = student_config;
  }
  teacher->eval();
  result.final_student = teacher;
  return result;
}

}  // namespace advgrad::training
