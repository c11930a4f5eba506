// Reading and writing VariantSpec as JSON (the spec files and config.json).
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "spec/variant_spec.h"

namespace alexnet {

// Parses and validates; every problem (syntax, unknown key, wrong type, bad
// value) becomes a SpecError whose message names the key. `origin` (a file
// name, a preset name) prefixes the message.
VariantSpec spec_from_json_text(const std::string& text, const std::string& origin);
VariantSpec spec_from_json(const nlohmann::json& j, const std::string& origin);
VariantSpec spec_from_file(const std::string& path);

nlohmann::json spec_to_json(const VariantSpec& spec);

}  // namespace alexnet
