// Which weights of a trained variant a command or view uses: those at the end
// of training (the run's last checkpoint), or the best by validation accuracy
// on the probe set, which every run with a validation split keeps beside them.
#pragma once

#include <string>

namespace alexnet {

enum class Weights { Last, Best };

std::string weights_name(Weights w);                 // last, best
Weights weights_from_name(const std::string& name);  // throws std::invalid_argument

}  // namespace alexnet
