#include "train/evaluation.h"

#include <numeric>

#include "dist/cluster.h"
#include "run/predictions.h"

namespace alexnet {

VariantResult evaluate(AlexNetImpl& model, const ImageSet& test, int classes, const TransformOptions& transform,
                       Cluster& cluster, std::vector<Prediction>* predictions) {
  torch::NoGradGuard no_grad;
  model.eval();
  const std::int64_t begin = test.size() * cluster.rank() / cluster.size();
  const std::int64_t end = test.size() * (cluster.rank() + 1) / cluster.size();
  std::vector<std::int64_t> rows(static_cast<std::size_t>(end - begin));
  std::iota(rows.begin(), rows.end(), begin);
  const ImageSet share = cluster.distributed() ? test.subset(rows) : test;
  torch::Tensor loss_sum = torch::zeros({1}, torch::kFloat64);
  // [image][predicted class, confidence], zero outside this rank's share.
  torch::Tensor chosen = torch::zeros({test.size(), 2}, torch::kFloat64);
  std::int64_t row = begin;
  for_each_batch(share, 256, transform, [&](const torch::Tensor& x, const torch::Tensor& y) {
    const torch::Tensor logits = model.forward(x);
    loss_sum += torch::nn::functional::cross_entropy(
        logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
    const auto [confidence, predicted] = torch::softmax(logits.to(torch::kFloat64), 1).max(1);
    chosen.narrow(0, row, x.size(0)).select(1, 0).copy_(predicted);
    chosen.narrow(0, row, x.size(0)).select(1, 1).copy_(confidence);
    row += x.size(0);
  });
  cluster.sum(chosen);
  cluster.sum(loss_sum);
  predictions->clear();
  const auto c_rows = chosen.accessor<double, 2>();
  const auto truth = test.labels.accessor<std::int64_t, 1>();
  std::int64_t correct = 0;
  for (std::int64_t i = 0; i < test.size(); ++i) {
    predictions->push_back({i, static_cast<int>(truth[i]), static_cast<int>(c_rows[i][0]), c_rows[i][1]});
    correct += predictions->back().truth == predictions->back().predicted;
  }
  VariantResult r;
  r.test_loss = loss_sum.item<double>() / double(test.size());
  r.test_accuracy = double(correct) / double(test.size());
  r.confusion = confusion_of(*predictions, classes);
  return r;
}

}  // namespace alexnet
