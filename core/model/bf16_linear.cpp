#include "bf16_linear.h"

#include "simd_clones.h"

#include <cstdint>
#include <cstring>
#include <string>

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

// float32 -> bfloat16, rounding to nearest even as c10::BFloat16 does (NaN stays NaN).
ALEXNET_CLONES void to_bf16(const float* __restrict in, std::uint16_t* __restrict out, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, in + i, sizeof bits);
    const std::uint32_t rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
    const bool nan = (bits & 0x7fffffffu) > 0x7f800000u;
    out[i] = nan ? static_cast<std::uint16_t>((bits >> 16) | 0x40u) : static_cast<std::uint16_t>(rounded);
  }
}

// torch's own cast took about 9 ms for fc7's 16.8 M weights inside a training
// step (twice what the memory traffic needs); this one is a single parallel pass.
torch::Tensor bf16_copy(const torch::Tensor& x) {
  RECORD_FUNCTION("bf16_copy", std::vector<c10::IValue>());
  const torch::Tensor in = x.contiguous();
  torch::Tensor out = torch::empty(in.sizes(), in.options().dtype(torch::kBFloat16));
  const float* src = in.data_ptr<float>();
  auto* dst = reinterpret_cast<std::uint16_t*>(out.data_ptr<at::BFloat16>());
  at::parallel_for(0, in.numel(), 65536, [&](std::int64_t begin, std::int64_t end) {
    to_bf16(src + begin, dst + begin, end - begin);
  });
  return out;
}

const std::uint16_t* bits_of(const torch::Tensor& t) {
  return reinterpret_cast<const std::uint16_t*>(t.data_ptr<at::BFloat16>());
}

// c (float32, row-major, ldc = its width) = op(a) · op(b) + beta · c.
void gemm(char transa, char transb, std::int64_t m, std::int64_t n, std::int64_t k, const torch::Tensor& a,
          std::int64_t lda, const torch::Tensor& b, std::int64_t ldb, float beta, torch::Tensor& c) {
  RECORD_FUNCTION(transa == 'T' ? "bf16_gemm_weight_grad" : "bf16_gemm", std::vector<c10::IValue>());
  const int status = dnnl_gemm_bf16bf16f32(transa, transb, m, n, k, 1.0f, bits_of(a), lda, bits_of(b), ldb, beta,
                                           c.data_ptr<float>(), n);
  TORCH_CHECK(status == 0, "bf16_linear: oneDNN's bf16 matrix product failed (dnnl status ", status, ")");
}

class Bf16Linear : public torch::autograd::Function<Bf16Linear> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& weight, const torch::Tensor& bias) {
    const std::int64_t rows = x.size(0), in = x.size(1), out = weight.size(0);
    const torch::Tensor x16 = bf16_copy(x);
    const torch::Tensor w16 = bf16_copy(weight);
    // y starts as the bias and the product is added to it (beta = 1).
    torch::Tensor y = bias.unsqueeze(0).expand({rows, out}).contiguous();
    gemm('N', 'T', rows, out, in, x16, in, w16, in, 1.0f, y);
    ctx->save_for_backward({x16, w16});
    ctx->saved_data["input_grad"] = x.requires_grad();
    return y;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& x16 = saved[0];
    const torch::Tensor& w16 = saved[1];
    const torch::Tensor grad = grads[0].contiguous();
    const std::int64_t rows = x16.size(0), in = x16.size(1), out = w16.size(0);
    const torch::Tensor g16 = bf16_copy(grad);
    torch::Tensor grad_x;
    if (ctx->saved_data["input_grad"].toBool()) {
      grad_x = torch::empty({rows, in}, grad.options());
      gemm('N', 'N', rows, in, out, g16, out, w16, in, 0.0f, grad_x);
    }
    torch::Tensor grad_w = torch::empty({out, in}, grad.options());
    gemm('T', 'N', out, in, rows, g16, out, x16, in, 0.0f, grad_w);
    return {grad_x, grad_w, grad.sum(0)};
  }
};

}  // namespace

torch::Tensor bf16_linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  TORCH_CHECK(x.dim() == 2 && weight.dim() == 2 && bias.dim() == 1 && x.size(1) == weight.size(1) &&
                  bias.size(0) == weight.size(0),
              "bf16_linear: expected [N, in], [out, in], [out]");
  TORCH_CHECK(x.scalar_type() == torch::kFloat && weight.scalar_type() == torch::kFloat &&
                  bias.scalar_type() == torch::kFloat,
              "bf16_linear: expected float32 input, weights and bias");
  return Bf16Linear::apply(x, weight, bias);
}

}  // namespace alexnet
