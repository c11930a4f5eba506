// LocalResponseNorm across channels as one op, forward and backward.
//
// torch builds LRN from pad + avg_pool3d of the squares + pow + mul/div, five
// passes over memory each way with temporaries; at S = 128 it is the single
// largest layer of original-AlexNet. This does the same arithmetic in one pass
// per direction: a running window sum over channels, then the scaling.
//   scale_c = k + alpha / size * sum_{j = c - size/2 .. c + (size-1)/2} x_j^2
//   y_c = x_c * scale_c^-beta
// Same definition and padding as torch::nn::LocalResponseNorm, so the two are
// interchangeable (a test checks values and gradients in double precision).
#pragma once

#include "torch_api.h"

namespace alexnet {

// x: float or double, [N, C, ...] (any number of spatial dimensions).
torch::Tensor fused_local_response_norm(const torch::Tensor& x, int size, double alpha, double beta, double k);

}  // namespace alexnet
