#include "bench/benchmark.h"
#include "platform/seconds_since.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <chrono>

#include "model/alexnet_model.h"
#include "data/batch_stream.h"
#include "train/fused_optimizers.h"
#include "train/variant_lanes.h"

namespace alexnet {

namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

}  // namespace

std::int64_t forward_macs(const VariantSpec& spec) {
  std::int64_t macs = 0;
  for (const LayerShape& layer : infer_shapes(spec).layers) {
    macs += (layer.parameters - layer.channels) * std::int64_t(layer.height) * layer.width;
  }
  return macs;
}

namespace {

// One variant ready to step on a fixed random batch, as the trainer steps it.
struct SteppingModel {
  VariantSpec spec;
  AlexNet model;
  std::unique_ptr<torch::optim::Optimizer> optimizer;  // the default experiment's, as the trainer steps it
  torch::Tensor x, y;
  SteppingModel(const VariantSpec& variant, int batch_size, bool use_bf16)
      : spec(variant),
        model(spec),
        optimizer(make_optimizer(ExperimentConfig{}, model->parameters())),
        x(torch::randn({batch_size, 3, spec.input_size, spec.input_size})),
        y(torch::randint(0, spec.classes, {batch_size}, torch::kInt64)) {
    model->train();
    model->set_bf16_products(use_bf16);
    // ALEXNET_CHANNELS_LAST=1: conv weights and input in NHWC, to measure that lever.
    const char* nhwc = std::getenv("ALEXNET_CHANNELS_LAST");
    if (nhwc && std::string(nhwc) == "1") {
      torch::NoGradGuard no_grad;
      for (torch::Tensor& p : model->parameters()) {
        if (p.dim() == 4) p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
      }
      x = x.contiguous(torch::MemoryFormat::ChannelsLast);
    }
  }
  void step() {
    release_gradients(*optimizer);
    const torch::Tensor loss = torch::nn::functional::cross_entropy(model->forward(x), y);
    loss.backward();
    optimizer->step();
    (void)loss.item<float>();  // as the trainer does: the loss is read every step
  }
};

// Median wall time of one iteration in which every model takes one step, in
// the trainer's rounds on `lanes` (one lane: one after the other).
double median_iteration_seconds(std::vector<SteppingModel>& models, VariantLanes& lanes, int steps, int warmup) {
  std::vector<double> costs;
  for (SteppingModel& m : models) costs.push_back(double(forward_macs(m.spec)));
  std::vector<double> times;
  for (int i = 0; i < warmup + steps; ++i) {
    const Clock::time_point start = Clock::now();
    lanes.step_in_rounds(costs, [&](std::size_t k) { models[k].step(); });
    if (i >= warmup) times.push_back(seconds_since(start));
  }
  return median(times);
}

}  // namespace

StepTiming time_training_steps(const VariantSpec& spec, int batch_size, int steps, int warmup, bool bf16) {
  torch::manual_seed(0);
  std::vector<SteppingModel> one;
  one.emplace_back(spec, batch_size, bf16);
  StepTiming t;
  VariantLanes in_turn(1, 1);
  t.median_step_seconds = median_iteration_seconds(one, in_turn, steps, warmup);
  t.images_per_second = batch_size / t.median_step_seconds;
  t.gflops = 6.0 * double(forward_macs(spec)) * t.images_per_second / 1e9;
  return t;
}

IterationTiming time_experiment_iteration(const std::vector<VariantSpec>& specs, int batch_size, int steps, int warmup,
                                          bool bf16) {
  torch::manual_seed(0);
  std::vector<SteppingModel> models;
  models.reserve(specs.size());
  for (const VariantSpec& spec : specs) models.emplace_back(spec, batch_size, bf16);
  IterationTiming t;
  VariantLanes in_turn(1, int(models.size()));
  t.in_turn_seconds = median_iteration_seconds(models, in_turn, steps, warmup);
  VariantLanes lanes(at::get_num_threads(), int(models.size()));
  t.lanes = lanes.lanes();
  t.in_rounds_seconds = median_iteration_seconds(models, lanes, steps, warmup);
  return t;
}

double measure_sgemm_gflops(int n, int repeats, bool bf16) {
  const auto dtype = bf16 ? torch::kBFloat16 : torch::kFloat;
  const torch::Tensor a = torch::randn({n, n}).to(dtype);
  const torch::Tensor b = torch::randn({n, n}).to(dtype);
  torch::Tensor c = torch::empty({n, n}, dtype);
  torch::mm_out(c, a, b);  // warm-up: threads started, pages touched
  double best = 0;
  for (int i = 0; i < repeats; ++i) {
    const Clock::time_point start = Clock::now();
    torch::mm_out(c, a, b);
    best = std::max(best, 2.0 * n * double(n) * n / seconds_since(start) / 1e9);
  }
  return best;
}

double measure_loader_images_per_second(const ImageSet& set, int batch_size, int input_size, bool augment,
                                        int batches) {
  TransformOptions transform;
  transform.input_size = input_size;
  transform.random_crop = transform.horizontal_flip = augment;
  transform.normalisation = compute_normalisation(set);
  BatchStream stream(set, batch_size, transform, 0);
  (void)stream.next();
  const Clock::time_point start = Clock::now();
  for (int i = 0; i < batches; ++i) (void)stream.next();
  return double(batches) * batch_size / seconds_since(start);
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;
}

double current_rss_mib() {
  std::FILE* statm = std::fopen("/proc/self/statm", "r");
  if (!statm) return 0;
  long pages = 0, resident = 0;
  const int got = std::fscanf(statm, "%ld %ld", &pages, &resident);
  std::fclose(statm);
  return got == 2 ? double(resident) * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0) : 0;
}

}  // namespace alexnet
