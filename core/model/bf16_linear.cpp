#include "bf16_linear.h"

#include "bf16_gemm.h"

namespace alexnet {

namespace {

class Bf16Linear : public torch::autograd::Function<Bf16Linear> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& weight, const torch::Tensor& bias) {
    const std::int64_t rows = x.size(0), in = x.size(1), out = weight.size(0);
    const torch::Tensor x16 = bf16_copy(x);
    const torch::Tensor w16 = bf16_copy(weight);
    // y starts as the bias and the product is added to it (beta = 1).
    torch::Tensor y = bias.unsqueeze(0).expand({rows, out}).contiguous();
    bf16_gemm('N', 'T', rows, out, in, x16, in, w16, in, 1.0f, y, "bf16_gemm");
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
      bf16_gemm('N', 'N', rows, in, out, g16, out, w16, in, 0.0f, grad_x, "bf16_gemm");
    }
    torch::Tensor grad_w = torch::empty({out, in}, grad.options());
    bf16_gemm('T', 'N', out, in, rows, g16, out, x16, in, 0.0f, grad_w, "bf16_gemm_weight_grad");
    return {grad_x, grad_w, grad.sum(0)};
  }
};

}  // namespace

torch::Tensor bf16_linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  TORCH_CHECK(x.dim() == 2 && weight.dim() == 2 && bias.dim() == 1 && x.size(1) == weight.size(1) &&
                  bias.size(0) == weight.size(0),
              "bf16_linear: expected [N, in], [out, in], [out]");
  TORCH_CHECK(
      x.scalar_type() == torch::kFloat && weight.scalar_type() == torch::kFloat && bias.scalar_type() == torch::kFloat,
      "bf16_linear: expected float32 input, weights and bias");
  return Bf16Linear::apply(x, weight, bias);
}

}  // namespace alexnet
