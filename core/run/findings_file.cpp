#include "run/findings_file.h"

#include <algorithm>
#include <sstream>

#include <nlohmann/json.hpp>

#include "analysis/findings_engine.h"
#include "io/json_text.h"

namespace alexnet {

namespace {

constexpr std::size_t kMaxFindingText = 4096;  // a sentence of ours is far shorter

std::string bounded_text(const nlohmann::json& j, const char* key) {
  std::string text = j.at(key).get<std::string>();
  if (text.size() > kMaxFindingText) text = text.substr(0, kMaxFindingText) + "…";
  return text;
}

}  // namespace

nlohmann::json finding_to_json(const Finding& f) {
  nlohmann::json settings = nlohmann::json::parse(f.settings, nullptr, false);
  if (!settings.is_array()) settings = nlohmann::json::array();
  return {{"kind", f.kind},
          {"variant", f.variant},
          {"layer", f.layer},
          {"first_iteration", f.first_iteration},
          {"last_iteration", f.last_iteration},
          {"found_iteration", f.found_iteration},
          {"severity", severity_name(f.severity)},
          {"evidence", f.evidence},
          {"suggestion", f.suggestion},
          {"settings", settings}};
}

std::vector<Finding> parse_findings(const std::string& text, const std::string& path,
                                    std::vector<std::string>* warnings) {
  std::vector<Finding> findings;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (line.empty()) continue;
    const std::optional<nlohmann::json> j = try_parse_bounded_json(line);
    try {
      if (!j || !j->is_object()) throw std::invalid_argument("not a JSON object");
      Finding f;
      f.kind = bounded_text(*j, "kind");
      f.variant = bounded_text(*j, "variant");
      f.layer = bounded_text(*j, "layer");
      f.first_iteration = json_int<std::int64_t>(j->at("first_iteration"));
      f.last_iteration = json_int<std::int64_t>(j->at("last_iteration"));
      f.found_iteration = json_int_or<std::int64_t>(*j, "found_iteration", f.last_iteration);
      f.severity = severity_from_name(j->at("severity").get<std::string>());
      f.evidence = bounded_text(*j, "evidence");
      f.suggestion = bounded_text(*j, "suggestion");
      const nlohmann::json& settings = j->at("settings");
      if (!settings.is_array()) throw std::invalid_argument("settings is not a list");
      f.settings = settings.dump();
      const auto it =
          std::find_if(findings.begin(), findings.end(), [&](const Finding& g) { return same_finding(f, g); });
      if (it == findings.end()) findings.push_back(std::move(f));
      else *it = std::move(f);
    } catch (const std::exception&) {
      if (warnings) warnings->push_back(path + ": line " + std::to_string(number) + " is damaged and was skipped");
    }
  }
  return findings;
}

std::string describe_finding(const Finding& f) {
  std::string where = f.variant;
  if (!f.layer.empty()) where += (where.empty() ? "" : " ") + f.layer;
  std::string span = f.first_iteration == f.last_iteration
                         ? "iteration " + std::to_string(f.first_iteration)
                         : "iterations " + std::to_string(f.first_iteration) + "-" + std::to_string(f.last_iteration);
  std::string text = "[" + severity_name(f.severity) + "] " + f.kind + (where.empty() ? "" : " " + where) + " (" +
                     span + "): " + f.evidence;
  if (!f.suggestion.empty()) text += ". Try: " + f.suggestion;
  return text;
}

}  // namespace alexnet
