#include "analysis/repair.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "spec/variant_spec.h"

namespace alexnet {

namespace {

nlohmann::json repair_at(const std::string& settings, std::size_t index) {
  const nlohmann::json list = nlohmann::json::parse(settings, nullptr, false);
  if (!list.is_array() || index >= list.size() || !list[index].is_object()) {
    throw std::invalid_argument("this finding suggests no settings to change");
  }
  return list[index];
}

}  // namespace

ExperimentConfig apply_repair(ExperimentConfig c, const std::string& settings, std::size_t index) {
  const nlohmann::json repair = repair_at(settings, index);  // kept: items() only refers to it
  for (const auto& [name, value] : repair.items()) {
    try {
      if (name == "lr") c.learning_rate = value.get<double>();
      else if (name == "init") c.init = init_scheme_from_name(value.get<std::string>());
      else if (name == "optimizer") c.optimizer = optimizer_from_name(value.get<std::string>());
      else if (name == "schedule") c.schedule = schedule_from_name(value.get<std::string>());
      else if (name == "momentum") c.momentum = value.get<double>();
      else if (name == "weight-decay") c.weight_decay = value.get<double>();
      else if (name == "batch") c.batch_size = value.get<int>();
      else if (name == "iterations") c.iterations = value.get<std::int64_t>();
      else if (name == "augment") c.augment = value.get<bool>();
      else if (name == "early-stop") c.early_stop = value.get<std::int64_t>();
      else if (name == "label-smoothing") c.label_smoothing = value.get<double>();
      else if (name.size() > 11 && name.compare(name.size() - 11, 11, ".activation") == 0) {
        const std::string variant = name.substr(0, name.size() - 11);
        bool found = false;
        for (VariantSpec& v : c.variants) {
          if (v.name != variant) continue;
          v.activation = activation_from_name(value.get<std::string>());
          found = true;
        }
        if (!found) throw std::invalid_argument("the run has no variant " + variant);
      } else {
        throw std::invalid_argument("unknown setting");
      }
    } catch (const nlohmann::json::exception&) {
      throw std::invalid_argument("the setting " + name + " has a value of the wrong type: " + value.dump());
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("cannot apply " + name + " = " + value.dump() + ": " + e.what());
    }
  }
  c.out_dir.clear();
  c.validate();
  return c;
}

std::string describe_repair(const std::string& settings, std::size_t index) {
  std::string text;
  const nlohmann::json repair = repair_at(settings, index);
  for (const auto& [name, value] : repair.items()) {
    if (!text.empty()) text += ' ';
    text += "--" + name + " " + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return text;
}

}  // namespace alexnet
