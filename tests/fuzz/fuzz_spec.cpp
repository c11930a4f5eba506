// A variant spec in JSON, then everything the program does with an accepted
// one before building it: validation, shapes, parameter count.
#include <string>

#include "spec_json.h"
#include "variant_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    alexnet::VariantSpec spec = alexnet::spec_from_json_text(text, "fuzz.json");
    alexnet::validate(spec);
    (void)alexnet::infer_shapes(spec);
    (void)alexnet::spec_from_json(alexnet::spec_to_json(spec), "round trip");
  } catch (const alexnet::SpecError&) {
  }
  return 0;
}
