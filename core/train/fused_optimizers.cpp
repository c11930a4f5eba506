#include "fused_optimizers.h"

#include "platform/simd_clones.h"

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>

#include <ATen/Parallel.h>

namespace alexnet {

namespace {

// torch 1.13's SGD: d = g + wd·p; buf = d on the first step, else buf·m + d; p -= lr·buf.
ALEXNET_CLONES void sgd_elements(float* __restrict p, const float* __restrict g, float* __restrict buf, std::int64_t n,
                                 float weight_decay, float momentum, float neg_lr, bool first) {
  if (first) {
    for (std::int64_t i = 0; i < n; ++i) {
      const float d = g[i] + weight_decay * p[i];
      buf[i] = d;
      p[i] = p[i] + neg_lr * d;
    }
    return;
  }
  for (std::int64_t i = 0; i < n; ++i) {
    const float d = g[i] + weight_decay * p[i];
    const float b = buf[i] * momentum + d;
    buf[i] = b;
    p[i] = p[i] + neg_lr * b;
  }
}

// torch 1.13's Adam (L2 weight decay added to the gradient, no AMSGrad):
// m = m·b1 + (1-b1)·d; v = v·b2 + (1-b2)·d²; p -= lr/bc1 · m / (sqrt(v)/sqrt(bc2) + eps).
ALEXNET_CLONES void adam_elements(float* __restrict p, const float* __restrict g, float* __restrict m,
                                  float* __restrict v, std::int64_t n, float weight_decay, float beta1,
                                  float one_minus_beta1, float beta2, float one_minus_beta2,
                                  float sqrt_bias_correction2, float eps, float neg_step_size) {
  for (std::int64_t i = 0; i < n; ++i) {
    const float d = g[i] + weight_decay * p[i];
    const float mi = m[i] * beta1 + one_minus_beta1 * d;
    const float vi = v[i] * beta2 + one_minus_beta2 * d * d;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] + neg_step_size * (mi / (std::sqrt(vi) / sqrt_bias_correction2 + eps));
  }
}

// Elements per task: big enough that a bias vector stays on one thread.
constexpr std::int64_t kGrain = 32768;

bool fusable(const torch::Tensor& t) { return t.defined() && t.scalar_type() == torch::kFloat && t.is_contiguous(); }

// torch's key for a parameter's state (optimizer.cpp).
std::string state_key(const torch::Tensor& p) { return c10::guts::to_string(p.unsafeGetTensorImpl()); }

// Every parameter with a gradient, and its state where it has one, is contiguous float32.
template <typename State, typename Buffers>
bool all_fusable(const std::vector<torch::optim::OptimizerParamGroup>& groups,
                 const ska::flat_hash_map<std::string, std::unique_ptr<torch::optim::OptimizerParamState>>& state,
                 Buffers buffers) {
  for (const auto& group : groups) {
    for (const auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      if (!fusable(p) || !fusable(p.grad())) return false;
      const auto found = state.find(state_key(p));
      if (found == state.end()) continue;
      for (const torch::Tensor& b : buffers(static_cast<const State&>(*found->second))) {
        if (!fusable(b) || b.numel() != p.numel()) return false;
      }
    }
  }
  return true;
}

// The frame both steps share: the closure's loss under grad mode, then
// `update(options, parameter, state slot)` for every parameter with a gradient.
template <typename Options, typename Update>
torch::Tensor for_each_parameter(torch::optim::Optimizer& optimizer,
                                 const torch::optim::Optimizer::LossClosure& closure, Update&& update) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : optimizer.param_groups()) {
    const auto& options = static_cast<const Options&>(group.options());
    for (auto& p : group.params()) {
      if (p.grad().defined()) update(options, p, optimizer.state()[state_key(p)]);
    }
  }
  return loss;
}

}  // namespace

