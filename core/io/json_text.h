// Parsing JSON that came from someone else's file: bounded before it is parsed.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace alexnet {

// Deeper than this no file of ours goes (a probe line is 4 levels deep); a
// file that does is not one of ours, and refusing it early keeps a
// million-bracket file from costing memory for nothing.
constexpr int kMaxJsonDepth = 64;

// nlohmann::json::parse, after checking the nesting depth of `text` (brackets
// outside strings). Throws nlohmann::json::parse_error for damaged or too
// deeply nested text, so callers keep one catch for both.
nlohmann::json parse_bounded_json(const std::string& text);

// The same without exceptions, for files read line by line where a damaged
// line is common (a torn last line) and only skipped: nothing when `text` is
// damaged or too deeply nested.
std::optional<nlohmann::json> try_parse_bounded_json(const std::string& text);

// An integer field of a file from elsewhere. nlohmann's get<int>() on a
// number such as 1e300 converts a double that does not fit: undefined
// behaviour (UndefinedBehaviorSanitizer caught it). Only integers in the
// range of Int are taken (whole-valued floats too, as JSON has no integer
// type); anything else throws nlohmann::json::type_error like get() does.
template <typename Int>
Int json_int(const nlohmann::json& j) {
  constexpr auto lo = std::numeric_limits<Int>::min();
  constexpr auto hi = std::numeric_limits<Int>::max();
  if (j.is_number_unsigned()) {
    const std::uint64_t v = j.get<std::uint64_t>();
    if (v <= static_cast<std::uint64_t>(hi)) return static_cast<Int>(v);
  } else if (j.is_number_integer()) {
    const std::int64_t v = j.get<std::int64_t>();
    if (v >= static_cast<std::int64_t>(lo) && v <= static_cast<std::int64_t>(hi)) return static_cast<Int>(v);
  } else if (j.is_number_float()) {
    const double v = j.get<double>();
    // hi + 1 is a power of two, exact as a double: v < it keeps the cast defined.
    if (std::isfinite(v) && v == std::floor(v) && v >= static_cast<double>(lo) && v < static_cast<double>(hi) + 1.0) {
      return static_cast<Int>(v);
    }
  } else {
    throw nlohmann::json::type_error::create(302, std::string("type must be number, but is ") + j.type_name(), &j);
  }
  throw nlohmann::json::type_error::create(302, "number " + j.dump() + " is not an integer in range", &j);
}

template <typename Int>
std::vector<Int> json_ints(const nlohmann::json& j) {
  if (!j.is_array())
    throw nlohmann::json::type_error::create(302, std::string("type must be array, but is ") + j.type_name(), &j);
  std::vector<Int> out;
  out.reserve(j.size());
  for (const nlohmann::json& e : j) out.push_back(json_int<Int>(e));
  return out;
}

// An optional integer field: `fallback` when `key` is absent.
template <typename Int>
Int json_int_or(const nlohmann::json& object, const char* key, Int fallback) {
  const auto it = object.find(key);
  return it == object.end() ? fallback : json_int<Int>(*it);
}

// An optional measured figure: NaN when `key` is absent or null (how NaN is
// written); anything else must be a number (type_error otherwise).
inline double json_number_or_nan(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::numeric_limits<double>::quiet_NaN();
  return it->get<double>();
}

}  // namespace alexnet
