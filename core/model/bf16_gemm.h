// What the bfloat16 layers (bf16_linear, bf16_conv) share: float32 -> bf16
// rounding and oneDNN's bf16 matrix product that accumulates and writes
// float32, so nothing but the operands is ever rounded.
#pragma once

#include <cstdint>

#include "torch_api.h"

namespace alexnet {

// A bf16 copy of a float32 tensor, rounded to nearest even as c10::BFloat16
// rounds (NaN stays NaN), in one parallel pass.
torch::Tensor bf16_copy(const torch::Tensor& x);

// float32 -> bf16 over n values (the loop bf16_copy runs).
void round_to_bf16(const float* in, std::uint16_t* out, std::int64_t n);

// A bf16 tensor's storage as raw bits, for the kernels that fill it.
std::uint16_t* bf16_bits(const torch::Tensor& t);

// Row-major c (float32, [m, n], leading dimension n) = op(a) · op(b) + beta · c,
// a and b bf16 with leading dimensions lda and ldb as stored; trans 'N' or 'T'.
// `label` names the product in a profiler trace.
void bf16_gemm(char transa, char transb, std::int64_t m, std::int64_t n, std::int64_t k, const torch::Tensor& a,
               std::int64_t lda, const torch::Tensor& b, std::int64_t ldb, float beta, torch::Tensor& c,
               const char* label);

}  // namespace alexnet
