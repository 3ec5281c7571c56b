// A hand-written training loop against advgrad's public API: a small-cnn on
// the built-in synthetic digits. Per batch:
//   logits = f(x; theta)                          forward, records the graph
//   L      = mean_b -log softmax(logits_b)[y_b]   cross-entropy
//   loss.backward()                               dL/dtheta into every parameter's .grad()
//   theta <- Adam(theta, dL/dtheta)               optimizer step
//   zero the grads                                else the next backward adds onto them
// Exits 1 unless test accuracy is well above chance (10 classes: 10%).
// --quick: a small subset and one epoch (a few seconds).
#include <cstdio>
#include <cstring>

#include <advgrad/advgrad.h>

using namespace advgrad;

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const std::int64_t epochs = quick ? 1 : 4;
  const std::int64_t train_size = quick ? 2048 : 8000, test_size = quick ? 256 : 2000;
  const double required_accuracy = quick ? 0.5 : 0.9;  // chance is 0.1

  // Data: 28x28 grey glyphs 0-9, generated from a seed (no files needed).
  data::Split data = data::make_synthetic_digits(train_size, test_size, /*seed=*/1);
  data::LoaderOptions loader_options;
  loader_options.batch_size = 64;  // shuffled each epoch from Generator(seed + epoch)
  data::DataLoader loader(data.train, loader_options);

  // Model and optimizer: conv3x3 32, relu, pool, conv3x3 64, relu, pool, 128, 10.
  nn::ModelConfig config;
  config.arch = "small-cnn";
  nn::ModulePtr model = nn::build_model(config);
  nn::AdamOptions adam;
  adam.lr = 2e-3;
  nn::Adam optimizer(model->parameters(), adam);
  std::printf("small-cnn, %lld parameters; %lld train / %lld test images\n",
              static_cast<long long>(model->num_parameters()), static_cast<long long>(train_size),
              static_cast<long long>(test_size));

  for (std::int64_t epoch = 0; epoch < epochs; ++epoch) {
    model->train();
    loader.start_epoch(epoch);
    data::Batch batch;
    double loss_sum = 0, correct = 0, seen = 0;
    while (loader.next(batch)) {
      // [snippet:step]
      Tensor logits = (*model)(batch.images);             // [B, 10]; records the graph
      Tensor loss = cross_entropy(logits, batch.labels);  // mean over the batch
      loss.backward();                                    // dloss/dtheta into each parameter's .grad()
      optimizer.step();                                   // Adam update, under NoGradGuard
      optimizer.zero_grad();                              // drop .grad before the next backward
      // [/snippet]
      const double b = static_cast<double>(batch.labels.size(0));
      loss_sum += loss.item() * b;
      correct += sum(eq(argmax(logits.detach(), 1), batch.labels).to(DType::Float64)).item();
      seen += b;
    }
    std::printf("epoch %lld/%lld  train loss %.4f  train acc %.1f%%\n", static_cast<long long>(epoch + 1),
                static_cast<long long>(epochs), loss_sum / seen, 100 * correct / seen);
  }

  // Test accuracy: eval mode, no graph (eval::evaluate does both).
  const eval::EvalResult test = eval::evaluate(*model, data.test);
  std::printf("test loss %.4f  test acc %.1f%% (need > %.0f%%)\n", test.loss, 100 * test.accuracy,
              100 * required_accuracy);
  if (test.accuracy <= required_accuracy) {
    std::printf("FAILED: test accuracy is not well above chance\n");
    return 1;
  }
  return 0;
}
