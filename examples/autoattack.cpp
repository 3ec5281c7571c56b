// Robust accuracy a reviewer would accept: one model under PGD-40 and under
// each attack of the AutoAttack ensemble alone (APGD-CE, APGD-T, FAB-T, Square), then
// the ensemble itself (each attack on the examples the earlier ones left
// standing, worst case per example). PGD with a fixed step can only
// overestimate robustness; the table shows by how much.
//
//   example_autoattack MODEL.safetensors [N [DATA]]   a model saved by `advgrad train`, on the
//                                                     first N (default 1000) test images of DATA
//                                                     (default fashion-mnist)
//   example_autoattack --quick                 a small-cnn trained here on the synthetic digits
// Exits 1 if AutoAttack's accuracy is above PGD-40's (the ensemble includes a
// stronger PGD, so that would be a bug).
#include <chrono>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>

#include <advgrad/advgrad.h>

using namespace advgrad;

namespace {

// A small-cnn trained for one epoch on synthetic digits (the --quick model).
nn::ModulePtr quick_model(const data::Split& data) {
  nn::ModelConfig config;
  config.arch = "small-cnn";
  training::TrainerOptions to;
  to.epochs = 1, to.batch_size = 64, to.lr = 2e-3, to.progress = 0;
  training::Trainer trainer(nn::build_model(config), config, to);
  std::ostringstream log;
  trainer.fit(data.train, data.test, log);
  return trainer.model().shared_from_this();
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void row(const char* name, double accuracy, double seconds) {
  std::printf("%-26s %6.1f%%  %7.1f s\n", name, 100 * accuracy, seconds);
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  if (!quick && argc < 2) {
    std::fprintf(stderr, "usage: %s MODEL.safetensors [N [DATA]] | --quick\n", argv[0]);
    return 1;
  }
  try {
    nn::ModulePtr model;
    data::Split data;
    std::int64_t n = 40;
    if (quick) {
      data = data::make_synthetic_digits(2048, 256, 1);
      model = quick_model(data);
    } else {
      nn::LoadedModel loaded = nn::load_model(argv[1]);
      model = loaded.model;
      data = data::load_dataset(argc > 3 ? argv[3] : "fashion-mnist", "");
      n = argc > 2 ? std::stoll(argv[2]) : 1000;
    }
    model->eval();
    n = std::min(n, data.test.size());
    std::vector<std::int64_t> idx(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) idx[static_cast<std::size_t>(i)] = i;
    const Tensor x = data.test.images_tensor(idx), y = data.test.labels_tensor(idx);
    const double eps = 0.1;
    std::printf("L-inf eps %.3f on %lld test images\n", eps, static_cast<long long>(n));

    // Runs one attack on every example and prints its accuracy and time.
    Generator gen(0);
    const auto timed = [&](const char* name, const auto& attack) {
      const auto start = std::chrono::steady_clock::now();
      const double accuracy = 1 - attack().success_rate();
      row(name, accuracy, seconds_since(start));
      return accuracy;
    };
    std::printf("%-26s %7s  %9s\n", "attack", "accuracy", "time");
    attacks::AttackOptions pgd40;
    pgd40.eps = eps, pgd40.steps = 40, pgd40.step_size = 2.5 * eps / 40, pgd40.random_start = true;
    const double pgd_accuracy = timed("PGD-40 (fixed step)", [&] { return attacks::pgd(*model, x, y, pgd40, gen); });
    attacks::AttackOptions o;
    o.eps = eps, o.steps = quick ? 20 : 100, o.random_start = true;
    const int queries = quick ? 200 : 5000;
    timed("APGD-CE alone", [&] { return attacks::apgd(*model, x, y, o, gen); });
    timed("APGD-T alone", [&] { return attacks::apgd_targeted(*model, x, y, o, gen); });
    timed("FAB-T alone", [&] {
      attacks::FabOptions fo;
      fo.eps = eps, fo.steps = o.steps;
      return attacks::fab(*model, x, y, fo, gen);
    });
    timed("Square alone", [&] { return attacks::square_attack(*model, x, y, {eps, queries, 0.8, 0, 1}, gen); });
    // [snippet:autoattack]
    attacks::AutoAttackOptions ao;
    ao.eps = eps, ao.apgd_steps = o.steps, ao.square_queries = queries;
    const attacks::AutoAttackResult aa =
        attacks::autoattack(*model, x, y, ao, gen, [](const std::string& attack, std::int64_t remaining) {
          std::fprintf(stderr, "autoattack: %s on %lld examples\n", attack.c_str(), static_cast<long long>(remaining));
        });
    // aa.robust_accuracy(): correct under every attack; aa.stages: what each one left standing.
    // [/snippet]
    for (const auto& s : aa.stages)
      row((s.attack == "clean" ? std::string("clean") : "AutoAttack after " + s.attack).c_str(),
          static_cast<double>(s.robust) / static_cast<double>(n), s.seconds);
    std::printf("AutoAttack %.1f%% vs PGD-40 %.1f%%: PGD-40 overestimates robust accuracy by %.1f points\n",
                100 * aa.robust_accuracy(), 100 * pgd_accuracy, 100 * (pgd_accuracy - aa.robust_accuracy()));
    if (aa.robust_accuracy() > pgd_accuracy) {
      std::printf("FAILED: AutoAttack's accuracy is above PGD-40's\n");
      return 1;
    }
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
