#include "dist/gradient_averager.h"

#include <chrono>

namespace alexnet {

GradientAverager::GradientAverager(Cluster& cluster, std::vector<torch::Tensor> parameters)
    : cluster_(cluster), parameters_(std::move(parameters)) {
  if (!cluster_.distributed()) return;
  std::int64_t total = 1;  // the loss
  for (const torch::Tensor& p : parameters_) total += p.numel();
  flat_ = torch::zeros({total}, torch::kFloat32);
}

double GradientAverager::average(double loss) {
  if (!cluster_.distributed()) return loss;
  const auto start = std::chrono::steady_clock::now();
  std::int64_t offset = 0;
  for (const torch::Tensor& p : parameters_) {
    torch::Tensor slot = flat_.narrow(0, offset, p.numel());
    if (p.grad().defined()) {
      slot.copy_(p.grad().reshape({-1}));
    } else {
      slot.zero_();  // a parameter this step did not reach
    }
    offset += p.numel();
  }
  flat_[offset] = static_cast<float>(loss);
  cluster_.sum(flat_);  // waits: the buffer is only read once the sum is complete
  flat_.div_(static_cast<double>(cluster_.size()));
  offset = 0;
  for (torch::Tensor p : parameters_) {
    const torch::Tensor slot = flat_.narrow(0, offset, p.numel()).view(p.sizes());
    if (p.grad().defined()) {
      p.mutable_grad().copy_(slot);
    } else {
      p.mutable_grad() = slot.clone();  // its own storage: a view into the buffer would change under the next sum
    }
    offset += p.numel();
  }
  const double mean_loss = flat_[offset].item<double>();
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ++calls_;
  return mean_loss;
}

}  // namespace alexnet
