// A fully connected layer whose matrix products run in bfloat16 (AMX on Intel
// CPUs that have it) while its weights, bias and gradients stay float32.
//
// At batch 64, original's fc7 (4096 x 4096) takes about 40 ms per training
// step in float32 on our 2-core Xeon, its three products at 100-160 GFLOP/s;
// in bf16 the same products take about 12 ms. Unlike autocast, which also
// casts every convolution's weights and activations back and forth, only this
// layer's input, weights and output gradient are rounded to bf16 (products
// accumulate in float32); the optimizer keeps float32 master weights.
#pragma once

#include "torch_api.h"

namespace alexnet {

// y = x · weightᵀ + bias with x, weight, bias float32 ([N, in], [out, in], [out]).
torch::Tensor bf16_linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);

}  // namespace alexnet
