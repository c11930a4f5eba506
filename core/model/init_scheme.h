// How a variant's weights start out. Torch-free so that the experiment
// configuration (which the window also reads) needs no libtorch header.
#pragma once

#include <string>

namespace alexnet {

enum class InitScheme {
  Kaiming,  // He init for ReLU-like nets, Xavier for tanh; zero biases
  Paper,    // AlexNet paper: N(0, 0.01) weights, biases 1 in conv2/4/5 and hidden FC, 0 elsewhere
};

std::string init_scheme_name(InitScheme s);
InitScheme init_scheme_from_name(const std::string& name);  // throws std::invalid_argument

}  // namespace alexnet
