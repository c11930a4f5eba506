# Writes a C++ file holding every preset JSON file as a string (run at build time
# so that editing a preset rebuilds the program). Inputs: OUTPUT, PRESETS (paths joined by |).
string(REPLACE "|" ";" PRESETS "${PRESETS}")
set(body "")
foreach(file IN LISTS PRESETS)
  get_filename_component(name "${file}" NAME_WE)
  file(READ "${file}" text)
  string(APPEND body "    {\"${name}\", R\"alexnet_json(${text})alexnet_json\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from resources/presets by core/spec/embed_presets.cmake. Do not edit.
#include <string>
#include <utility>
#include <vector>
namespace alexnet {
const std::vector<std::pair<std::string, std::string>>& embedded_preset_json() {
  static const std::vector<std::pair<std::string, std::string>> presets = {
${body}  };
  return presets;
}
}  // namespace alexnet
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
