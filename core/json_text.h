// Parsing JSON that came from someone else's file: bounded before it is parsed.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

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

}  // namespace alexnet
