// Data parallelism's one exchange per step: a model's gradients averaged over
// the ranks, overlapped with backward. c10d::Reducer, which does this for
// PyTorch's DDP, cannot be used from C++ in libtorch 1.13, so this is our own
// small reducer in its manner:
// - The parameters fall into units in reverse order (the order backward
//   reaches them): a large parameter is a unit of its own, summed in place in
//   its gradient; small ones share a bucket their gradients are copied into.
// - A hook on each parameter's gradient accumulator fires once autograd has
//   stored the gradient; a unit's sum starts as soon as all of its gradients
//   are there, while backward goes on with the layers below.
// - Backward runs on the loss divided by the ranks, so the gradients come out
//   divided already and the sums are the means (Gloo has no average): no pass
//   over 100 MB of gradients after the sums.
// Every rank starts its units' sums in the same order (unit 0, 1, ...),
// whatever order its hooks fire in: Gloo pairs the ranks' collectives by
// their order. The step's loss travels in the last unit, always a bucket, so
// every rank sees the same mean loss and decides the same way about divergence.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "dist/cluster.h"

namespace torch::autograd {
struct Node;
}

namespace alexnet {

class GradientAverager {
 public:
  // A parameter at least this large is summed in place (copying 100 MB into a
  // bucket on the backward thread cost more than the sum it overlapped); the
  // smaller ones share buckets of at most this many values.
  static constexpr std::int64_t kInPlaceValues = std::int64_t(1) << 18;  // 1 MB of float32
  static constexpr std::int64_t kBucketValues = std::int64_t(1) << 18;

  GradientAverager(Cluster& cluster, std::vector<torch::Tensor> parameters,
                   std::int64_t in_place_values = kInPlaceValues, std::int64_t bucket_values = kBucketValues);
  ~GradientAverager();
  GradientAverager(const GradientAverager&) = delete;  // the hooks hold `this`
  GradientAverager& operator=(const GradientAverager&) = delete;

  // Backward from `loss`, after which every parameter's gradient is the mean
  // over the ranks; gradients from before are replaced, not added to. A small
  // parameter's gradient is left as a view into its bucket, valid until the
  // next call. Returns the mean of `loss_value` over the ranks. One process
  // alone: loss.backward() and `loss_value`.
  double backward(const torch::Tensor& loss, double loss_value);

  // The time the exchange adds to a step: copies into the buckets inside
  // backward, then waiting for the sums still running once backward is done.
  // The sums themselves run beside backward on Gloo's threads.
  double seconds() const { return seconds_; }
  std::int64_t calls() const { return calls_; }
  std::int64_t bytes_per_call() const { return values_ * 4; }
  std::size_t units() const { return units_.size(); }

 private:
  struct Unit {
    std::vector<std::size_t> parameters;
    bool in_place = false;              // one parameter, summed in its gradient
    torch::Tensor bucket;               // otherwise: their gradients in a row (and the loss, in the last unit)
    std::vector<std::int64_t> offsets;  // of each parameter in the bucket
    std::size_t waiting = 0;            // gradients not yet there this step
    std::function<void()> wait;         // for the sum started on it this step
  };

  void on_gradient(std::size_t parameter);  // a hook: the gradient is stored
  void start_ready_units();                 // in unit order, as far as they are complete
  torch::Tensor& gradient_of(std::size_t parameter);

  Cluster& cluster_;
  std::vector<torch::Tensor> parameters_;
  std::vector<Unit> units_;
  std::vector<std::size_t> unit_of_;  // per parameter
  std::vector<std::size_t> slot_of_;  // per parameter: its place in its unit
  std::vector<bool> arrived_;         // per parameter, this step
  // Held so that autograd keeps the same accumulators (and our hooks on them)
  // from one step's graph to the next.
  std::vector<std::shared_ptr<torch::autograd::Node>> accumulators_;
  std::vector<std::uintptr_t> hooks_;
  std::size_t next_to_start_ = 0;
  std::int64_t values_ = 0;
  double hook_seconds_ = 0;  // this step's copies, made inside backward
  double seconds_ = 0;
  std::int64_t calls_ = 0;
};

}  // namespace alexnet
