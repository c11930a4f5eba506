#include "bench_command.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "bench/benchmark.h"
#include "platform/caching_cpu_allocator.h"
#include "option_table.h"
#include "spec/presets.h"
#include "platform/system_info.h"
#include "train/trainer.h"

namespace alexnet::cli {

const CommandDoc& bench_doc() {
  static const CommandDoc doc{
      "usage: alexnet-lab bench [options]\n"
      "  training images/s per variant on random batches: the median step after warm-up\n",
      {{"",
        {{"variants", "LIST", "presets or JSON spec files (default original,tanh,small)"},
         {"input-size", "S", "(default 64)"},
         {"batch", "N", "(default 64)"},
         {"steps", "N", "timed steps per variant (default 10)"},
         {"warmup", "N", "untimed steps first (default 3)"},
         {"threads", "N", "libtorch threads (default: all cores)"},
         {"side-by-side", "",
          "also time one experiment iteration of all the variants together, in the trainer's rounds (variants "
          "side by side on lanes) and one after the other"},
         {"bf16", "", "the large layers multiply in bfloat16, as train --precision bf16"},
         {"sgemm", "", "measure the machine's sgemm and bf16 gemm peaks instead (GFLOP/s)"},
         {"loader", "", "measure the data loader instead (images/s; --data, default fashion-mnist)"},
         {"data", "DATA", "with --loader: the data set to load"},
         {"soak", "N",
          "train the first variant N iterations on synthetic data through the real trainer (records, probes, "
          "checkpoints into a scratch folder) and print the resident memory at the start, the middle and the "
          "end"},
         {"json", "", "one JSON object instead of a table"}}}}};
  return doc;
}

namespace {

void print(const nlohmann::json& j, bool as_json, const std::string& table) {
  if (as_json) std::cout << j.dump() << "\n";
  else std::cout << table;
}

// Notes the resident memory as the run passes its first, middle and last iteration.
class RssProbe : public TrainingObserver {
 public:
  explicit RssProbe(std::int64_t total) : marks_{1, total / 2, total} {}
  void on_progress(const ProgressUpdate& u) override {
    for (std::size_t i = 0; i < 3; ++i) {
      if (u.iteration == marks_[i] && rss_[i] == 0) {
        rss_[i] = current_rss_mib();
        std::cerr << "iteration " << u.iteration << ": RSS " << rss_[i] << " MiB\n";
      }
    }
  }
  void on_message(const std::string& text) override {
    if (text.rfind("error", 0) == 0 || text.find("diverged") != std::string::npos) std::cerr << text << "\n";
  }
  std::int64_t marks_[3];
  double rss_[3] = {0, 0, 0};
};

int run_soak(int iterations, const std::string& variant, int input_size, int batch, int threads, bool as_json) {
  ExperimentConfig c;
  c.variants = {resolve_variant(variant, input_size, 0)};
  c.data = "synthetic";
  c.iterations = iterations;
  c.batch_size = batch;
  c.learning_rate *= batch / 64.0;  // the default rate is for batch 64; small batches diverge with it
  c.input_size = input_size;
  c.record_every = 100;
  c.probe_every = 1000;
  c.probe_size = 200;
  c.checkpoint_every = 5000;
  c.threads = threads;
  c.out_dir = (std::filesystem::temp_directory_path() / ("alexnet-soak-" + std::to_string(::getpid()))).string();
  RssProbe probe(iterations);
  Trainer trainer(c, probe);
  const RunState state = trainer.run();
  std::error_code ec;
  std::filesystem::remove_all(c.out_dir, ec);
  if (state != RunState::Finished || probe.rss_[2] == 0) {
    std::cerr << "soak: the run did not reach its last iteration\n";
    return 1;
  }
  char line[256];
  std::snprintf(line, sizeof line,
                "soak: %d iterations of %s at S=%d, batch %d: RSS %.0f MiB at the start, %.0f in the middle, "
                "%.0f at the end (%+.1f%% from the middle to the end)\n",
                iterations, variant.c_str(), input_size, batch, probe.rss_[0], probe.rss_[1], probe.rss_[2],
                100.0 * (probe.rss_[2] - probe.rss_[1]) / probe.rss_[1]);
  print({{"iterations", iterations},
         {"rss_start_mib", probe.rss_[0]},
         {"rss_middle_mib", probe.rss_[1]},
         {"rss_end_mib", probe.rss_[2]}},
        as_json, line);
  return 0;
}

}  // namespace

int run_bench(const std::vector<std::string>& args) {
  const ParsedArgs a(args, option_spec(bench_doc()), "bench");
  if (answered_help(a, bench_doc())) return 0;
  if (!a.positional().empty()) throw UsageError("bench: unexpected argument " + a.positional()[0]);
  const int input_size = a.integer("input-size", 64, 1, 4096);
  const int batch = a.integer("batch", 64, 1, 4096);
  const int steps = a.integer("steps", 10, 1, 100000);
  const int warmup = a.integer("warmup", 3, 0, 100000);
  const bool as_json = a.flag("json");
  install_caching_cpu_allocator();  // the trainer's allocator: measure what training gets
  const int threads = configure_threads(a.integer("threads", 0, 0, 1024));
  std::cerr << describe_compute(threads) << "\n";

  if (a.flag("sgemm")) {
    const double gflops = measure_sgemm_gflops();
    // bf16 products (--bf16) are read against its own limit: the same product in bfloat16.
    const double bf16_gflops = measure_sgemm_gflops(2048, 5, true);
    char line[192];
    std::snprintf(line, sizeof line, "sgemm 2048 x 2048: %.1f GFLOP/s\nbf16 gemm 2048 x 2048: %.1f GFLOP/s%s\n", gflops,
                  bf16_gflops, cpu_has_avx512_bf16() ? "" : " (no AVX512-BF16 here: emulated)");
    print({{"sgemm_gflops", gflops}, {"bf16_gemm_gflops", bf16_gflops}, {"threads", threads}}, as_json, line);
    return 0;
  }
  if (a.has("soak")) {
    const std::vector<std::string> variants = split_list(a.text("variants", "small"));
    if (variants.empty()) throw UsageError("bench: --variants names no variant");
    return run_soak(a.integer("soak", 20000, 2, 100000000), variants.front(), input_size, batch, threads, as_json);
  }
  if (a.flag("loader")) {
    LoadOptions load;
    load.image_size = input_size;
    const Dataset data = load_dataset(a.text("data", "fashion-mnist"), load);
    const double rate = measure_loader_images_per_second(data.train, batch, input_size, false, 200);
    const double augmented = measure_loader_images_per_second(data.train, batch, input_size, true, 200);
    char line[256];
    std::snprintf(line, sizeof line, "data loader (%s, S=%d, batch %d): %.0f images/s, %.0f with augmentation\n",
                  data.name.c_str(), input_size, batch, rate, augmented);
    print({{"loader_images_per_second", rate}, {"loader_augmented_images_per_second", augmented}, {"data", data.name}},
          as_json, line);
    return 0;
  }

  std::vector<VariantSpec> specs;
  for (const std::string& v : split_list(a.text("variants", "original,tanh,small"))) {
    specs.push_back(resolve_variant(v, input_size, 10));
    validate(specs.back());
  }
  if (specs.empty()) throw UsageError("bench: --variants names no variant");
  nlohmann::json out = nlohmann::json::object();
  std::ostringstream table;
  table << "S=" << input_size << ", batch " << batch << ", median of " << steps << " steps after " << warmup
        << " warm-up steps\nvariant        images/s   step ms   GFLOP/s   peak RSS MiB\n";
  double sum_of_parts = 0;
  for (const VariantSpec& spec : specs) {
    const StepTiming t = time_training_steps(spec, batch, steps, warmup, a.flag("bf16"));
    sum_of_parts += t.median_step_seconds;
    out[spec.name] = {{"train_images_per_second", t.images_per_second},
                      {"median_step_seconds", t.median_step_seconds},
                      {"gflops", t.gflops},
                      {"forward_macs_per_image", forward_macs(spec)},
                      {"peak_rss_mib", peak_rss_mib()},
                      {"threads", threads}};
    char line[160];
    std::snprintf(line, sizeof line, "%-12s %10.1f %9.1f %9.1f %14.0f\n", spec.name.c_str(), t.images_per_second,
                  1000 * t.median_step_seconds, t.gflops, peak_rss_mib());
    table << line;
  }
  if (a.flag("side-by-side") && specs.size() > 1) {
    const IterationTiming together = time_experiment_iteration(specs, batch, steps, warmup, a.flag("bf16"));
    out["_side_by_side"] = {{"iteration_seconds", together.in_rounds_seconds},
                            {"in_turn_seconds", together.in_turn_seconds},
                            {"lanes", together.lanes},
                            {"sum_of_parts_seconds", sum_of_parts}};
    char line[320];
    std::snprintf(line, sizeof line,
                  "one iteration of all %zu variants: %.1f ms in the trainer's rounds (%d lanes), %.1f ms one "
                  "after the other, the sum of their steps %.1f ms\n",
                  specs.size(), 1000 * together.in_rounds_seconds, together.lanes, 1000 * together.in_turn_seconds,
                  1000 * sum_of_parts);
    table << line;
  }
  print(out, as_json, table.str());
  return 0;
}

}  // namespace alexnet::cli
