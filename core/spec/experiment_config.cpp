#include "spec/experiment_config.h"
#include "io/json_text.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "spec/spec_json.h"

namespace alexnet {

std::string optimizer_name(OptimizerKind k) { return k == OptimizerKind::Adam ? "adam" : "sgd"; }

OptimizerKind optimizer_from_name(const std::string& name) {
  if (name == "sgd") return OptimizerKind::SGD;
  if (name == "adam") return OptimizerKind::Adam;
  throw std::invalid_argument("unknown optimizer \"" + name + "\" (expected sgd or adam)");
}

std::string schedule_name(Schedule s) {
  switch (s) {
    case Schedule::Constant:
      return "constant";
    case Schedule::WarmupCosine:
      return "warmup-cosine";
    case Schedule::WarmupLinear:
      return "warmup-linear";
  }
  return "warmup-linear";
}

Schedule schedule_from_name(const std::string& name) {
  if (name == "constant") return Schedule::Constant;
  if (name == "warmup-cosine") return Schedule::WarmupCosine;
  if (name == "warmup-linear") return Schedule::WarmupLinear;
  throw std::invalid_argument("unknown schedule \"" + name + "\" (expected warmup-linear, warmup-cosine or constant)");
}

void ExperimentConfig::validate() const {
  auto refuse = [](const std::string& m) { throw std::invalid_argument(m); };
  if (variants.empty()) refuse("no variants to train");
  if (iterations < 1) refuse("iterations must be at least 1");
  if (batch_size < 1 || batch_size > 4096) refuse("batch must be between 1 and 4096");
  if (!(learning_rate > 0 && std::isfinite(learning_rate))) refuse("the learning rate must be positive");
  if (!(momentum >= 0 && momentum < 1)) refuse("momentum must be in [0, 1)");
  if (!(weight_decay >= 0 && std::isfinite(weight_decay))) refuse("weight decay must not be negative");
  if (!(label_smoothing >= 0 && label_smoothing < 1)) refuse("label smoothing must be in [0, 1)");
  if (!(max_picture_pixels >= 1 && max_picture_pixels <= 1e12))
    refuse("max-picture-pixels must be between 1 and 10^12");
  if (record_every < 1) refuse("record-every must be at least 1");
  if (probe_every < 0 && probe_every != kAutomaticProbes) {
    refuse("probe-every must not be negative (0: no probes; automatic: about " + std::to_string(kAutomaticProbeCount) +
           " a run)");
  }
  if (probe_size < 1) refuse("probe-size must be at least 1");
  if (!(validation == kAutomaticValidation || validation == 0 || (validation > 0 && validation < 1) ||
        (validation >= 1 && validation <= 1e9 && validation == std::floor(validation)))) {
    refuse("validation must be auto, 0 (none), a fraction between 0 and 1 or a whole number of images");
  }
  if (checkpoint_every < 0) refuse("checkpoint-every must not be negative");
  if (early_stop < 0) refuse("early-stop must not be negative (0: off)");
  if (early_stop > 0 && validation == 0)
    refuse("early-stop watches the validation accuracy: it needs a validation split (not --validation 0)");
  if (early_stop > 0 && world_size > 1)
    refuse(
        "early-stop needs the run's processes to agree on each variant's stop, which they cannot yet: train "
        "with one process");
  if (early_stop > 0 && probe_every == 0)
    refuse("early-stop decides at the probes: it needs them (not --probe-every 0)");
  if (threads < 0) refuse("threads must not be negative");
  if (data_cache_mb < 0) refuse("the data cache size must not be negative (0: automatic)");
  if (world_size < 1 || world_size > 4096) refuse("the number of processes must be between 1 and 4096");
  if (batch_size % world_size != 0) {
    refuse("a batch of " + std::to_string(batch_size) + " does not split evenly between " + std::to_string(world_size) +
           " processes; choose a batch that is a multiple of " + std::to_string(world_size));
  }
  for (const auto& [name, scale] : learning_rate_scales) {
    bool known = false;
    for (const VariantSpec& v : variants) known |= v.name == name;
    if (!known) refuse("a learning-rate scale is given for \"" + name + "\", which is not a variant of this run");
    if (!(scale > 0 && std::isfinite(scale))) refuse("the learning-rate scale of " + name + " must be positive");
  }
  for (std::size_t i = 0; i < variants.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (variants[i].name == variants[j].name) refuse("variant \"" + variants[i].name + "\" is listed twice");
    }
  }
}

double ExperimentConfig::scheduled_learning_rate(std::int64_t iteration) const {
  if (schedule == Schedule::Constant) return learning_rate;
  const double warmup = std::max<double>(1.0, 0.03 * double(iterations));
  if (double(iteration) < warmup) return learning_rate * (double(iteration) + 1.0) / warmup;
  const double progress = (double(iteration) - warmup) / std::max(1.0, double(iterations) - warmup);
  if (schedule == Schedule::WarmupLinear) return learning_rate * std::max(0.0, 1.0 - progress);
  return learning_rate * 0.5 * (1.0 + std::cos(3.14159265358979 * std::min(1.0, progress)));
}

