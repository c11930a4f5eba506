#include "data/batch_stream.h"

#include <algorithm>
#include <numeric>

namespace alexnet {

Normalisation compute_normalisation(const ImageSet& set) {
  const std::int64_t n = std::min<std::int64_t>(set.size(), 10000);
  const torch::Tensor x = set.images.narrow(0, 0, n).to(torch::kFloat32).div_(255.0);
  const torch::Tensor mean = x.mean({0, 2, 3});
  const torch::Tensor std = x.std({0, 2, 3}).clamp_min(1e-3);
  Normalisation result;
  for (std::int64_t c = 0; c < mean.size(0); ++c) {
    result.mean.push_back(mean[c].item<float>());
    result.std.push_back(std[c].item<float>());
  }
  return result;
}

torch::Tensor prepare_images(const torch::Tensor& uint8_images, const TransformOptions& options,
                             std::mt19937_64* rng) {
  namespace F = torch::nn::functional;
  const std::int64_t s = options.input_size;
  torch::Tensor x = uint8_images.to(torch::kFloat32).div_(255.0);
  const std::int64_t channels = x.size(1);
  const auto& norm = options.normalisation;
  if (!norm.mean.empty()) {
    const torch::Tensor mean = torch::tensor(norm.mean).view({1, -1, 1, 1});
    const torch::Tensor std = torch::tensor(norm.std).view({1, -1, 1, 1});
    x = (x - mean.narrow(1, 0, channels)) / std.narrow(1, 0, channels);
  }
  if (x.size(2) != s || x.size(3) != s) {
    x = F::interpolate(x, F::InterpolateFuncOptions()
                              .size(std::vector<std::int64_t>{s, s})
                              .mode(torch::kBilinear)
                              .align_corners(false));
  }
  if (rng && options.random_crop) {
    const std::int64_t pad = std::max<std::int64_t>(1, s / 8);
    const torch::Tensor padded = F::pad(x, F::PadFuncOptions({pad, pad, pad, pad}));
    std::uniform_int_distribution<std::int64_t> offset(0, 2 * pad);
    torch::Tensor cropped = torch::empty_like(x);
    for (std::int64_t i = 0; i < x.size(0); ++i) {
      cropped[i].copy_(padded[i].narrow(1, offset(*rng), s).narrow(2, offset(*rng), s));
    }
    x = cropped;
  }
  if (rng && options.horizontal_flip) {
    std::vector<std::int64_t> flip;
    std::bernoulli_distribution coin(0.5);
    for (std::int64_t i = 0; i < x.size(0); ++i) {
      if (coin(*rng)) flip.push_back(i);
    }
    if (!flip.empty()) {
      const torch::Tensor idx = torch::tensor(flip, torch::kInt64);
      x.index_copy_(0, idx, x.index_select(0, idx).flip({3}));
    }
  }
  if (channels == 1) x = x.expand({-1, 3, -1, -1});
  return x.contiguous();
}

std::vector<std::int64_t> batch_indices(std::int64_t set_size, int batch_size, std::uint64_t seed,
                                        std::int64_t number) {
  // Whole batches only, so every batch has the same size and an epoch boundary
  // never splits one.
  const std::int64_t per_epoch = std::max<std::int64_t>(1, set_size / batch_size);
  const std::int64_t epoch = number / per_epoch;
  const std::int64_t within = number % per_epoch;
  std::vector<std::int64_t> order(static_cast<std::size_t>(set_size));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(epoch) * 0xBF58476D1CE4E5B9ULL + 7);
  // Fisher-Yates by hand: std::shuffle's algorithm is not fixed by the standard.
  for (std::int64_t i = set_size - 1; i > 0; --i) {
    const std::int64_t j = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(i + 1));
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
  }
  std::vector<std::int64_t> indices;
  const std::int64_t take = std::min<std::int64_t>(batch_size, set_size);
  for (std::int64_t k = 0; k < take; ++k) indices.push_back(order[static_cast<std::size_t>(within * take + k)]);
  return indices;
}

BatchStream::BatchStream(const ImageSet& set, int batch_size, TransformOptions options, std::uint64_t seed,
                         std::int64_t first_batch, int prefetch)
    : set_(set),
      batch_size_(batch_size),
      options_(std::move(options)),
      seed_(seed),
      capacity_(static_cast<std::size_t>(std::max(1, prefetch))),
      next_to_make_(first_batch) {
  worker_ = std::thread([this] { produce(); });
}

BatchStream::~BatchStream() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  worker_.join();
}

Batch BatchStream::make(std::int64_t number) const {
  const std::vector<std::int64_t> idx = batch_indices(set_.size(), batch_size_, seed_, number);
  const torch::Tensor index = torch::tensor(idx, torch::kInt64);
  // Augmentation draws from its own (seed, batch) stream: reproducible and resumable.
  std::mt19937_64 rng(seed_ ^ (static_cast<std::uint64_t>(number) * 0x94D049BB133111EBULL + 0x2545F491ULL));
  Batch b;
  b.images = prepare_images(set_.images.index_select(0, index), options_, &rng);
  b.labels = set_.labels.index_select(0, index);
  b.number = number;
  return b;
}

void BatchStream::produce() {
  try {
    for (;;) {
      std::int64_t number;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [this] { return stopping_ || ready_.size() < capacity_; });
        if (stopping_) return;
        number = next_to_make_++;
      }
      Batch b = make(number);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ready_.push_back(std::move(b));
      }
      changed_.notify_all();
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(mutex_);
    failure_ = std::current_exception();
    changed_.notify_all();
  }
}

Batch BatchStream::next() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return !ready_.empty() || failure_; });
  if (ready_.empty() && failure_) std::rethrow_exception(failure_);
  Batch b = std::move(ready_.front());
  ready_.pop_front();
  lock.unlock();
  changed_.notify_all();
  return b;
}

}  // namespace alexnet
