// Turns a uint8 ImageSet into normalised float batches for a given input size,
// in a seeded order, prefetched on a background thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

#include "data/dataset.h"

namespace alexnet {

struct Normalisation {
  std::vector<float> mean;  // per input channel, in [0, 1] units
  std::vector<float> std;
};

// Per-channel mean and standard deviation over (up to 10,000 images of) a set.
Normalisation compute_normalisation(const ImageSet& set);

struct TransformOptions {
  int input_size = 64;
  bool random_crop = false;      // pad by S/8 and crop S x S at a random offset
  bool horizontal_flip = false;  // flip half of the images
  Normalisation normalisation;
};

struct Batch {
  torch::Tensor images;  // float [B, 3, S, S], normalised
  torch::Tensor labels;  // int64 [B]
  std::int64_t number = 0;  // position in the stream, from 0
};

// Resize to S x S, grey -> 3 channels, normalise, and (when `rng` is given) augment.
torch::Tensor prepare_images(const torch::Tensor& uint8_images, const TransformOptions& options,
                             std::mt19937_64* rng);

// The indices of batch `number` of an endless shuffled stream: each epoch is a
// fresh permutation drawn from (seed, epoch), so any batch can be recomputed
// (resume needs that) and the order never depends on timing.
std::vector<std::int64_t> batch_indices(std::int64_t set_size, int batch_size, std::uint64_t seed,
                                        std::int64_t number);

// The training stream. A worker thread keeps `prefetch` batches ready.
class BatchStream {
 public:
  BatchStream(const ImageSet& set, int batch_size, TransformOptions options, std::uint64_t seed,
              std::int64_t first_batch = 0, int prefetch = 3);
  ~BatchStream();
  BatchStream(const BatchStream&) = delete;
  BatchStream& operator=(const BatchStream&) = delete;

  Batch next();
  Batch make(std::int64_t number) const;  // the same batch, computed on the caller's thread

 private:
  void produce();

  const ImageSet& set_;
  const int batch_size_;
  const TransformOptions options_;
  const std::uint64_t seed_;
  const std::size_t capacity_;
  std::int64_t next_to_make_;
  std::deque<Batch> ready_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  std::exception_ptr failure_;
  std::thread worker_;
};

// Calls `visit` on consecutive un-augmented batches covering `set` in order
// (the last one may be smaller): for evaluation and probes.
template <typename Visit>
void for_each_batch(const ImageSet& set, int batch_size, const TransformOptions& options, Visit&& visit) {
  for (std::int64_t start = 0; start < set.size(); start += batch_size) {
    const std::int64_t n = std::min<std::int64_t>(batch_size, set.size() - start);
    visit(prepare_images(set.images.narrow(0, start, n), options, nullptr), set.labels.narrow(0, start, n));
  }
}

}  // namespace alexnet
