#include "fused_lrn.h"

#include "platform/simd_clones.h"

#include <cmath>
#include <vector>

#include <ATen/Parallel.h>

namespace alexnet {

namespace {

// x^-beta: the paper's beta = 0.75 as two square roots, anything else with pow.
template <typename T>
inline T inverse_power(T s, T beta) {
  if (beta == T(0.75)) {
    const T r = T(1) / std::sqrt(s);
    return r * std::sqrt(r);
  }
  return std::pow(s, -beta);
}

#define ALEXNET_PLANE_KERNELS(T)                                                                                    \
  ALEXNET_CLONES void add_squares(T* acc, const T* x, std::int64_t n, T sign) {                                     \
    for (std::int64_t p = 0; p < n; ++p) acc[p] += sign * x[p] * x[p];                                              \
  }                                                                                                                 \
  ALEXNET_CLONES void add_scaled(T* acc, const T* t, std::int64_t n, T sign) {                                      \
    for (std::int64_t p = 0; p < n; ++p) acc[p] += sign * t[p];                                                     \
  }                                                                                                                 \
  ALEXNET_CLONES void forward_plane(const T* x, const T* acc, T* scale, T* y, std::int64_t n, T k, T a, T beta) {   \
    for (std::int64_t p = 0; p < n; ++p) {                                                                          \
      const T s = k + a * acc[p];                                                                                   \
      scale[p] = s;                                                                                                 \
      y[p] = x[p] * inverse_power(s, beta);                                                                         \
    }                                                                                                               \
  }                                                                                                                 \
  /* dx = g * scale^-beta (the direct part); t = g * x * scale^(-beta-1) (feeds the window sum) */                  \
  ALEXNET_CLONES void backward_plane(const T* g, const T* x, const T* scale, T* dx, T* t, std::int64_t n, T beta) { \
    for (std::int64_t p = 0; p < n; ++p) {                                                                          \
      const T w = inverse_power(scale[p], beta);                                                                    \
      dx[p] = g[p] * w;                                                                                             \
      t[p] = g[p] * x[p] * w / scale[p];                                                                            \
    }                                                                                                               \
  }                                                                                                                 \
  ALEXNET_CLONES void subtract_window(T* dx, const T* x, const T* acc, std::int64_t n, T coefficient) {             \
    for (std::int64_t p = 0; p < n; ++p) dx[p] -= coefficient * x[p] * acc[p];                                      \
  }

ALEXNET_PLANE_KERNELS(float)
ALEXNET_PLANE_KERNELS(double)

struct Geometry {
  std::int64_t batch, channels, plane;
  int before, after;  // the window around channel c: [c - before, c + after]
};

Geometry geometry_of(const torch::Tensor& x, int size) {
  Geometry g;
  g.batch = x.size(0);
  g.channels = x.size(1);
  g.plane = x.numel() / std::max<std::int64_t>(1, g.batch * g.channels);
  g.before = size / 2;
  g.after = (size - 1) / 2;
  return g;
}

template <typename T>
void lrn_forward(const Geometry& g, const T* x, T* scale, T* y, T alpha_over_size, T beta, T k) {
  at::parallel_for(0, g.batch, 1, [&](std::int64_t begin, std::int64_t end) {
    std::vector<T> acc(static_cast<std::size_t>(g.plane));
    for (std::int64_t n = begin; n < end; ++n) {
      const std::int64_t base = n * g.channels * g.plane;
      std::fill(acc.begin(), acc.end(), T(0));
      // acc holds the window of channel -1: channels 0 .. after-1.
      for (std::int64_t j = 0; j < std::min<std::int64_t>(g.after, g.channels); ++j) {
        add_squares(acc.data(), x + base + j * g.plane, g.plane, T(1));
      }
      for (std::int64_t c = 0; c < g.channels; ++c) {
        if (c + g.after < g.channels) add_squares(acc.data(), x + base + (c + g.after) * g.plane, g.plane, T(1));
        if (c - g.before - 1 >= 0) add_squares(acc.data(), x + base + (c - g.before - 1) * g.plane, g.plane, T(-1));
        const std::int64_t at = base + c * g.plane;
        forward_plane(x + at, acc.data(), scale + at, y + at, g.plane, k, alpha_over_size, beta);
      }
    }
  });
}

template <typename T>
void lrn_backward(const Geometry& g, const T* grad, const T* x, const T* scale, T* dx, T coefficient, T beta) {
  at::parallel_for(0, g.batch, 1, [&](std::int64_t begin, std::int64_t end) {
    std::vector<T> t(static_cast<std::size_t>(g.channels * g.plane));
    std::vector<T> acc(static_cast<std::size_t>(g.plane));
    for (std::int64_t n = begin; n < end; ++n) {
      const std::int64_t base = n * g.channels * g.plane;
      for (std::int64_t c = 0; c < g.channels; ++c) {
        const std::int64_t at = base + c * g.plane;
        backward_plane(grad + at, x + at, scale + at, dx + at, t.data() + c * g.plane, g.plane, beta);
      }
      // x_i appears in the windows of channels i - after .. i + before.
      std::fill(acc.begin(), acc.end(), T(0));
      for (std::int64_t j = 0; j < std::min<std::int64_t>(g.before, g.channels); ++j) {
        add_scaled(acc.data(), t.data() + j * g.plane, g.plane, T(1));
      }
      for (std::int64_t i = 0; i < g.channels; ++i) {
        if (i + g.before < g.channels) add_scaled(acc.data(), t.data() + (i + g.before) * g.plane, g.plane, T(1));
        if (i - g.after - 1 >= 0) add_scaled(acc.data(), t.data() + (i - g.after - 1) * g.plane, g.plane, T(-1));
        const std::int64_t at = base + i * g.plane;
        subtract_window(dx + at, x + at, acc.data(), g.plane, coefficient);
      }
    }
  });
}

class FusedLrn : public torch::autograd::Function<FusedLrn> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input, int64_t size,
                               double alpha, double beta, double k) {
    const torch::Tensor x = input.contiguous();
    torch::Tensor scale = torch::empty_like(x);
    torch::Tensor y = torch::empty_like(x);
    const Geometry g = geometry_of(x, int(size));
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "fused_lrn_forward", [&] {
      lrn_forward<scalar_t>(g, x.data_ptr<scalar_t>(), scale.data_ptr<scalar_t>(), y.data_ptr<scalar_t>(),
                            scalar_t(alpha / double(size)), scalar_t(beta), scalar_t(k));
    });
    ctx->save_for_backward({x, scale});
    ctx->saved_data["size"] = size;
    ctx->saved_data["alpha"] = alpha;
    ctx->saved_data["beta"] = beta;
    return y;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& x = saved[0];
    const torch::Tensor& scale = saved[1];
    const std::int64_t size = ctx->saved_data["size"].toInt();
    const double alpha = ctx->saved_data["alpha"].toDouble();
    const double beta = ctx->saved_data["beta"].toDouble();
    const torch::Tensor grad = grads[0].contiguous();
    torch::Tensor dx = torch::empty_like(x);
    const Geometry g = geometry_of(x, int(size));
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "fused_lrn_backward", [&] {
      lrn_backward<scalar_t>(g, grad.data_ptr<scalar_t>(), x.data_ptr<scalar_t>(), scale.data_ptr<scalar_t>(),
                             dx.data_ptr<scalar_t>(), scalar_t(2.0 * alpha * beta / double(size)), scalar_t(beta));
    });
    return {dx, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor fused_local_response_norm(const torch::Tensor& x, int size, double alpha, double beta, double k) {
  TORCH_CHECK(x.dim() >= 3, "fused_local_response_norm: expected [N, C, ...], got ", x.dim(), " dimensions");
  TORCH_CHECK(size >= 1, "fused_local_response_norm: size must be positive");
  if (x.scalar_type() != torch::kFloat && x.scalar_type() != torch::kDouble) {
    // bfloat16 or half: normalise in float, as torch's LRN would accumulate.
    return FusedLrn::apply(x.to(torch::kFloat), int64_t(size), alpha, beta, k).to(x.scalar_type());
  }
  return FusedLrn::apply(x, int64_t(size), alpha, beta, k);
}

}  // namespace alexnet
