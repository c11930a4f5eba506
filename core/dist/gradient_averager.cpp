#include "dist/gradient_averager.h"

#include <chrono>

#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>

namespace alexnet {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Runs after an accumulator has stored its parameter's gradient.
struct GradientStored : torch::autograd::FunctionPostHook {
  explicit GradientStored(std::function<void()> stored) : stored_(std::move(stored)) {}
  torch::autograd::variable_list operator()(const torch::autograd::variable_list& outputs,
                                            const torch::autograd::variable_list&) override {
    stored_();
    return outputs;
  }
  std::function<void()> stored_;
};

}  // namespace

GradientAverager::GradientAverager(Cluster& cluster, std::vector<torch::Tensor> parameters,
                                   std::int64_t in_place_values, std::int64_t bucket_values)
    : cluster_(cluster), parameters_(std::move(parameters)) {
  if (!cluster_.distributed()) return;
  unit_of_.resize(parameters_.size());
  slot_of_.resize(parameters_.size());
  std::vector<std::int64_t> filled;  // per unit: values in its bucket
  auto open_bucket = [&] {
    units_.emplace_back();
    filled.push_back(0);
  };
  for (std::size_t k = parameters_.size(); k-- > 0;) {  // backward reaches the last layer first
    const std::int64_t n = parameters_[k].numel();
    values_ += n;
    if (n >= in_place_values) {
      units_.emplace_back();
      filled.push_back(0);
      units_.back().in_place = true;
    } else if (units_.empty() || units_.back().in_place || filled.back() + n > bucket_values) {
      open_bucket();
    }
    Unit& unit = units_.back();
    unit_of_[k] = units_.size() - 1;
    slot_of_[k] = unit.parameters.size();
    unit.parameters.push_back(k);
    if (!unit.in_place) {
      unit.offsets.push_back(filled.back());
      filled.back() += n;
    }
  }
  if (units_.empty() || units_.back().in_place) open_bucket();
  ++filled.back();  // the loss, at the end of the last bucket
  ++values_;
  for (std::size_t u = 0; u < units_.size(); ++u) {
    if (!units_[u].in_place) units_[u].bucket = torch::zeros({filled[u]}, torch::kFloat32);
  }
  arrived_.assign(parameters_.size(), false);
  for (std::size_t k = 0; k < parameters_.size(); ++k) {
    accumulators_.push_back(torch::autograd::impl::grad_accumulator(parameters_[k]));
    hooks_.push_back(
        accumulators_.back()->add_post_hook(std::make_unique<GradientStored>([this, k] { on_gradient(k); })));
  }
}

GradientAverager::~GradientAverager() {
  for (std::size_t k = 0; k < hooks_.size(); ++k) accumulators_[k]->del_post_hook(hooks_[k]);
}

torch::Tensor& GradientAverager::gradient_of(std::size_t parameter) { return parameters_[parameter].mutable_grad(); }

// On the thread running backward.
void GradientAverager::on_gradient(std::size_t parameter) {
  if (arrived_[parameter]) return;  // a second backward through the same graph is not ours
  const Clock::time_point start = Clock::now();
  Unit& unit = units_[unit_of_[parameter]];
  torch::Tensor& gradient = gradient_of(parameter);
  if (unit.in_place) {
    if (!gradient.is_contiguous()) gradient = gradient.contiguous();  // Gloo sums dense memory
  } else {
    unit.bucket.narrow(0, unit.offsets[slot_of_[parameter]], gradient.numel()).copy_(gradient.reshape({-1}));
  }
  arrived_[parameter] = true;
  if (--unit.waiting == 0) start_ready_units();
  hook_seconds_ += seconds_since(start);
}

void GradientAverager::start_ready_units() {
  while (next_to_start_ < units_.size() && units_[next_to_start_].waiting == 0) {
    Unit& unit = units_[next_to_start_++];
    unit.wait = cluster_.start_sum(unit.in_place ? gradient_of(unit.parameters.front()) : unit.bucket);
  }
}

double GradientAverager::backward(const torch::Tensor& loss, double loss_value) {
  if (!cluster_.distributed()) {
    loss.backward();
    return loss_value;
  }
  // Last step's gradients (some of them views into the buckets) go, so that
  // autograd stores new ones instead of adding into memory being summed.
  for (torch::Tensor& p : parameters_) p.mutable_grad() = torch::Tensor();
  for (Unit& unit : units_) unit.waiting = unit.parameters.size();
  arrived_.assign(parameters_.size(), false);
  next_to_start_ = 0;
  hook_seconds_ = 0;
  const double ranks = static_cast<double>(cluster_.size());
  Unit& last = units_.back();
  last.bucket[last.bucket.numel() - 1] = static_cast<float>(loss_value / ranks);
  if (last.waiting == 0) start_ready_units();  // a model without parameters

  (loss / ranks).backward();

  const Clock::time_point start = Clock::now();
  // A parameter this step did not reach counts as a zero gradient.
  for (std::size_t k = 0; k < parameters_.size(); ++k) {
    if (arrived_[k]) continue;
    gradient_of(k) = torch::zeros_like(parameters_[k]);
    on_gradient(k);
  }
  for (Unit& unit : units_) {
    unit.wait();
    if (unit.in_place) continue;
    for (std::size_t slot = 0; slot < unit.parameters.size(); ++slot) {
      torch::Tensor& p = parameters_[unit.parameters[slot]];
      p.mutable_grad() = unit.bucket.narrow(0, unit.offsets[slot], p.numel()).view(p.sizes());
    }
  }
  const double mean_loss = last.bucket[last.bucket.numel() - 1].item<double>();
  seconds_ += hook_seconds_ + seconds_since(start);
  ++calls_;
  return mean_loss;
}

}  // namespace alexnet
