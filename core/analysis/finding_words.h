// How findings are worded: numbers as people read them, a finding built from
// its parts, and repairs said as train options. Shared by every detector.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "analysis/findings_engine.h"

namespace alexnet {

std::string number(double v, int digits);  // fixed digits: 2.30
std::string count(std::int64_t n);         // 2,400
std::string percent(double fraction);      // 0.42 -> "42 %"
std::string scientific(double v);          // 3.2e-05
double round_rate(double rate);            // a learning rate as it would be typed: 5e-05, 0.001

// found_iteration -1: merge() sets it to when the engine said so, unless the detector knows.
Finding make_finding(const char* kind, const std::string& variant, const std::string& layer, std::int64_t first,
                     std::int64_t last, Severity severity, std::string evidence, std::string suggestion,
                     const nlohmann::json& settings);

// Repairs for a network that does not learn or whose units die, in the order
// to try them (AUTOTRAINER's order: initialisation, then rate, then activation).
nlohmann::json learning_repairs(const FindingsContext& c, const std::string& variant, bool relu);
// "try --init kaiming, then --lr 0.001, or else ..."
std::string describe_repairs(const nlohmann::json& list);

}  // namespace alexnet
