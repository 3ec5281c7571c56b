#pragma once
// The workshop's stages, one function per part of the story (workshop.h runs
// them in order). Each runs its stage(s) through the StageRunner and then adds
// its section to the report from the recorded results, so a resumed run writes
// the same report as an uninterrupted one.
#include <string>
#include <vector>

#include "advgrad/nn/module.h"
#include "advgrad/report/report.h"
#include "advgrad/workshop/experiment.h"
#include "advgrad/workshop/workshop_stages.h"

namespace advgrad::workshop {

struct WorkshopContext {
  StageRunner& runner;
  report::Report& report;
  const data::Split& data;  // the budget's subsets
  const ExperimentBudget& budget;
  const data::Dataset& unlabelled;  // training images outside the budget's subset (Noisy Student's unlabelled set)
  nn::ModulePtr baseline;             // set by baseline_part
  std::vector<RobustRow> comparison;  // one row per recipe, in the order of the final table
};

void baseline_part(WorkshopContext& ctx);     // workshop_attacks.cpp
void attacks_part(WorkshopContext& ctx);      // needs the baseline
void targeted_part(WorkshopContext& ctx);     // workshop_targeted.cpp
void saliency_part(WorkshopContext& ctx);     // workshop_attacks.cpp
void static_fgsm_part(WorkshopContext& ctx);  // workshop_defences.cpp
void online_part(WorkshopContext& ctx);       // online FGSM, FGSM-RS, PGD-AT
void robust_view_part(WorkshopContext& ctx);  // workshop_robust_view.cpp; after online_part
void nsl_part(WorkshopContext& ctx);          // workshop_defences.cpp
void advprop_part(WorkshopContext& ctx);
void activations_part(WorkshopContext& ctx);
void natural_robustness_part(WorkshopContext& ctx);  // workshop_natural.cpp; after online_part
void noisy_student_part(WorkshopContext& ctx);       // workshop_noisy_student.cpp
void optimizers_part(WorkshopContext& ctx);          // workshop_summary.cpp
void comparison_part(WorkshopContext& ctx);
void autoattack_part(WorkshopContext& ctx);  // workshop_autoattack.cpp; after comparison_part
void pretrained_part(WorkshopContext& ctx);  // workshop_pretrained.cpp: EfficientNet-Lite0 on photos

}  // namespace advgrad::workshop
