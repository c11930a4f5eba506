// A 2-D convolution whose products run in bfloat16 (AMX where the CPU has it)
// while its input, weights, bias, output and gradients stay float32.
//
// torch's float32 convolutions reach 200-300 GFLOP/s on our 2-core Xeon, and
// its bf16 ones barely help in backward, where two thirds of the time goes.
// Here each convolution is one matrix product over an unfolded input
// (im2col, rounded to bf16 as it is unfolded) through oneDNN's bf16 GEMM,
// which runs at 800+ GFLOP/s on the same cores; its backward is two more such
// products. Only the unfolded input, the weights and the output gradient are
// rounded; products accumulate in float32.
#pragma once

#include <cstdint>

#include "torch_api.h"

namespace alexnet {

// y = conv2d(x, weight, bias, stride, padding) for x [N, C, H, W], weight
// [O, C, K, K] (square kernel, equal stride and padding on both axes), bias [O].
torch::Tensor bf16_conv2d(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                          std::int64_t stride, std::int64_t padding);

// The same convolution through oneDNN's own bf16 convolution (torch's conv2d
// on bf16 copies of x and the weights; the bias is added in float32). Its
// output and gradients are rounded to bf16 on the way back to float32, but
// for layers with few filters it is the faster of the two: original's conv2
// (100 filters, 5 x 5 on 7 x 7 maps) 18.3 -> 9.9 ms forward and backward,
// where unfolding took it to 29 ms.
torch::Tensor onednn_bf16_conv2d(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                                 std::int64_t stride, std::int64_t padding);

}  // namespace alexnet
