// The space a sweep searches, described once: grids (every combination) and
// ranges drawn at random (seeded), over train settings and variants' spec
// fields (the names spec/setting_override.h takes). Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "spec/experiment_config.h"

namespace alexnet {

struct SweepDimension {
  enum class Kind { Values, Uniform, LogUniform };
  std::string name;  // lr, small.fc7.units, ...
  Kind kind = Kind::Values;
  std::vector<nlohmann::json> values;  // Values: the grid's, or choice(...)'s
  double low = 0, high = 0;            // Uniform, LogUniform
  bool integer = false;                // a range written with whole bounds draws whole numbers
};

struct SweepSpace {
  std::vector<SweepDimension> grid;    // --grid: every combination
  std::vector<SweepDimension> random;  // --space: drawn `samples` times for each combination
  int samples = 0;                     // --random N
  std::uint64_t seed = 0;
};

// "lr=0.01,0.001" (--grid) and "lr=loguniform(1e-4,1e-2)", "uniform(0,0.5)",
// "choice(relu,tanh)" (--space). Throw std::invalid_argument naming the text:
// no name, no values, a range that is empty, inverted or (log) not positive.
SweepDimension parse_grid(const std::string& text);
SweepDimension parse_range(const std::string& text);

// The trials' settings, each a JSON object NAME -> value, in a fixed order
// (the grid's product, each combination with its random draws).
std::vector<nlohmann::json> expand(const SweepSpace& space);

// Every name and value applied to `base` before anything runs: a grid's every
// value, a range's both ends, each choice. Throws std::invalid_argument naming
// the setting and why. Also refuses a space of no dimension, or of more than
// `max_trials` trials.
void validate_space(const SweepSpace& space, const ExperimentConfig& base, std::size_t max_trials = 10000);

// `base` with a trial's settings applied (throws like apply_setting).
ExperimentConfig trial_config(const ExperimentConfig& base, const nlohmann::json& settings);

nlohmann::json space_to_json(const SweepSpace& space);
SweepSpace space_from_json(const nlohmann::json& j);  // throws nlohmann::json::exception or std::invalid_argument

// "lr=0.001, small.fc7.units=256": a trial's settings in a line.
std::string describe_settings(const nlohmann::json& settings);

}  // namespace alexnet
