// Noisy Student (training/noisy_student.h) in the workshop: a teacher trained
// on the budget's labelled images labels images it was not given, and a
// student trained on both under noise is compared with it, clean, under FGSM
// and under the common corruptions.
#include <nlohmann/json.hpp>

#include "advgrad/training/noisy_student.h"
#include "advgrad/workshop/report_text.h"
#include "advgrad/workshop/workshop_parts.h"

namespace advgrad::workshop {
namespace {

using nlohmann::json;

json model_json(const training::ModelReport& m) {
  return {{"clean", m.clean_accuracy}, {"fgsm", m.fgsm_accuracy}, {"corruption", m.mean_corruption_accuracy}};
}

// The teacher and one noised student (training/noisy_student.h), their
// reports and what the pseudo-labels were worth.
std::string run_noisy_student(WorkshopContext& ctx) {
  const auto& b = ctx.budget;
  // Unlabelled images: training images outside the budget's subset; when the
  // budget takes them all (--full), the last sixth of them, kept from the teacher.
  data::Dataset labelled = ctx.data.train, unlabelled = ctx.unlabelled;
  if (unlabelled.size() == 0) {
    const std::int64_t keep = labelled.size() - labelled.size() / 6;
    std::vector<std::int64_t> rest;
    for (std::int64_t i = keep; i < labelled.size(); ++i) rest.push_back(i);
    unlabelled = labelled.select(rest);
    labelled = labelled.head(keep);
  }
  return ctx.runner.run("noisy-student", [&](StageFiles&) {
    training::NoisyStudentOptions o;
    o.teacher = model_config_for(ctx.data.train, b);
    o.student = o.teacher;
    o.teacher_epochs = o.student_epochs = b.epochs;
    o.batch_size = b.batch_size;
    o.fgsm_eps = b.eps;
    o.eval_limit = b.attack_examples;
    o.seed = b.seed;
    const training::NoisyStudentResult r =
        training::noisy_student(labelled, unlabelled, ctx.data.test, o, ctx.runner.log());
    const training::NoisyStudentRound& round = r.rounds.front();
    return json{{"teacher", model_json(round.teacher)},
                {"student", model_json(round.student)},
                {"labelled", labelled.size()},
                {"unlabelled", unlabelled.size()},
                {"pseudo_labelled", round.pseudo_labelled},
                {"pseudo_label_accuracy", round.pseudo_label_accuracy},
                {"clean_count", ctx.data.test.size()},
                {"attack_count", std::min<std::int64_t>(b.attack_examples, ctx.data.test.size())},
                {"noise_std", o.input_noise_std},
                {"max_shift", o.max_shift}}
        .dump();
  });
}

void report_noisy_student(WorkshopContext& ctx, const json& j) {
  const auto& b = ctx.budget;
  const std::int64_t n = j["clean_count"].get<std::int64_t>(), na = j["attack_count"].get<std::int64_t>();
  const json &t = j["teacher"], &s = j["student"];
  ctx.report.heading("12. Noisy Student: self-training under noise");
  ctx.report.paragraph(
      "Noisy Student (Xie et al. 2020): a teacher trained on the " + std::to_string(j["labelled"].get<std::int64_t>()) +
      " labelled images labels " + std::to_string(j["unlabelled"].get<std::int64_t>()) +
      " training images it never saw with soft pseudo-labels (" +
      report::format_percent(j["pseudo_label_accuracy"].get<double>()) +
      " of them agree with the hidden true labels); a fresh student of the same size learns from both under input "
      "noise (Gaussian, std " + report::format_fixed(j["noise_std"].get<double>(), 2) + ", and random shifts of up to " +
      std::to_string(j["max_shift"].get<std::int64_t>()) + " pixels). Corruption accuracy is the mean over the five "
      "corruptions of section 11 at severity 3.");
  report::ReportTable table{"Teacher and student; accuracies with their 95% intervals",
                            {"model", "clean", "FGSM eps " + report::format_fixed(b.eps, 2), "corruptions"},
                            {}};
  for (const auto& [name, m] : {std::pair<std::string, const json*>{"teacher", &t}, {"student", &s}})
    table.rows.push_back({name, accuracy_text((*m)["clean"].get<double>(), n),
                          accuracy_text((*m)["fgsm"].get<double>(), na),
                          accuracy_text((*m)["corruption"].get<double>(), na)});
  ctx.report.table(table);
  ctx.report.takeaway(
      "Clean: " + compare_text({"the student", s["clean"].get<double>(), n}, {"the teacher", t["clean"].get<double>(), n}) +
      ". Under corruptions: " +
      compare_text({"the student", s["corruption"].get<double>(), na}, {"the teacher", t["corruption"].get<double>(), na}) +
      ". Under FGSM: " +
      compare_text({"the student", s["fgsm"].get<double>(), na}, {"the teacher", t["fgsm"].get<double>(), na}) + ".");
}

}  // namespace

void noisy_student_part(WorkshopContext& ctx) { report_noisy_student(ctx, json::parse(run_noisy_student(ctx))); }

}  // namespace advgrad::workshop
