#include "json_text.h"

namespace alexnet {

nlohmann::json parse_bounded_json(const std::string& text) {
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
      if (++depth > kMaxJsonDepth) {
        throw nlohmann::json::parse_error::create(
            101, i + 1, "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels", nullptr);
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return nlohmann::json::parse(text);
}

}  // namespace alexnet
