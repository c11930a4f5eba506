#include "data/batch_stream.h"
#include "platform/system_info.h"

#include <algorithm>
#include <numeric>
#include <thread>

namespace alexnet {

namespace {

// An image folder's normalisation: a strided sample of up to 1,000 pictures
// (a folder is listed class by class, so the first ones would be one class),
// summed in chunks, so that neither decoding time nor memory grows with the
// folder or with S. The same whether the folder is in memory or streamed.
Normalisation picture_normalisation(const ImageSet& set) {
  const std::int64_t n = set.size();
  const std::int64_t step = std::max<std::int64_t>(1, (n + 999) / 1000);
  std::vector<std::int64_t> rows;
  for (std::int64_t r = 0; r < n; r += step) rows.push_back(r);
  const int threads = core_count();
  torch::Tensor sum, squares;
  double count = 0;
  for (std::size_t start = 0; start < rows.size(); start += 64) {
    const std::vector<std::int64_t> chunk(rows.begin() + std::ptrdiff_t(start),
                                          rows.begin() + std::ptrdiff_t(std::min(rows.size(), start + 64)));
    const torch::Tensor x = set.pixels(chunk, threads).to(torch::kFloat64).div_(255.0);
    const torch::Tensor s = x.sum({0, 2, 3}), q = x.pow(2).sum({0, 2, 3});
    sum = sum.defined() ? sum + s : s;
    squares = squares.defined() ? squares + q : q;
    count += double(x.numel() / x.size(1));
  }
  const torch::Tensor mean = sum / count;
  const torch::Tensor variance = (squares / count - mean * mean) * (count / std::max(1.0, count - 1));
  const torch::Tensor std = variance.clamp_min(0).sqrt().clamp_min(1e-3);
  Normalisation result;
  for (std::int64_t c = 0; c < mean.size(0); ++c) {
    result.mean.push_back(static_cast<float>(mean[c].item<double>()));
    result.std.push_back(static_cast<float>(std[c].item<double>()));
  }
  return result;
}

}  // namespace

Normalisation compute_normalisation(const ImageSet& set) {
  if (set.pictures) return picture_normalisation(set);
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

Augmentation draw_augmentation(std::int64_t count, const TransformOptions& options, std::mt19937_64& rng) {
  Augmentation a;
  const std::int64_t s = options.input_size;
  if (options.random_crop) {
    const std::int64_t pad = std::max<std::int64_t>(1, s / 8);
    std::uniform_int_distribution<std::int64_t> offset(0, 2 * pad);
    for (std::int64_t i = 0; i < count; ++i) {
      a.crop_y.push_back(offset(rng));
      a.crop_x.push_back(offset(rng));
    }
  }
  if (options.horizontal_flip) {
    std::bernoulli_distribution coin(0.5);
    for (std::int64_t i = 0; i < count; ++i) a.flip.push_back(coin(rng));
  }
  return a;
}

namespace {

// Normalised, resized, 3-channel floats, before augmentation.
torch::Tensor normalise_and_resize(const torch::Tensor& uint8_images, const TransformOptions& options) {
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
    x = F::interpolate(
        x,
        F::InterpolateFuncOptions().size(std::vector<std::int64_t>{s, s}).mode(torch::kBilinear).align_corners(false));
  }
  return x;
}

torch::Tensor augment(torch::Tensor x, const TransformOptions& options, const Augmentation& a, std::int64_t first) {
  namespace F = torch::nn::functional;
  const std::int64_t s = options.input_size;
  if (!a.crop_y.empty()) {
    const std::int64_t pad = std::max<std::int64_t>(1, s / 8);
    const torch::Tensor padded = F::pad(x, F::PadFuncOptions({pad, pad, pad, pad}));
    torch::Tensor cropped = torch::empty_like(x);
    for (std::int64_t i = 0; i < x.size(0); ++i) {
      const std::size_t k = static_cast<std::size_t>(first + i);
      cropped[i].copy_(padded[i].narrow(1, a.crop_y[k], s).narrow(2, a.crop_x[k], s));
    }
    x = cropped;
  }
  if (!a.flip.empty()) {
    std::vector<std::int64_t> flip;
    for (std::int64_t i = 0; i < x.size(0); ++i) {
      if (a.flip[static_cast<std::size_t>(first + i)]) flip.push_back(i);
    }
    if (!flip.empty()) {
      const torch::Tensor idx = torch::tensor(flip, torch::kInt64);
      x.index_copy_(0, idx, x.index_select(0, idx).flip({3}));
    }
  }
  return x;
}

torch::Tensor as_three_channels(const torch::Tensor& x) {
  return (x.size(1) == 1 ? x.expand({-1, 3, -1, -1}) : x).contiguous();
}

}  // namespace

torch::Tensor prepare_images(const torch::Tensor& uint8_images, const TransformOptions& options, std::mt19937_64* rng) {
  torch::Tensor x = normalise_and_resize(uint8_images, options);
  if (rng) x = augment(x, options, draw_augmentation(x.size(0), options, *rng), 0);
  return as_three_channels(x);
}

torch::Tensor prepare_images(const torch::Tensor& uint8_images, const TransformOptions& options,
                             const Augmentation& augmentation, std::int64_t first) {
  return as_three_channels(augment(normalise_and_resize(uint8_images, options), options, augmentation, first));
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
                         std::int64_t first_batch, int prefetch, BatchShard shard, int loaders)
    : set_(set),
      batch_size_(batch_size),
      options_(std::move(options)),
      seed_(seed),
      shard_(shard),
      capacity_(static_cast<std::size_t>(std::max(1, prefetch))),
      next_to_make_(first_batch),
      next_to_hand_(first_batch) {
  if (loaders <= 0) loaders = set.streamed() ? core_count() : 1;
  // Never more loaders than batches they may hold ready.
  loaders = std::min<int>(loaders, static_cast<int>(capacity_));
  for (int i = 0; i < loaders; ++i) loaders_.emplace_back([this] { produce(); });
}

BatchStream::~BatchStream() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (std::thread& t : loaders_) t.join();
}