int automatic_probe_interval(std::int64_t iterations, int record_every) {
  const std::int64_t interval = std::clamp<std::int64_t>(iterations / kAutomaticProbeCount, 1, 100000000);
  // A multiple of the record interval where it can be, so each probe's
  // validation figures land in a metrics row (2,400 iterations: every 100, 25 probes).
  if (record_every > 1 && interval >= record_every) return int(interval / record_every * record_every);
  return int(interval);
}

int ExperimentConfig::probe_interval() const {
  return probe_every == kAutomaticProbes ? automatic_probe_interval(iterations, record_every) : probe_every;
}

double ExperimentConfig::learning_rate_scale(const std::string& variant) const {
  const auto it = learning_rate_scales.find(variant);
  return it == learning_rate_scales.end() ? 1.0 : it->second;
}

nlohmann::json config_to_json(const ExperimentConfig& c) {
  nlohmann::json variants = nlohmann::json::array();
  for (const VariantSpec& v : c.variants) variants.push_back(spec_to_json(v));
  return {{"variants", variants},
          {"data", c.data},
          {"iterations", c.iterations},
          {"batch_size", c.batch_size},
          {"input_size", c.input_size},
          {"learning_rate", c.learning_rate},
          {"learning_rate_scales", c.learning_rate_scales},
          {"momentum", c.momentum},
          {"weight_decay", c.weight_decay},
          {"init", init_scheme_name(c.init)},
          {"optimizer", optimizer_name(c.optimizer)},
          {"schedule", schedule_name(c.schedule)},
          {"augment", c.augment},
          {"flip", c.flip},
          {"label_smoothing", c.label_smoothing},
          {"max_picture_pixels", c.max_picture_pixels},
          {"data_cache_mb", c.data_cache_mb},
          {"bf16", c.bf16},
          {"record_every", c.record_every},
          {"probe_every", c.probe_every},
          {"probe_size", c.probe_size},
          {"validation", c.validation == kAutomaticValidation ? nlohmann::json("auto") : nlohmann::json(c.validation)},
          {"checkpoint_every", c.checkpoint_every},
          {"early_stop", c.early_stop},
          {"threads", c.threads},
          {"world_size", c.world_size},
          {"seed", c.seed}};
}

ExperimentConfig config_from_json(const nlohmann::json& j) {
  try {
    ExperimentConfig c;
    for (const auto& v : j.at("variants")) c.variants.push_back(spec_from_json(v, "config.json variant"));
    c.data = j.at("data").get<std::string>();
    c.iterations = json_int<std::int64_t>(j.at("iterations"));
    c.batch_size = json_int<int>(j.at("batch_size"));
    c.input_size = json_int<int>(j.at("input_size"));
    c.learning_rate = j.at("learning_rate").get<double>();
    c.learning_rate_scales = j.value("learning_rate_scales", std::map<std::string, double>{});
    c.momentum = j.at("momentum").get<double>();
    c.weight_decay = j.at("weight_decay").get<double>();
    c.init = init_scheme_from_name(j.at("init").get<std::string>());
    c.optimizer = optimizer_from_name(j.at("optimizer").get<std::string>());
    c.schedule = schedule_from_name(j.at("schedule").get<std::string>());
    c.augment = j.at("augment").get<bool>();
    c.flip = j.value("flip", false);                             // absent in runs made before the option
    c.label_smoothing = j.value("label_smoothing", 0.0);         // likewise
    c.max_picture_pixels = j.value("max_picture_pixels", 50e6);  // likewise
    c.data_cache_mb = j.contains("data_cache_mb") ? json_int<int>(j.at("data_cache_mb")) : 0;  // likewise
    c.bf16 = j.value("bf16", false);  // absent in runs made before the option
    c.record_every = json_int<int>(j.at("record_every"));
    c.probe_every = json_int<int>(j.at("probe_every"));
    c.probe_size = json_int<int>(j.at("probe_size"));
    if (!j.contains("validation")) {
      c.validation = 0;  // runs made before the validation split trained on every image
    } else if (j.at("validation").is_string()) {
      if (j.at("validation").get<std::string>() != "auto")
        throw std::invalid_argument("config.json: validation is neither auto nor a number");
      c.validation = kAutomaticValidation;
    } else {
      c.validation = j.at("validation").get<double>();
    }
    c.checkpoint_every = json_int<int>(j.at("checkpoint_every"));
    c.early_stop = j.contains("early_stop") ? json_int<std::int64_t>(j.at("early_stop")) : 0;  // absent before it
    c.threads = json_int<int>(j.at("threads"));
    c.world_size = j.contains("world_size") ? json_int<int>(j.at("world_size")) : 1;  // absent before data parallelism
    c.seed = j.at("seed").get<std::uint64_t>();
    c.validate();
    return c;
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("config.json: ") + e.what());
  }
}

}  // namespace alexnet
