// Inspecting one picture: the default experiment's three variants (original,
// tanh, small at S = 64) from a run's checkpoint, each giving its top classes
// and the feature maps of conv1 ... conv5 for one test image, as the window's
// Inspect view asks for them. Trains (once) a 2-iteration run on synthetic
// data for its checkpoint: the time does not depend on the weights.
//
// usage: bench_inspect [FOLDER]   (default build/bench-inspect)
#include <QtTest>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "analysis/test_images.h"
#include "inference/run_classifier.h"
#include "spec/presets.h"
#include "platform/seconds_since.h"
#include "platform/system_info.h"
#include "train/trainer.h"
#include "bench_main.h"

namespace fs = std::filesystem;
using namespace alexnet;

namespace {

class Quiet : public TrainingObserver {};

}  // namespace

// The figure is only printed when every variant gave 10 logits and 5 conv
// layers' maps for every picture: anything else fails the run.
class BenchInspect : public QObject {
  Q_OBJECT
 public:
  explicit BenchInspect(fs::path dir) : dir_(std::move(dir)) {}

 private slots:
  void inspectOneTestImage() {
    ExperimentConfig config;
    config.data = "synthetic";
    config.input_size = 64;
    for (const char* name : {"original", "tanh", "small"}) config.variants.push_back(resolve_variant(name, 64, 10));
    config.iterations = 2;
    config.batch_size = 8;
    config.probe_every = 0;
    config.out_dir = dir_.string();
    if (!fs::exists(dir_ / "results.json")) {
      fs::remove_all(dir_);
      Quiet quiet;
      QCOMPARE(Trainer(config, quiet).run(), RunState::Finished);  // the 2-iteration run for its checkpoint
    }
    configure_threads(0);
    auto start = std::chrono::steady_clock::now();
    RunClassifier classifier(dir_.string());
    TestImageSource images(config);
    const double load = seconds_since(start);
    double best = 1e9, worst = 0;
    for (int k = 0; k < 20; ++k) {
      start = std::chrono::steady_clock::now();
      const std::vector<float> input = images.network_input(k, classifier.transform());
      std::size_t maps = 0;
      for (std::size_t v = 0; v < classifier.variants().size(); ++v) {
        const Inspection inspection = classifier.inspect(v, input);
        QCOMPARE(inspection.logits.size(), std::size_t(10));
        maps += inspection.maps.size();
      }
      QCOMPARE(maps, std::size_t(3 * 5));  // conv1 ... conv5 of each variant
      const double t = seconds_since(start);
      if (k > 0) {  // the first pass sets up libtorch's kernels
        best = std::min(best, t);
        worst = std::max(worst, t);
      }
    }
    std::printf(
        "inspect: one test image through original, tanh and small at S = 64 (top classes and conv1-conv5 "
        "maps): %.0f ms best, %.0f ms worst of 19; models and test images loaded in %.1f s\n",
        best * 1000, worst * 1000, load);
  }

 private:
  fs::path dir_;
};

int main(int argc, char** argv) {
  BenchInspect bench(argc > 1 ? argv[1] : "build/bench-inspect");
  return run_benchmark(bench, argv[0]);
}

#include "bench_inspect.moc"
