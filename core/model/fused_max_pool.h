// Max pooling over square windows without padding (AlexNet's overlapping
// 3 x 3, stride 2), forward and backward, one pass over each plane.
//
// torch 1.13's CPU max_pool2d took 7-11 ms for original's conv1 maps at batch 64
// (1.4 M values) on our 2-core machine, about as long as the convolution before
// it. This computes the same thing: the same maxima, the same index for each
// window (the first maximum in row-major order, or the first NaN), and the same
// gradient routing and summation order, so results are bit-identical to torch's
// (a test checks values, indices and gradients, with ties and NaNs).
#pragma once

#include "torch_api.h"

namespace alexnet {

// x: [N, C, H, W]; float and double take the fused path, other types torch's
// own max_pool2d. Output [N, C, (H - kernel) / stride + 1, (W - kernel) / stride + 1].
torch::Tensor fused_max_pool2d(const torch::Tensor& x, int kernel, int stride);

}  // namespace alexnet
