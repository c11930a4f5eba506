// `sweep --show`: a sweep's table of trials, its best settings and what
// matters, as text or as one JSON object.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "sweep/sweep_folder.h"

namespace alexnet::cli {

std::string sweep_table(const Sweep& sweep);
nlohmann::json sweep_json(const Sweep& sweep);

}  // namespace alexnet::cli
