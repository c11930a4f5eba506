#include "fused_max_pool.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include <ATen/Parallel.h>

namespace alexnet {

namespace {

struct PoolGeometry {
  std::int64_t planes, height, width, out_height, out_width;
  int kernel, stride;
};

PoolGeometry geometry_of(const torch::Tensor& x, int kernel, int stride) {
  PoolGeometry g;
  g.planes = x.size(0) * x.size(1);
  g.height = x.size(2);
  g.width = x.size(3);
  g.out_height = (g.height - kernel) / stride + 1;
  g.out_width = (g.width - kernel) / stride + 1;
  g.kernel = kernel;
  g.stride = stride;
  return g;
}

// Planes per task: enough that small maps (3 x 3) do not drown in scheduling.
std::int64_t grain_for(const PoolGeometry& g) {
  return std::max<std::int64_t>(1, 16384 / std::max<std::int64_t>(1, g.height * g.width));
}

// torch's rule (MaxPoolKernel.cpp): start at the window's first index with
// -inf, take a value that is larger or NaN.
template <typename T>
void pool_forward(const PoolGeometry& g, const T* x, T* y, std::int32_t* indices) {
  const std::int64_t in_plane = g.height * g.width;
  const std::int64_t out_plane = g.out_height * g.out_width;
  at::parallel_for(0, g.planes, grain_for(g), [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t plane = begin; plane < end; ++plane) {
      const T* in = x + plane * in_plane;
      T* out = y + plane * out_plane;
      std::int32_t* index = indices + plane * out_plane;
      for (std::int64_t oh = 0; oh < g.out_height; ++oh) {
        for (std::int64_t ow = 0; ow < g.out_width; ++ow) {
          const std::int64_t h0 = oh * g.stride;
          const std::int64_t w0 = ow * g.stride;
          std::int64_t best_index = h0 * g.width + w0;
          T best = -std::numeric_limits<T>::infinity();
          for (int kh = 0; kh < g.kernel; ++kh) {
            const std::int64_t row = (h0 + kh) * g.width;
            for (int kw = 0; kw < g.kernel; ++kw) {
              const std::int64_t at = row + w0 + kw;
              const T value = in[at];
              if (value > best || std::isnan(value)) {
                best = value;
                best_index = at;
              }
            }
          }
          out[oh * g.out_width + ow] = best;
          index[oh * g.out_width + ow] = static_cast<std::int32_t>(best_index);
        }
      }
    }
  });
}

// Each window's gradient goes to its maximum; windows overlap, so a value can
// collect from several, added in output order as torch does.
template <typename T>
void pool_backward(const PoolGeometry& g, const T* grad_out, const std::int32_t* indices, T* grad_in) {
  const std::int64_t in_plane = g.height * g.width;
  const std::int64_t out_plane = g.out_height * g.out_width;
  at::parallel_for(0, g.planes, grain_for(g), [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t plane = begin; plane < end; ++plane) {
      T* in = grad_in + plane * in_plane;
      std::fill(in, in + in_plane, T(0));
      const T* out = grad_out + plane * out_plane;
      const std::int32_t* index = indices + plane * out_plane;
      for (std::int64_t o = 0; o < out_plane; ++o) in[index[o]] += out[o];
    }
  });
}

class FusedMaxPool : public torch::autograd::Function<FusedMaxPool> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input, int64_t kernel,
                               int64_t stride) {
    const torch::Tensor x = input.contiguous();
    const PoolGeometry g = geometry_of(x, int(kernel), int(stride));
    torch::Tensor y = torch::empty({x.size(0), x.size(1), g.out_height, g.out_width}, x.options());
    torch::Tensor indices = torch::empty(y.sizes(), x.options().dtype(torch::kInt));
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "fused_max_pool_forward", [&] {
      pool_forward<scalar_t>(g, x.data_ptr<scalar_t>(), y.data_ptr<scalar_t>(), indices.data_ptr<std::int32_t>());
    });
    ctx->save_for_backward({indices});
    ctx->saved_data["sizes"] = x.sizes();
    ctx->saved_data["kernel"] = kernel;
    ctx->saved_data["stride"] = stride;
    return y;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const torch::Tensor indices = ctx->get_saved_variables()[0];
    const std::vector<int64_t> sizes = ctx->saved_data["sizes"].toIntVector();
    const torch::Tensor grad = grads[0].contiguous();
    torch::Tensor grad_in = torch::empty(sizes, grad.options());
    const PoolGeometry g =
        geometry_of(grad_in, int(ctx->saved_data["kernel"].toInt()), int(ctx->saved_data["stride"].toInt()));
    AT_DISPATCH_FLOATING_TYPES(grad.scalar_type(), "fused_max_pool_backward", [&] {
      pool_backward<scalar_t>(g, grad.data_ptr<scalar_t>(), indices.data_ptr<std::int32_t>(),
                              grad_in.data_ptr<scalar_t>());
    });
    return {grad_in, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor fused_max_pool2d(const torch::Tensor& x, int kernel, int stride) {
  TORCH_CHECK(x.dim() == 4, "fused_max_pool2d: expected [N, C, H, W], got ", x.dim(), " dimensions");
  TORCH_CHECK(kernel >= 1 && stride >= 1, "fused_max_pool2d: kernel and stride must be positive");
  TORCH_CHECK(x.size(2) >= kernel && x.size(3) >= kernel, "fused_max_pool2d: the window is larger than the map");
  TORCH_CHECK(x.size(2) * x.size(3) <= std::numeric_limits<std::int32_t>::max(), "fused_max_pool2d: map too large");
  if (x.scalar_type() != torch::kFloat && x.scalar_type() != torch::kDouble) {
    return torch::max_pool2d(x, kernel, stride);  // bfloat16, half: torch's own
  }
  return FusedMaxPool::apply(x, int64_t(kernel), int64_t(stride));
}

}  // namespace alexnet
