#include "bf16_gemm.h"

#include "platform/simd_clones.h"

#include <cstring>
#include <vector>

#include <ATen/Parallel.h>
#include <ATen/record_function.h>

// oneDNN's C API (libdnnl, which libtorch itself links): row-major
// C = alpha · op(A) · op(B) + beta · C with bf16 A and B and a float32 C, so
// products land in float32 without a cast. Declared here because Debian ships
// the library without its headers.
extern "C" int dnnl_gemm_bf16bf16f32(char transa, char transb, std::int64_t m, std::int64_t n, std::int64_t k,
                                     float alpha, const std::uint16_t* a, std::int64_t lda, const std::uint16_t* b,
                                     std::int64_t ldb, float beta, float* c, std::int64_t ldc);

namespace alexnet {

namespace {

ALEXNET_CLONES void to_bf16(const float* __restrict in, std::uint16_t* __restrict out, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, in + i, sizeof bits);
    const std::uint32_t rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
    const bool nan = (bits & 0x7fffffffu) > 0x7f800000u;
    out[i] = nan ? static_cast<std::uint16_t>((bits >> 16) | 0x40u) : static_cast<std::uint16_t>(rounded);
  }
}

}  // namespace

std::uint16_t* bf16_bits(const torch::Tensor& t) {
  return reinterpret_cast<std::uint16_t*>(t.data_ptr<at::BFloat16>());
}

void round_to_bf16(const float* in, std::uint16_t* out, std::int64_t n) { to_bf16(in, out, n); }

// torch's own cast took about 9 ms for fc7's 16.8 M weights inside a training
// step (twice what the memory traffic needs); this one is a single parallel pass.
torch::Tensor bf16_copy(const torch::Tensor& x) {
  RECORD_FUNCTION("bf16_copy", std::vector<c10::IValue>());
  const torch::Tensor in = x.contiguous();
  torch::Tensor out = torch::empty(in.sizes(), in.options().dtype(torch::kBFloat16));
  const float* src = in.data_ptr<float>();
  std::uint16_t* dst = bf16_bits(out);
  at::parallel_for(0, in.numel(), 65536,
                   [&](std::int64_t begin, std::int64_t end) { to_bf16(src + begin, dst + begin, end - begin); });
  return out;
}

void bf16_gemm(char transa, char transb, std::int64_t m, std::int64_t n, std::int64_t k, const torch::Tensor& a,
               std::int64_t lda, const torch::Tensor& b, std::int64_t ldb, float beta, torch::Tensor& c,
               const char* label) {
  RECORD_FUNCTION(label, std::vector<c10::IValue>());
  const int status = dnnl_gemm_bf16bf16f32(transa, transb, m, n, k, 1.0f, bf16_bits(a), lda, bf16_bits(b), ldb, beta,
                                           c.data_ptr<float>(), n);
  TORCH_CHECK(status == 0, "oneDNN's bf16 matrix product (", label, ") failed: dnnl status ", status);
}

}  // namespace alexnet
