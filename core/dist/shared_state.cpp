#include "dist/shared_state.h"

#include <sstream>

namespace alexnet {

namespace {

template <typename Serialisable>
void share(Cluster& cluster, Serialisable& value) {
  std::ostringstream out;
  if (cluster.rank() == 0) torch::save(value, out);
  std::istringstream in(cluster.broadcast_bytes(out.str()));
  if (cluster.rank() != 0) torch::load(value, in);
}

}  // namespace

void share_training_state(Cluster& cluster, std::vector<VariantState>& variants, RunPosition& position) {
  if (!cluster.distributed()) return;
  for (VariantState& v : variants) {
    share(cluster, v.model);
    share(cluster, *v.optimizer);
  }
  std::vector<double> numbers = {double(position.iteration), position.rate_scale};
  for (const VariantState& v : variants) numbers.push_back(v.diverged ? 1.0 : 0.0);
  torch::Tensor shared = torch::tensor(numbers, torch::kFloat64);
  cluster.broadcast(shared);
  position.iteration = static_cast<std::int64_t>(shared[0].item<double>());
  position.rate_scale = shared[1].item<double>();
  for (std::size_t i = 0; i < variants.size(); ++i) {
    variants[i].diverged = shared[static_cast<std::int64_t>(i) + 2].item<double>() != 0;
  }
}

}  // namespace alexnet
