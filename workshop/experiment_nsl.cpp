// The NSL experiment: the baseline and the NSL recipe's model under NSL's
// MNIST-tutorial protocol (the base model's one-step neighbours of the test
// set, scored on both models) and under white-box FGSM / PGD on each model.
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "advgrad/attacks/attack.h"
#include "advgrad/core/error.h"
#include "advgrad/eval/interval.h"
#include "advgrad/eval/robust_eval.h"
#include "advgrad/io/atomic_file.h"
#include "advgrad/nn/safetensors.h"
#include "advgrad/workshop/experiment.h"
#include "advgrad/workshop/report_text.h"

namespace advgrad::workshop {
namespace {

using nlohmann::json;

// Accuracies over budget.eps_values, for the figure and the CSV's extra columns.
struct ProtocolSweep {
  std::vector<double> base_neighbors, nsl_neighbors, base_fgsm, nsl_fgsm;
};

ProtocolSweep sweep(nn::Module& base, nn::Module& nsl, const data::Dataset& test, const ExperimentBudget& b) {
  ProtocolSweep s;
  for (double e : b.eps_values) {
    const auto t = eval::neighbor_accuracy(base, {&base, &nsl}, test, e, 250, b.attack_examples);
    s.base_neighbors.push_back(t[0].neighbors);
    s.nsl_neighbors.push_back(t[1].neighbors);
    attacks::AttackOptions fgsm;
    fgsm.eps = fgsm.step_size = e;
    fgsm.steps = 1;
    s.base_fgsm.push_back(eval::robust_accuracy(base, test, fgsm, b.seed, 250, b.attack_examples).robust_accuracy);
    s.nsl_fgsm.push_back(eval::robust_accuracy(nsl, test, fgsm, b.seed, 250, b.attack_examples).robust_accuracy);
  }
  return s;
}

json row_json(const eval::NslProtocolRow& r) {
  return {{"name", r.name}, {"clean", r.clean}, {"neighbors", r.neighbors}, {"fgsm", r.fgsm}, {"pgd", r.pgd}};
}
eval::NslProtocolRow row_of(const json& j) {
  return {j.at("name").get<std::string>(), j.at("clean").get<double>(), j.at("neighbors").get<double>(),
          j.at("fgsm").get<double>(), j.at("pgd").get<double>()};
}

json result_json(const eval::NslProtocolResult& r, const ProtocolSweep& s, const ExperimentBudget& b) {
  return {{"eps", r.eps},
          {"pgd_steps", r.pgd_steps},
          {"count", r.count},
          {"attack_count", r.attack_count},
          {"seconds", r.seconds},
          {"rows", json::array({row_json(r.base), row_json(r.nsl)})},
          {"sweep",
           {{"eps", b.eps_values}, {"base_neighbors", s.base_neighbors}, {"nsl_neighbors", s.nsl_neighbors},
            {"base_fgsm", s.base_fgsm}, {"nsl_fgsm", s.nsl_fgsm}}}};
}

eval::NslProtocolResult result_of(const std::string& text) {
  const json j = json::parse(text, nullptr, false);
  ADVGRAD_CHECK(!j.is_discarded() && j.is_object(), "nsl-protocol record: not a JSON object");
  try {
    eval::NslProtocolResult r;
    r.eps = j.at("eps").get<double>();
    r.pgd_steps = j.at("pgd_steps").get<int>();
    r.count = j.at("count").get<std::int64_t>();
    r.attack_count = j.at("attack_count").get<std::int64_t>();
    r.seconds = j.at("seconds").get<double>();
    const json& rows = j.at("rows");
    ADVGRAD_CHECK(rows.is_array() && rows.size() == 2, "nsl-protocol record: expected two rows (base, nsl)");
    r.base = row_of(rows[0]);
    r.nsl = row_of(rows[1]);
    return r;
  } catch (const json::exception& e) {
    detail::fail("nsl-protocol record: ", e.what());
  }
}

std::string csv(const eval::NslProtocolResult& r, const ProtocolSweep& s, const ExperimentBudget& b) {
  std::ostringstream o;
  o << "model,clean,base_neighbors_eps" << r.eps << ",fgsm_eps" << r.eps << ",pgd" << r.pgd_steps << "_eps" << r.eps;
  for (double e : b.eps_values) o << ",sweep_base_neighbors_eps" << e;
  for (double e : b.eps_values) o << ",sweep_fgsm_eps" << e;
  o << ",count,attack_count\n";
  const auto line = [&](const eval::NslProtocolRow& row, const std::vector<double>& nb, const std::vector<double>& fg) {
    o << row.name << ',' << row.clean << ',' << row.neighbors << ',' << row.fgsm << ',' << row.pgd;
    for (double v : nb) o << ',' << v;
    for (double v : fg) o << ',' << v;
    o << ',' << r.count << ',' << r.attack_count << '\n';
  };
  line(r.base, s.base_neighbors, s.base_fgsm);
  line(r.nsl, s.nsl_neighbors, s.nsl_fgsm);
  return o.str();
}

// Accuracy against eps (clean at 0): each model on the base model's
// neighbours and under FGSM on itself. The base model's two curves are one
// attack (its neighbours are its own FGSM examples); the NSL model's gap
// between them is what the transfer protocol leaves out.
report::Figure chart(const eval::NslProtocolResult& r, const ProtocolSweep& s, const ExperimentBudget& b,
                    const std::string& data) {
  // Each point with its 95% interval: clean and neighbours over r.count images, FGSM over r.attack_count.
  const auto series = [&](const std::string& name, double clean, const std::vector<double>& y, std::int64_t n) {
    report::ChartSeries c{name, {0.0}, {clean}, {}, {}};
    for (std::size_t i = 0; i < y.size(); ++i) {
      c.x.push_back(b.eps_values[i]);
      c.y.push_back(y[i]);
    }
    for (std::size_t i = 0; i < c.y.size(); ++i) {
      const eval::Interval ci = eval::accuracy_interval(c.y[i], i == 0 ? r.count : n);
      c.y_lo.push_back(ci.lo);
      c.y_hi.push_back(ci.hi);
    }
    return c;
  };
  report::ChartOptions o;
  o.title = "NSL protocol, " + data + ": base's neighbours vs own FGSM";
  o.x_label = "eps = adversarial step size (pixel units); bars: 95% intervals";
  o.y_label = "accuracy";
  o.intervals = report::IntervalStyle::Whiskers;
  return report::line_chart({series("base, base's neighbours", r.base.clean, s.base_neighbors, r.count),
                             series("base, own FGSM", r.base.clean, s.base_fgsm, r.attack_count),
                             series("nsl, base's neighbours", r.nsl.clean, s.nsl_neighbors, r.count),
                             series("nsl, own FGSM", r.nsl.clean, s.nsl_fgsm, r.attack_count)},
                            o);
}

}  // namespace

eval::NslProtocolResult nsl_protocol_stage(StageRunner& runner, const data::Split& data, const ExperimentBudget& b,
                                           nn::Module& base, nn::Module& nsl) {
  const std::string results = runner.run("nsl-protocol", [&](StageFiles& files) {
    eval::NslProtocolOptions o;
    o.eps = b.eps;
    o.pgd_steps = b.pgd_steps;
    o.seed = b.seed;
    // Every column on the same first attack_examples test images, so that the
    // base model's neighbour and FGSM columns (one attack) read the same and
    // the NSL model's transfer and white-box numbers compare image for image.
    o.limit = o.attack_limit = b.attack_examples;
    const eval::NslProtocolResult r = eval::nsl_protocol(base, nsl, data.test, o);
    const ProtocolSweep s = sweep(base, nsl, data.test, b);
    json file = result_json(r, s, b);
    file["experiment"] = "nsl";
    file["budget"] = json::parse(budget_to_json(b));
    io::write_file_atomically(files.file("nsl.csv"), csv(r, s, b));
    io::write_file_atomically(files.file("nsl.json"), file.dump(2) + "\n");
    write_stage_figure(files, chart(r, s, b, data.test.name), "nsl");
    for (const eval::NslProtocolRow* row : {&r.base, &r.nsl})
      runner.log() << "  " << row->name << ": clean " << report::format_percent(row->clean) << ", base's neighbours "
                   << report::format_percent(row->neighbors) << ", own FGSM " << report::format_percent(row->fgsm)
                   << ", own PGD-" << r.pgd_steps << " " << report::format_percent(row->pgd) << " (eps " << r.eps
                   << ")\n";
    return result_json(r, s, b).dump();
  });
  return result_of(results);
}

report::ReportTable nsl_protocol_table(const eval::NslProtocolResult& r, const std::string& caption) {
  const std::string eps = report::format_fixed(r.eps, 3);
  report::ReportTable t{caption,
                        {"model", "clean", "base's neighbours eps " + eps + " (tutorial)", "white-box FGSM eps " + eps,
                         "white-box PGD-" + std::to_string(r.pgd_steps) + " eps " + eps},
                        {}};
  t.caption += "; accuracies with their 95% intervals";
  for (const eval::NslProtocolRow* row : {&r.base, &r.nsl})
    t.rows.push_back({row->name, accuracy_text(row->clean, r.count), accuracy_text(row->neighbors, r.count),
                      accuracy_text(row->fgsm, r.attack_count), accuracy_text(row->pgd, r.attack_count)});
  return t;
}

eval::NslProtocolResult nsl_experiment(StageRunner& runner, const data::Split& data, const ExperimentBudget& b) {
  nn::ModulePtr base, nsl;
  recipe_stage(runner, "none", data, b, &base);  // the stage "baseline", shared with the workshop and recipes
  recipe_stage(runner, "nsl", data, b, &nsl);    // multiplier 0.2, step = b.eps: the evaluation's eps
  return nsl_protocol_stage(runner, data, b, *base, *nsl);
}

}  // namespace advgrad::workshop
