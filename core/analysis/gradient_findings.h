// What the gradient instruments say about one variant: gradients that explode
// or vanish on their way down, and a learning rate too high or too low for
// the weights it moves (the update-to-weight ratio). Part of the findings
// engine; torch-free like it.
#pragma once

#include <string>
#include <vector>

#include "analysis/findings_engine.h"

namespace alexnet {

std::vector<Finding> detect_gradient_findings(const FindingsContext& context, const std::string& variant,
                                              const std::vector<RecordPoint>& records,
                                              const std::vector<GradientRecord>& gradients);

}  // namespace alexnet
