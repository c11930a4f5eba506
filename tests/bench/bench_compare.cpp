// Comparing and listing runs: writes (once) five run folders of the default
// experiment's shape that ran 20,000 iterations (records every 100, probes
// every 500, three variants), then times `compare_runs` on them as
// `alexnet-lab compare` reads them, and with their probes as the window's
// Compare view reads them. Then lists a folder of 200 such runs (without
// probes) as the Runs view does.
//
// usage: bench_compare [FOLDER]   (default build/bench-runs)
#include <chrono>
#include <cstdio>
#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "spec/presets.h"
#include "run/run_catalog.h"
#include "run/run_comparison.h"
#include "run/run_store.h"
#include "platform/seconds_since.h"
#include "bench_main.h"

namespace fs = std::filesystem;
using namespace alexnet;

namespace {

Histogram histogram(double scale) {
  Histogram h;
  for (int i = 0; i <= 60; ++i) h.edges.push_back(scale * (i - 30) / 10.0);
  h.counts.assign(60, 1000);
  return h;
}

// What the trainer writes per probe: every layer's dead fraction and histograms.
ProbeResult probe_of(const VariantSpec& v, int iteration) {
  ProbeResult p;
  p.variant = v.name;
  p.iteration = iteration;
  p.activation = activation_name(v.activation);
  for (const ConvBlockSpec& c : v.convs) {
    p.layers.push_back({c.name, c.filters, 0.1, 0.2, 0, histogram(1), histogram(1)});
    p.weights.push_back({c.name, histogram(0.01)});
  }
  return p;
}

void write_run(const fs::path& dir, int seed, bool probes) {
  if (fs::exists(dir / "results.json")) return;
  ExperimentConfig config;
  config.iterations = 20000;
  config.seed = static_cast<std::uint64_t>(seed);
  for (const char* name : {"original", "tanh", "small"}) config.variants.push_back(resolve_variant(name, 64, 10));
  RunStore store(dir.string());
  store.write_config(config, {{"name", "fashion-mnist"}, {"class_names", std::vector<std::string>(10, "class")}});
  std::vector<VariantResult> results;
  for (const VariantSpec& v : config.variants) {
    for (int i = 100; i <= config.iterations; i += config.record_every) {
      store.append_record({v.name, i, 2.3 * 1000.0 / (1000.0 + i) + 0.01 * seed, 0.01, 250, i / 250.0});
    }
    if (probes) {
      std::ofstream lines(dir / "probes.jsonl", std::ios::app);
      for (int i = 0; i <= config.iterations; i += 500) {
        lines << probe_to_json(probe_of(v, i), "filters/" + v.name + ".png").dump() << "\n";
      }
    }
    VariantResult r;
    r.variant = v.name;
    r.test_accuracy = 0.89;
    r.iterations = config.iterations;
    r.confusion.assign(10, std::vector<std::int64_t>(10, 100));
    results.push_back(r);
  }
  store.write_results(results);
  store.flush();
}

}  // namespace

// A figure is only printed for a result that read everything it was to read:
// anything else fails the run.
class BenchCompare : public QObject {
  Q_OBJECT
 public:
  explicit BenchCompare(fs::path folder) : folder_(std::move(folder)) {}

 private slots:
  void compareFiveLongRuns() {
    std::vector<std::string> dirs;
    for (int i = 0; i < 5; ++i) {
      const fs::path dir = folder_ / ("run" + std::to_string(i));
      write_run(dir, i, /*probes=*/true);
      dirs.push_back(dir.string());
    }
    double best = 1e9;
    std::size_t rows = 0;
    Comparison c;
    for (int k = 0; k < 5; ++k) {
      const auto start = std::chrono::steady_clock::now();
      c = compare_runs(dirs);
      best = std::min(best, seconds_since(start));
      rows = 0;
      for (const ComparedRun& r : c.runs) rows += r.run.records.size();
    }
    // Every record of every run, and the seed as the one setting that differs.
    QCOMPARE(rows, std::size_t(5 * 3 * 200));
    QCOMPARE(c.variants.size(), std::size_t(3));
    QCOMPARE(c.differences, std::vector<std::string>{"seed: 0 | 1 | 2 | 3 | 4"});
    std::printf(
        "compare: 5 runs of 20,000 iterations (3 variants, %zu records) read and compared in %.0f ms (best of 5)\n",
        rows, best * 1000);

    // The window's Compare view also reads every probe (for the dead units across runs).
    best = 1e9;
    std::size_t probes = 0;
    for (int k = 0; k < 5; ++k) {
      const auto start = std::chrono::steady_clock::now();
      c = compare_runs(dirs);
      read_compared_probes(c);
      best = std::min(best, seconds_since(start));
      probes = 0;
      for (const ComparedRun& r : c.runs) probes += r.run.probes.size();
    }
    QCOMPARE(probes, std::size_t(5 * 3 * 41));
    std::printf("compare view: the same with their %zu probes (histograms of 5 layers each) in %.0f ms (best of 5)\n",
                probes, best * 1000);
  }

  // The Runs view: a folder of 200 runs, summed up from their small files.
  void listTwoHundredRuns() {
    const fs::path catalogue = folder_ / "catalogue";
    for (int i = 0; i < 200; ++i) write_run(catalogue / ("run" + std::to_string(1000 + i)), i, /*probes=*/false);
    double best = 1e9;
    std::vector<RunSummary> listed;
    for (int k = 0; k < 5; ++k) {
      const auto start = std::chrono::steady_clock::now();
      listed = list_runs(catalogue.string());
      best = std::min(best, seconds_since(start));
    }
    QCOMPARE(listed.size(), std::size_t(200));
    for (const RunSummary& r : listed) {
      QCOMPARE(r.status, RunStatus::Finished);
      QCOMPARE(r.iterations_done, std::int64_t(20000));
      QCOMPARE(r.variants.size(), std::size_t(3));
    }
    std::printf(
        "runs view: 200 runs listed (name, data, variants, iterations, best accuracy, state, note) in %.0f ms "
        "(best of 5)\n",
        best * 1000);
  }

 private:
  fs::path folder_;
};

int main(int argc, char** argv) {
  BenchCompare bench(argc > 1 ? argv[1] : "build/bench-runs");
  return run_benchmark(bench, argv[0]);
}

#include "bench_compare.moc"
