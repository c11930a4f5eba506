// Inspecting one picture: the default experiment's three variants (original,
// tanh, small at S = 64) from a run's checkpoint, each giving its top classes
// and the feature maps of conv1 ... conv5 for one test image, as the window's
// Inspect view asks for them. Trains (once) a 2-iteration run on synthetic
// data for its checkpoint: the time does not depend on the weights.
//
// usage: bench_inspect [FOLDER]   (default build/bench-inspect)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "analysis/test_images.h"
#include "inference/run_classifier.h"
#include "presets.h"
#include "system_info.h"
#include "trainer.h"

namespace fs = std::filesystem;
using namespace alexnet;

namespace {

class Quiet : public TrainingObserver {};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path dir = argc > 1 ? argv[1] : "build/bench-inspect";
  ExperimentConfig config;
  config.data = "synthetic";
  config.input_size = 64;
  for (const char* name : {"original", "tanh", "small"}) config.variants.push_back(resolve_variant(name, 64, 10));
  config.iterations = 2;
  config.batch_size = 8;
  config.probe_every = 0;
  config.out_dir = dir.string();
  if (!fs::exists(dir / "results.json")) {
    fs::remove_all(dir);
    Quiet quiet;
    if (Trainer(config, quiet).run() != RunState::Finished) {
      std::fprintf(stderr, "bench_inspect: the 2-iteration run did not finish\n");
      return 1;
    }
  }
  configure_threads(0);
  auto start = std::chrono::steady_clock::now();
  RunClassifier classifier(dir.string());
  TestImageSource images(config);
  const double load = seconds_since(start);
  double best = 1e9, worst = 0;
  std::size_t maps = 0;
  for (int k = 0; k < 20; ++k) {
    start = std::chrono::steady_clock::now();
    const std::vector<float> input = images.network_input(k, classifier.transform());
    maps = 0;
    for (std::size_t v = 0; v < classifier.variants().size(); ++v) {
      const Inspection inspection = classifier.inspect(v, input);
      if (inspection.logits.size() != 10) {
        std::fprintf(stderr, "bench_inspect: %zu logits\n", inspection.logits.size());
        return 1;
      }
      maps += inspection.maps.size();
    }
    const double t = seconds_since(start);
    if (k > 0) {  // the first pass warms the allocator
      best = std::min(best, t);
      worst = std::max(worst, t);
    }
  }
  if (maps != 15) {
    std::fprintf(stderr, "bench_inspect: %zu feature-map layers, not 3 x 5\n", maps);
    return 1;
  }
  std::printf("inspect: one test image through original, tanh and small at S = 64 (top classes and conv1-conv5 maps): "
              "%.0f ms best, %.0f ms worst of 19; models and test images loaded in %.1f s\n",
              best * 1000, worst * 1000, load);
  return 0;
}