Batch BatchStream::make(std::int64_t number) const {
  const std::vector<std::int64_t> idx = batch_indices(set_.size(), batch_size_, seed_, number);
  // Augmentation draws from its own (seed, batch) stream: reproducible and
  // resumable; drawn for the whole batch, so a shard's images get the choices
  // they would get in one process.
  std::mt19937_64 rng(seed_ ^ (static_cast<std::uint64_t>(number) * 0x94D049BB133111EBULL + 0x2545F491ULL));
  const Augmentation augmentation = draw_augmentation(static_cast<std::int64_t>(idx.size()), options_, rng);
  const std::int64_t share = static_cast<std::int64_t>(idx.size()) / std::max(1, shard_.count);
  const std::int64_t first = share * shard_.index;
  const std::vector<std::int64_t> rows(idx.begin() + first, idx.begin() + first + share);
  Batch b;
  b.images = prepare_images(set_.pixels(rows), options_, augmentation, first);
  b.labels = set_.labels.index_select(0, torch::tensor(rows, torch::kInt64));
  b.number = number;
  return b;
}

void BatchStream::produce() {
  try {
    for (;;) {
      std::int64_t number;
      {
        // Claim a batch only while fewer than `capacity_` are ahead of the consumer.
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [this] {
          return stopping_ || failure_ || next_to_make_ - next_to_hand_ < static_cast<std::int64_t>(capacity_);
        });
        if (stopping_ || failure_) return;
        number = next_to_make_++;
      }
      Batch b = make(number);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ready_.emplace(number, std::move(b));
      }
      changed_.notify_all();
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!failure_) failure_ = std::current_exception();
    changed_.notify_all();
  }
}

Batch BatchStream::next() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return ready_.count(next_to_hand_) > 0 || failure_; });
  const auto it = ready_.find(next_to_hand_);
  if (it == ready_.end()) std::rethrow_exception(failure_);
  Batch b = std::move(it->second);
  ready_.erase(it);
  ++next_to_hand_;
  lock.unlock();
  changed_.notify_all();
  return b;
}

}  // namespace alexnet
