#include "bench_command.h"

#include <cstdio>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "benchmark.h"
#include "caching_cpu_allocator.h"
#include "command_line.h"
#include "presets.h"
#include "system_info.h"

namespace alexnet::cli {

const char* const kBenchUsage =
    "usage: alexnet-lab bench [options]\n"
    "  training images/s per variant on random batches: the median step after warm-up\n"
    "  --variants LIST   presets or JSON spec files (default original,tanh,small)\n"
    "  --input-size S    (default 64)\n"
    "  --batch N         (default 64)\n"
    "  --steps N         timed steps per variant (default 10)\n"
    "  --warmup N        untimed steps first (default 3)\n"
    "  --threads N       libtorch threads (default: all cores)\n"
    "  --side-by-side    also time one experiment iteration of all the variants together\n"
    "  --sgemm           measure the machine's sgemm peak instead (GFLOP/s)\n"
    "  --loader          measure the data loader instead (images/s; --data, default fashion-mnist)\n"
    "  --json            one JSON object instead of a table\n";

namespace {

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream s(text);
  std::string part;
  while (std::getline(s, part, ',')) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

void print(const nlohmann::json& j, bool as_json, const std::string& table) {
  if (as_json) std::cout << j.dump() << "\n";
  else std::cout << table;
}

}  // namespace

int run_bench(const std::vector<std::string>& args) {
  const ParsedArgs a(args,
                     {{"variants", "input-size", "batch", "steps", "warmup", "threads", "data"},
                      {"help", "json", "sgemm", "loader", "side-by-side"}},
                     "bench");
  if (a.flag("help")) {
    std::cout << kBenchUsage;
    return 0;
  }
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
    char line[128];
    std::snprintf(line, sizeof line, "sgemm 2048 x 2048: %.1f GFLOP/s\n", gflops);
    print({{"sgemm_gflops", gflops}, {"threads", threads}}, as_json, line);
    return 0;
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
    print({{"loader_images_per_second", rate}, {"loader_augmented_images_per_second", augmented},
           {"data", data.name}}, as_json, line);
    return 0;
  }

  std::vector<VariantSpec> specs;
  for (const std::string& v : split(a.text("variants", "original,tanh,small"))) {
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
    const StepTiming t = time_training_steps(spec, batch, steps, warmup);
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
    const double together = time_side_by_side(specs, batch, steps, warmup);
    out["_side_by_side"] = {{"iteration_seconds", together}, {"sum_of_parts_seconds", sum_of_parts}};
    char line[200];
    std::snprintf(line, sizeof line,
                  "side by side: one iteration of all %zu variants %.1f ms, the sum of their steps %.1f ms (%.2fx)\n",
                  specs.size(), 1000 * together, 1000 * sum_of_parts, together / sum_of_parts);
    table << line;
  }
  print(out, as_json, table.str());
  return 0;
}

}  // namespace alexnet::cli
