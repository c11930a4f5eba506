// Comparing runs: writes (once) five run folders of the default experiment's
// shape that ran 20,000 iterations (records every 100, three variants), then
// times `compare_runs` on them, as `alexnet-lab compare` reads them.
//
// usage: bench_compare [FOLDER]   (default build/bench-runs)
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "presets.h"
#include "run/run_comparison.h"
#include "run/run_store.h"

namespace fs = std::filesystem;
using namespace alexnet;

namespace {

void write_run(const fs::path& dir, int seed) {
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

int main(int argc, char** argv) {
  const fs::path folder = argc > 1 ? argv[1] : "build/bench-runs";
  std::vector<std::string> dirs;
  for (int i = 0; i < 5; ++i) {
    const fs::path dir = folder / ("run" + std::to_string(i));
    write_run(dir, i);
    dirs.push_back(dir.string());
  }
  double best = 1e9;
  std::size_t rows = 0;
  Comparison c;
  for (int k = 0; k < 5; ++k) {
    const auto start = std::chrono::steady_clock::now();
    c = compare_runs(dirs);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    rows = 0;
    for (const ComparedRun& r : c.runs) rows += r.run.records.size();
  }
  // A figure is only worth printing for a comparison that read everything:
  // every record of every run, and the seed as the one setting that differs.
  if (rows != 5 * 3 * 200 || c.variants.size() != 3 ||
      c.differences != std::vector<std::string>{"seed: 0 | 1 | 2 | 3 | 4"}) {
    std::fprintf(stderr, "bench_compare: the comparison is wrong (%zu records, %zu variants, %zu differences)\n", rows,
                 c.variants.size(), c.differences.size());
    return 1;
  }
  std::printf("compare: 5 runs of 20,000 iterations (3 variants, %zu records) read and compared in %.0f ms (best of 5)\n",
              rows, best * 1000);
  return 0;
}
