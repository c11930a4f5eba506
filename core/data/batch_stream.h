// Turns a uint8 ImageSet into normalised float batches for a given input size,
// in a seeded order, prefetched on a background thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "data/dataset.h"
#include "platform/system_info.h"

namespace alexnet {

struct Normalisation {
  std::vector<float> mean;  // per input channel, in [0, 1] units
  std::vector<float> std;
};

// Per-channel mean and standard deviation over the first 10,000 images of a
// set; for an image folder, over a strided sample of up to 1,000 pictures.
Normalisation compute_normalisation(const ImageSet& set);

struct TransformOptions {
  int input_size = 64;
  bool random_crop = false;      // pad by S/8 and crop S x S at a random offset
  bool horizontal_flip = false;  // flip half of the images
  Normalisation normalisation;
};

struct Batch {
  torch::Tensor images;     // float [B, 3, S, S], normalised
  torch::Tensor labels;     // int64 [B]
  std::int64_t number = 0;  // position in the stream, from 0
};

// The random choices of augmentation for a batch of `count` images, drawn in
// a fixed order from `rng`: every image's crop offsets, then every image's flip.
struct Augmentation {
  std::vector<std::int64_t> crop_y, crop_x;  // empty without random crops
  std::vector<bool> flip;                    // empty without flips
};
Augmentation draw_augmentation(std::int64_t count, const TransformOptions& options, std::mt19937_64& rng);

// Resize to S x S, grey -> 3 channels, normalise, and (when `rng` is given) augment.
torch::Tensor prepare_images(const torch::Tensor& uint8_images, const TransformOptions& options, std::mt19937_64* rng);
// The same with augmentation already drawn for a larger batch, of which these
// images are entries first, first + 1, ... (a rank's slice of the global batch).
torch::Tensor prepare_images(const torch::Tensor& uint8_images, const TransformOptions& options,
                             const Augmentation& augmentation, std::int64_t first);

// The indices of batch `number` of an endless shuffled stream: each epoch is a
// fresh permutation drawn from (seed, epoch), so any batch can be recomputed
// (resume needs that) and the order never depends on timing.
std::vector<std::int64_t> batch_indices(std::int64_t set_size, int batch_size, std::uint64_t seed, std::int64_t number);

// One rank's part of every batch in data-parallel training: slice `index` of
// `count` equal slices.
struct BatchShard {
  int index = 0;
  int count = 1;
};

// The training stream: loader threads keep up to `prefetch` batches ready,
// handed out in order. With a shard, each batch is that slice of the global
// batch, augmented exactly as the global batch would be, so N ranks together
// see what one process sees (and each decodes only its slice). `loaders`: 0
// picks one thread for a set in memory and one per core for a streamed set,
// whose pictures are decoded per batch.
class BatchStream {
 public:
  BatchStream(const ImageSet& set, int batch_size, TransformOptions options, std::uint64_t seed,
              std::int64_t first_batch = 0, int prefetch = 3, BatchShard shard = {}, int loaders = 0);
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
  const BatchShard shard_;
  const std::size_t capacity_;
  std::int64_t next_to_make_;            // the next batch number a loader claims
  std::int64_t next_to_hand_;            // the next batch number next() returns
  std::map<std::int64_t, Batch> ready_;  // made, by number (loaders finish out of order)
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  std::exception_ptr failure_;
  std::vector<std::thread> loaders_;
};

// Calls `visit` on consecutive un-augmented batches covering `set` in order
// (the last one may be smaller): for evaluation and probes.
template <typename Visit>
void for_each_batch(const ImageSet& set, int batch_size, const TransformOptions& options, Visit&& visit) {
  const int threads = set.streamed() ? core_count() : 1;
  for (std::int64_t start = 0; start < set.size(); start += batch_size) {
    const std::int64_t n = std::min<std::int64_t>(batch_size, set.size() - start);
    visit(prepare_images(set.pixels(start, n, threads), options, nullptr), set.labels.narrow(0, start, n));
  }
}

}  // namespace alexnet
