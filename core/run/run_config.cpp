#include "run/run_config.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "errors.h"
#include "io/json_text.h"
#include "run/run_paths.h"

namespace alexnet {

ExperimentConfig read_run_config(const std::string& run_dir) {
  const std::string path = (std::filesystem::path(run_dir) / "config.json").string();
  if (!run_file_exists(run_dir, "config.json")) {
    throw StoreError(run_dir + " is not a run folder: it has no config.json");
  }
  const std::string text = read_run_file(run_dir, "config.json");  // a link leading out is refused
  ExperimentConfig config;
  try {
    config = config_from_json(parse_bounded_json(text));
  } catch (const std::exception& e) {
    throw StoreError(path + " is damaged: " + e.what());
  }
  config.out_dir = run_dir;
  return config;
}

}  // namespace alexnet
