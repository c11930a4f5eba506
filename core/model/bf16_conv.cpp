#include "bf16_conv.h"

#include <vector>

#include <ATen/Parallel.h>
#include <ATen/record_function.h>

#include "bf16_gemm.h"

namespace alexnet {

namespace {

// The geometry of one convolution.
struct ConvShape {
  std::int64_t batch, channels, height, width, kernel, stride, padding, out_height, out_width;
  std::int64_t unfolded_rows() const { return channels * kernel * kernel; }  // (c, kh, kw)
  std::int64_t positions() const { return batch * out_height * out_width; }  // (n, oh, ow)
  std::int64_t plane() const { return out_height * out_width; }
};

// For each kernel tap (kh, kw) and output position (oh, ow) of one image, the
// offset of the input pixel it multiplies within an input plane, or -1 where
// it falls in the padding: computed once per call, it turns unfolding and
// folding into plain gathers and scatters.
std::vector<std::int32_t> tap_offsets(const ConvShape& s) {
  std::vector<std::int32_t> offsets(s.kernel * s.kernel * s.plane());
  std::int32_t* o = offsets.data();
  for (std::int64_t kh = 0; kh < s.kernel; ++kh) {
    for (std::int64_t kw = 0; kw < s.kernel; ++kw) {
      for (std::int64_t oh = 0; oh < s.out_height; ++oh) {
        for (std::int64_t ow = 0; ow < s.out_width; ++ow) {
          const std::int64_t ih = oh * s.stride - s.padding + kh, iw = ow * s.stride - s.padding + kw;
          *o++ = ih >= 0 && ih < s.height && iw >= 0 && iw < s.width ? std::int32_t(ih * s.width + iw) : -1;
        }
      }
    }
  }
  return offsets;
}

// The unfolded input, [C·K·K, N·OH·OW] in bf16: row (c, kh, kw) holds, for
// every output position, the input pixel that kernel tap multiplies (0 in the padding).
torch::Tensor unfold_to_bf16(const torch::Tensor& x, const ConvShape& s) {
  RECORD_FUNCTION("bf16_conv_unfold", std::vector<c10::IValue>());
  const std::int64_t rows = s.unfolded_rows(), positions = s.positions(), kk = s.kernel * s.kernel;
  const std::int64_t plane = s.plane(), in_plane = s.height * s.width;
  const std::vector<std::int32_t> offsets = tap_offsets(s);
  torch::Tensor cols = torch::empty({rows, positions}, x.options().dtype(torch::kBFloat16));
  const float* in = x.data_ptr<float>();
  std::uint16_t* out = bf16_bits(cols);
  at::parallel_for(0, rows, 1, [&](std::int64_t begin, std::int64_t end) {
    std::vector<float> line(positions);  // one row in float32, rounded in one vector pass
    for (std::int64_t r = begin; r < end; ++r) {
      const std::int64_t c = r / kk;
      const std::int32_t* tap = offsets.data() + (r % kk) * plane;
      for (std::int64_t n = 0; n < s.batch; ++n) {
        const float* image = in + (n * s.channels + c) * in_plane;
        float* dst = line.data() + n * plane;
        for (std::int64_t p = 0; p < plane; ++p) dst[p] = tap[p] >= 0 ? image[tap[p]] : 0.0f;
      }
      round_to_bf16(line.data(), out + r * positions, positions);
    }
  });
  return cols;
}

// The inverse of unfolding for gradients: every unfolded entry's gradient is
// added back onto the input pixel it came from. Parallel over channels, whose
// pixels no other channel's rows touch.
torch::Tensor fold_gradient(const torch::Tensor& cols, const ConvShape& s) {
  RECORD_FUNCTION("bf16_conv_fold", std::vector<c10::IValue>());
  torch::Tensor grad = torch::zeros({s.batch, s.channels, s.height, s.width}, cols.options());
  const std::int64_t positions = s.positions(), kk = s.kernel * s.kernel;
  const std::int64_t plane = s.plane(), in_plane = s.height * s.width;
  const std::vector<std::int32_t> offsets = tap_offsets(s);
  const float* in = cols.data_ptr<float>();
  float* out = grad.data_ptr<float>();
  at::parallel_for(0, s.channels, 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t c = begin; c < end; ++c) {
      for (std::int64_t t = 0; t < kk; ++t) {
        const std::int32_t* tap = offsets.data() + t * plane;
        const float* src = in + (c * kk + t) * positions;
        for (std::int64_t n = 0; n < s.batch; ++n, src += plane) {
          float* image = out + (n * s.channels + c) * in_plane;
          for (std::int64_t p = 0; p < plane; ++p) {
            if (tap[p] >= 0) image[tap[p]] += src[p];
          }
        }
      }
    }
  });
  return grad;
}

// [N, O, OH, OW] float32 -> [O, N·OH·OW] bf16, the layout the products take.
torch::Tensor output_gradient_to_bf16(const torch::Tensor& grad, const ConvShape& s, std::int64_t filters) {
  RECORD_FUNCTION("bf16_conv_gradient_copy", std::vector<c10::IValue>());
  torch::Tensor g16 = torch::empty({filters, s.positions()}, grad.options().dtype(torch::kBFloat16));
  const float* in = grad.data_ptr<float>();
  std::uint16_t* out = bf16_bits(g16);
  const std::int64_t plane = s.plane();
  at::parallel_for(0, filters, 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t o = begin; o < end; ++o) {
      for (std::int64_t n = 0; n < s.batch; ++n) {
        round_to_bf16(in + (n * filters + o) * plane, out + o * s.positions() + n * plane, plane);
      }
    }
  });
  return g16;
}

