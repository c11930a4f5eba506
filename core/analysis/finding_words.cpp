#include "analysis/finding_words.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

namespace alexnet {

namespace {

std::string settings_text(const nlohmann::json& list) { return list.dump(); }

}  // namespace

std::string scientific(double v) {
  char text[64];
  std::snprintf(text, sizeof text, "%.1e", v);
  return text;
}

std::string number(double v, int digits) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, v);
  return text;
}

// 2,400: iterations as people read them.
std::string count(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (n < 0 ? "-" : "") + out;
}

std::string percent(double fraction) { return number(100 * fraction, 0) + " %"; }

double round_rate(double rate) {
  // Two significant digits, parsed back so the number is the one "%.1e" names (0.3, not 0.30000000000000004).
  char text[32];
  std::snprintf(text, sizeof text, "%.1e", rate);
  return std::strtod(text, nullptr);
}

Finding make_finding(const char* kind, const std::string& variant, const std::string& layer, std::int64_t first,
                     std::int64_t last, Severity severity, std::string evidence, std::string suggestion,
                     const nlohmann::json& settings) {
  Finding f;
  f.kind = kind;
  f.variant = variant;
  f.layer = layer;
  f.first_iteration = first;
  f.last_iteration = last;
  f.severity = severity;
  f.evidence = std::move(evidence);
  f.suggestion = std::move(suggestion);
  f.settings = settings_text(settings);
  f.found_iteration = -1;  // merge() sets when the engine said so, unless the detector knows
  return f;
}

nlohmann::json learning_repairs(const FindingsContext& c, const std::string& variant, bool relu) {
  nlohmann::json list = nlohmann::json::array();
  if (c.init == "paper") list.push_back({{"init", "kaiming"}});
  list.push_back({{"lr", round_rate(c.learning_rate / 10)}});
  if (c.optimizer == "sgd") list.push_back({{"optimizer", "adam"}, {"lr", 0.0005}});
  if (relu) list.push_back({{variant + ".activation", "leaky_relu"}});
  return list;
}

std::string describe_repairs(const nlohmann::json& list) {
  std::string text;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i > 0) text += i + 1 == list.size() ? ", or else " : ", then ";
    std::string one;
    for (const auto& [key, value] : list[i].items()) {
      if (!one.empty()) one += " with ";
      one += "--" + key + " " + (value.is_string() ? value.get<std::string>() : value.dump());
    }
    text += one;
  }
  return text.empty() ? text : "try " + text;
}

}  // namespace alexnet
