#include "io/json_text.h"

namespace alexnet {

namespace {

// Where `text` first nests deeper than kMaxJsonDepth (brackets outside strings), or npos.
std::size_t too_deep_at(const std::string& text) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;  // an escaped character, possibly a quote
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::string::npos;
}

}  // namespace

nlohmann::json parse_bounded_json(const std::string& text) {
  const std::size_t at = too_deep_at(text);
  if (at != std::string::npos) {
    throw nlohmann::json::parse_error::create(
        101, at + 1, "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels", nullptr);
  }
  return nlohmann::json::parse(text);
}

std::optional<nlohmann::json> try_parse_bounded_json(const std::string& text) {
  if (too_deep_at(text) != std::string::npos) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

}  // namespace alexnet
