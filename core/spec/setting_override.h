// One named setting of an experiment changed to a value: what a finding's
// repair, "Try the fix" and every trial of a sweep apply. Names are train's
// option names (lr, init, optimizer, schedule, momentum, weight-decay, batch,
// iterations, augment, flip, label-smoothing, input-size, early-stop,
// validation, seed) and spec fields of a variant: VARIANT.activation,
// VARIANT.dropout, VARIANT.LAYER.units (FC) or VARIANT.LAYER.filters |
// kernel | stride | padding (conv), VARIANT.LAYER.lrn | pool. Torch-free.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "spec/experiment_config.h"

namespace alexnet {

// Throws std::invalid_argument naming the setting: an unknown name, a variant
// or layer the experiment lacks, a value of the wrong type or out of range
// (the whole experiment is validated, variants included).
void apply_setting(ExperimentConfig& config, const std::string& name, const nlohmann::json& value);

// The train settings a sweep or repair may name (spec fields come on top).
const std::vector<std::string>& setting_names();

// A value typed on a command line: a JSON number, true/false, or else a string ("kaiming").
nlohmann::json setting_value_from_text(const std::string& text);

}  // namespace alexnet