// [O, N·OH·OW] float32 products -> [N, O, OH, OW] with the bias added.
torch::Tensor output_with_bias(const torch::Tensor& products, const torch::Tensor& bias, const ConvShape& s) {
  const std::int64_t filters = products.size(0), plane = s.plane();
  torch::Tensor y = torch::empty({s.batch, filters, s.out_height, s.out_width}, products.options());
  const float* in = products.data_ptr<float>();
  const float* b = bias.data_ptr<float>();
  float* out = y.data_ptr<float>();
  at::parallel_for(0, filters, 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t o = begin; o < end; ++o) {
      for (std::int64_t n = 0; n < s.batch; ++n) {
        const float* src = in + o * s.positions() + n * plane;
        float* dst = out + (n * filters + o) * plane;
        for (std::int64_t p = 0; p < plane; ++p) dst[p] = src[p] + b[o];
      }
    }
  });
  return y;
}

class Bf16Conv2d : public torch::autograd::Function<Bf16Conv2d> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input,
                               const torch::Tensor& weight, const torch::Tensor& bias, std::int64_t stride,
                               std::int64_t padding) {
    const torch::Tensor x = input.contiguous();
    const std::int64_t kernel = weight.size(2);
    const ConvShape s{x.size(0),
                      x.size(1),
                      x.size(2),
                      x.size(3),
                      kernel,
                      stride,
                      padding,
                      (x.size(2) + 2 * padding - kernel) / stride + 1,
                      (x.size(3) + 2 * padding - kernel) / stride + 1};
    const std::int64_t filters = weight.size(0), rows = s.unfolded_rows(), positions = s.positions();
    const torch::Tensor cols = unfold_to_bf16(x, s);
    const torch::Tensor w16 = bf16_copy(weight);  // [O, C·K·K] as stored
    torch::Tensor products = torch::empty({filters, positions}, x.options());
    bf16_gemm('N', 'N', filters, positions, rows, w16, rows, cols, positions, 0.0f, products, "bf16_conv");
    ctx->save_for_backward({cols, w16});
    ctx->saved_data["shape"] = std::vector<std::int64_t>{s.batch,  s.channels, s.height,     s.width,    s.kernel,
                                                         s.stride, s.padding,  s.out_height, s.out_width};
    ctx->saved_data["input_grad"] = input.requires_grad();
    return output_with_bias(products, bias.contiguous(), s);
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& cols = saved[0];
    const torch::Tensor& w16 = saved[1];
    const std::vector<std::int64_t> d = ctx->saved_data["shape"].toIntVector();
    const ConvShape s{d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8]};
    const torch::Tensor grad = grads[0].contiguous();
    const std::int64_t filters = w16.size(0), rows = s.unfolded_rows(), positions = s.positions();
    const torch::Tensor g16 = output_gradient_to_bf16(grad, s, filters);

    torch::Tensor grad_w = torch::empty({filters, s.channels, s.kernel, s.kernel}, grad.options());
    bf16_gemm('N', 'T', filters, rows, positions, g16, positions, cols, positions, 0.0f, grad_w,
              "bf16_conv_weight_grad");
    torch::Tensor grad_x;
    if (ctx->saved_data["input_grad"].toBool()) {
      torch::Tensor grad_cols = torch::empty({rows, positions}, grad.options());
      bf16_gemm('T', 'N', rows, positions, filters, w16, rows, g16, positions, 0.0f, grad_cols, "bf16_conv_input_grad");
      grad_x = fold_gradient(grad_cols, s);
    }
    return {grad_x, grad_w, grad.sum({0, 2, 3}), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor bf16_conv2d(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                          std::int64_t stride, std::int64_t padding) {
  TORCH_CHECK(x.dim() == 4 && weight.dim() == 4 && bias.dim() == 1 && x.size(1) == weight.size(1) &&
                  weight.size(2) == weight.size(3) && bias.size(0) == weight.size(0),
              "bf16_conv2d: expected [N, C, H, W], [O, C, K, K], [O]");
  TORCH_CHECK(
      x.scalar_type() == torch::kFloat && weight.scalar_type() == torch::kFloat && bias.scalar_type() == torch::kFloat,
      "bf16_conv2d: expected float32 input, weights and bias");
  TORCH_CHECK(stride >= 1 && padding >= 0 && x.size(2) + 2 * padding >= weight.size(2) &&
                  x.size(3) + 2 * padding >= weight.size(3),
              "bf16_conv2d: the kernel does not fit the padded input");
  return Bf16Conv2d::apply(x, weight, bias, stride, padding);
}

torch::Tensor onednn_bf16_conv2d(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                                 std::int64_t stride, std::int64_t padding) {
  const torch::Tensor y = torch::conv2d(x.to(torch::kBFloat16), weight.to(torch::kBFloat16), {}, stride, padding);
  return y.to(torch::kFloat) + bias.view({1, -1, 1, 1});
}

}  // namespace alexnet
