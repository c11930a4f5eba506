// Everything that defines an experiment: enough to repeat a run exactly.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "model/init_scheme.h"
#include "spec/variant_spec.h"

namespace alexnet {

enum class OptimizerKind { SGD, Adam };
enum class Schedule {
  Constant,      // the report's fixed learning rate
  WarmupCosine,  // linear warm-up over 3% of the run, then cosine decay to 0
  WarmupLinear,  // the same warm-up, then linear decay to 0 (lower test loss than cosine, docs/performance.md)
};

std::string optimizer_name(OptimizerKind k);
OptimizerKind optimizer_from_name(const std::string& name);  // throws std::invalid_argument
std::string schedule_name(Schedule s);
Schedule schedule_from_name(const std::string& name);

// probe_every's "choose for me": about 20 probes a run, whatever its length,
// so Figure 3, the dead-unit curves and the filter slider have steps to show.
inline constexpr int kAutomaticProbes = -1;
inline constexpr int kAutomaticProbeCount = 20;
// The interval that gives a run of `iterations` at least kAutomaticProbeCount
// probes after the one at iteration 0 (every iteration for short runs).
int automatic_probe_interval(std::int64_t iterations, int record_every = 1);

// validation's "choose for me": 1/12 of the training images, at most 5,000
// (data/validation_split.h).
inline constexpr double kAutomaticValidation = -1;

struct ExperimentConfig {
  std::vector<VariantSpec> variants;  // input size and classes already set
  std::string data = "fashion-mnist";
  // 2,400 iterations with the linear decay took original, tanh and small past
  // 90 % in about 9 minutes in the window here, with the bf16 products below (README).
  std::int64_t iterations = 2400;
  int batch_size = 64;
  int input_size = 64;
  // The default experiment: Adam at 5e-4 with label smoothing 0.1 took original,
  // tanh and small 0.8-1.6 points past SGD at 0.01 in the same time (docs/performance.md).
  double learning_rate = 5e-4;
  // Per-variant multipliers of the learning rate (absent: 1), e.g. to give tanh its own rate.
  std::map<std::string, double> learning_rate_scales;
  double momentum = 0.9;
  double weight_decay = 5e-4;
  InitScheme init = InitScheme::Kaiming;
  OptimizerKind optimizer = OptimizerKind::Adam;
  Schedule schedule = Schedule::WarmupLinear;
  bool augment = false;  // random crop and horizontal flip
  bool flip = false;     // horizontal flips alone (a garment mirrored is the same garment)
  // Cross-entropy against (1 - e)·one-hot + e/classes: keeps the logits from
  // growing without bound on the training set. The test loss stays plain.
  double label_smoothing = 0.1;
  // Image folders: a picture whose header claims more pixels than this is
  // skipped without being decoded (a small file can claim gigapixels).
  double max_picture_pixels = 50e6;
  // Image folders whose decoded pixels take more than this many MiB stream
  // from disk on loader threads instead of being decoded up front (0: a
  // quarter of half the memory, at most 2 GiB). The batches are the same either way.
  int data_cache_mb = 0;
  // Training's large layers (original's fc7, conv2-conv5) multiply in
  // bfloat16 with float32 weights, where the CPU has AVX512-BF16
  // (AlexNetImpl::set_bf16_products); elsewhere, and with false,
  // training is float32 throughout (bit for bit reproducible on one machine either way).
  bool bf16 = true;
  // Training images held out as the validation split (never trained on):
  // kAutomaticValidation, 0 (none), a fraction in (0, 1) or a count. The probe
  // set is its first probe_size images, so every probe measures validation loss
  // and accuracy too; at the end each variant is measured on all of it.
  double validation = kAutomaticValidation;
  int record_every = 100;
  // Probes (filters, histograms, dead units) every this many iterations; 0:
  // none; kAutomaticProbes: chosen from the run's length (probe_interval()).
  int probe_every = kAutomaticProbes;
  int probe_size = 1000;
  int checkpoint_every = 1000;
  // Stop a variant whose validation accuracy (on the probe set, at each
  // probe) has not improved for this many iterations; the others go on.
  // 0: train every variant to the end. Needs a validation split.
  std::int64_t early_stop = 0;
  int threads = 0;  // 0: all cores (a process's share of them when several train together)
  // Processes training this run data-parallel (c10d + Gloo), on this machine or
  // several; the batch is split evenly between them, so it must divide.
  int world_size = 1;
  std::uint64_t seed = 0;
  std::string out_dir;  // the run folder

  // Throws std::invalid_argument naming the setting for absurd values.
  void validate() const;
  // The learning rate at an iteration under the schedule (before user overrides).
  double scheduled_learning_rate(std::int64_t iteration) const;
  double learning_rate_scale(const std::string& variant) const;
  // probe_every with the automatic choice made (0: no probes).
  int probe_interval() const;
};

nlohmann::json config_to_json(const ExperimentConfig& config);
ExperimentConfig config_from_json(const nlohmann::json& j);  // throws SpecError / std::invalid_argument

}  // namespace alexnet