torch::Tensor FusedSGD::step(LossClosure closure) {
  auto buffers = [](const torch::optim::SGDParamState& s) { return std::vector<torch::Tensor>{s.momentum_buffer()}; };
  bool supported = all_fusable<torch::optim::SGDParamState>(param_groups(), state(), buffers);
  for (auto& group : param_groups()) {
    const auto& o = static_cast<const torch::optim::SGDOptions&>(group.options());
    supported = supported && o.momentum() != 0 && o.dampening() == 0 && !o.nesterov();
  }
  if (!supported) return torch::optim::SGD::step(std::move(closure));

  return for_each_parameter<torch::optim::SGDOptions>(*this, closure, [](const auto& o, torch::Tensor& p, auto& slot) {
    const bool first = !slot;
    if (first) {
      auto s = std::make_unique<torch::optim::SGDParamState>();
      s->momentum_buffer(torch::empty_like(p, torch::MemoryFormat::Contiguous));
      slot = std::move(s);
    }
    torch::Tensor buffer = static_cast<torch::optim::SGDParamState&>(*slot).momentum_buffer();
    float* pd = p.data_ptr<float>();
    const float* gd = p.grad().data_ptr<float>();
    float* bd = buffer.data_ptr<float>();
    const float wd = static_cast<float>(o.weight_decay());
    const float momentum = static_cast<float>(o.momentum());
    const float neg_lr = static_cast<float>(-o.lr());
    at::parallel_for(0, p.numel(), kGrain, [&](std::int64_t begin, std::int64_t end) {
      sgd_elements(pd + begin, gd + begin, bd + begin, end - begin, wd, momentum, neg_lr, first);
    });
  });
}

torch::Tensor FusedAdam::step(LossClosure closure) {
  auto buffers = [](const torch::optim::AdamParamState& s) {
    return std::vector<torch::Tensor>{s.exp_avg(), s.exp_avg_sq()};
  };
  bool supported = all_fusable<torch::optim::AdamParamState>(param_groups(), state(), buffers);
  for (auto& group : param_groups()) {
    supported = supported && !static_cast<const torch::optim::AdamOptions&>(group.options()).amsgrad();
  }
  if (!supported) return torch::optim::Adam::step(std::move(closure));

  return for_each_parameter<torch::optim::AdamOptions>(*this, closure, [](const auto& o, torch::Tensor& p, auto& slot) {
    if (!slot) {
      auto s = std::make_unique<torch::optim::AdamParamState>();
      s->step(0);
      s->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
      s->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
      slot = std::move(s);
    }
    auto& s = static_cast<torch::optim::AdamParamState&>(*slot);
    s.step(s.step() + 1);
    const double beta1 = std::get<0>(o.betas());
    const double beta2 = std::get<1>(o.betas());
    const double bias_correction1 = 1 - std::pow(beta1, s.step());
    const double bias_correction2 = 1 - std::pow(beta2, s.step());
    float* pd = p.data_ptr<float>();
    const float* gd = p.grad().data_ptr<float>();
    float* md = s.exp_avg().data_ptr<float>();
    float* vd = s.exp_avg_sq().data_ptr<float>();
    const float wd = static_cast<float>(o.weight_decay());
    const float b1 = static_cast<float>(beta1);
    const float one_minus_b1 = static_cast<float>(1 - beta1);
    const float b2 = static_cast<float>(beta2);
    const float one_minus_b2 = static_cast<float>(1 - beta2);
    const float sqrt_bc2 = static_cast<float>(std::sqrt(bias_correction2));
    const float eps = static_cast<float>(o.eps());
    const float neg_step = static_cast<float>(-o.lr() / bias_correction1);
    at::parallel_for(0, p.numel(), kGrain, [&](std::int64_t begin, std::int64_t end) {
      adam_elements(pd + begin, gd + begin, md + begin, vd + begin, end - begin, wd, b1, one_minus_b1, b2, one_minus_b2,
                    sqrt_bc2, eps, neg_step);
    });
  });
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const ExperimentConfig& config,
                                                        std::vector<torch::Tensor> parameters) {
  if (config.optimizer == OptimizerKind::Adam) {
    return std::make_unique<FusedAdam>(
        std::move(parameters), torch::optim::AdamOptions(config.learning_rate).weight_decay(config.weight_decay));
  }
  return std::make_unique<FusedSGD>(
      std::move(parameters),
      torch::optim::SGDOptions(config.learning_rate).momentum(config.momentum).weight_decay(config.weight_decay));
}

void release_gradients(torch::optim::Optimizer& optimizer) {
  for (auto& group : optimizer.param_groups()) {
    for (auto& p : group.params()) p.mutable_grad() = torch::Tensor();
  }
}

}  // namespace alexnet
