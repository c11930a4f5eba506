// Precompiled header for every target that uses libtorch (see CMakeLists.txt):
// <torch/torch.h> alone costs ~15 s and ~1.5 GB per translation unit otherwise.
#pragma once
#include "torch_api.h"
#include <nlohmann/json.hpp>
