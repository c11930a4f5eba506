#include "analysis/repair.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "spec/setting_override.h"

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
  for (const auto& [name, value] : repair.items()) apply_setting(c, name, value);
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
