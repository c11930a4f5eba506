#include "data/validation_split.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "spec/experiment_config.h"

namespace alexnet {

namespace {

constexpr std::int64_t kAutomaticMaximum = 5000;
constexpr std::int64_t kAutomaticShare = 12;  // 5,000 of Fashion-MNIST's 60,000

}  // namespace

std::int64_t validation_count(double setting, std::int64_t train_images, int classes) {
  if (setting == 0 || train_images <= 0) return 0;
  std::int64_t count = 0;
  if (setting == kAutomaticValidation) {
    count = std::max<std::int64_t>(std::min(kAutomaticMaximum, train_images / kAutomaticShare), classes);
  } else if (setting < 1) {
    count = std::max<std::int64_t>(std::llround(setting * double(train_images)), classes);
  } else {
    count = std::int64_t(setting);
  }
  if (count > train_images - classes) {
    throw DataError("--validation " + (setting == kAutomaticValidation ? std::string("auto") : std::to_string(count)) +
                    " would hold out " + std::to_string(count) + " of the " + std::to_string(train_images) +
                    " training images, leaving fewer than one per class to train on; choose a smaller "
                    "--validation or 0");
  }
  return count;
}

ValidationSplit split_validation(const ImageSet& all, std::int64_t count, int classes, std::uint64_t seed) {
  const std::int64_t n = all.size();
  ValidationSplit split;
  if (count <= 0 || n == 0) {
    split.train = all;
    return split;
  }
  std::vector<std::vector<std::int64_t>> rows_of_class(static_cast<std::size_t>(std::max(classes, 1)));
  const auto labels = all.labels.accessor<std::int64_t, 1>();
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t c = labels[i];
    if (c >= 0 && c < std::int64_t(rows_of_class.size())) rows_of_class[std::size_t(c)].push_back(i);
  }
  // Its own generator: the split must not move the draws that seed the weights and batches.
  std::mt19937_64 random(seed ^ 0x5eed0f5a11da7e5ULL);
  std::vector<std::int64_t> held_out;
  for (std::vector<std::int64_t>& rows : rows_of_class) {
    const std::int64_t size = std::int64_t(rows.size());
    if (size < 2) continue;
    const std::int64_t share = std::llround(double(count) * double(size) / double(n));
    const std::int64_t take = std::clamp<std::int64_t>(share, 1, size - 1);
    std::shuffle(rows.begin(), rows.end(), random);
    held_out.insert(held_out.end(), rows.begin(), rows.begin() + take);
  }
  std::vector<bool> is_held_out(static_cast<std::size_t>(n), false);
  for (std::int64_t r : held_out) is_held_out[std::size_t(r)] = true;
  std::vector<std::int64_t> kept;
  kept.reserve(static_cast<std::size_t>(n) - held_out.size());
  for (std::int64_t i = 0; i < n; ++i) {
    if (!is_held_out[std::size_t(i)]) kept.push_back(i);
  }
  // Mixed, so that any prefix (the probe set) has every class in proportion.
  std::shuffle(held_out.begin(), held_out.end(), random);
  split.train = all.subset(kept);
  split.validation = all.subset(held_out);
  return split;
}

}  // namespace alexnet
