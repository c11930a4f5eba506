// The built-in variants: the report's three and its three failed "other models".
// Their JSON is compiled in from resources/presets/ (see CMakeLists.txt), so the
// files that ship and the presets the program knows cannot drift apart.
#pragma once

#include <string>
#include <vector>

#include "spec/variant_spec.h"

namespace alexnet {

// In display order: original, tanh, small, no-conv2, no-conv345, one-fc.
std::vector<std::string> preset_names();

bool is_preset(const std::string& name);

// Throws SpecError for an unknown name (listing the known ones).
VariantSpec preset(const std::string& name);

// A preset name or the path of a JSON spec file. Input size and classes, when
// positive, override the spec's own and the result is validated again.
VariantSpec resolve_variant(const std::string& name_or_path, int input_size = 0, int classes = 0);

}  // namespace alexnet
