// Pictures decoded for training: header checked first (a claimed size over
// the limit is never decoded), then RGB, resized to S x S. One decoder for the
// image folder loaded whole and for the one streamed from disk, so both give
// the same pixels.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "torch_api.h"

namespace alexnet {

// Why a file did not become a picture.
enum class PictureCheck {
  Ok,
  Unreadable,  // cannot be read, or OpenCV does not decode it
  TooLarge,    // its header claims more pixels than allowed, or the file is absurdly large
  Unchecked,   // a format whose size cannot be read before decoding
};

// Reads only as much of the file as its header needs (the whole file when a
// large JPEG preamble hides the size).
PictureCheck check_picture_file(const std::string& path, std::uint64_t max_pixels);

// The pictures of a streamed image folder: listed and header-checked, not
// decoded. Decoding happens per batch, on the loader threads.
struct PictureList {
  std::vector<std::string> paths;
  int size = 64;  // decoded to size x size, RGB
  std::uint64_t max_pixels = 50'000'000;
  // Files that passed the check when listed but failed to decode later
  // (changed or damaged since): they train as black pictures, and are counted.
  mutable std::atomic<std::int64_t> decode_failures{0};
};

// uint8 [n, 3, S, S] of the listed pictures `rows`, decoded on up to `threads`
// threads. A picture that fails is left black and its entry of `ok` (when
// given) false.
torch::Tensor decode_pictures(const PictureList& list, const std::vector<std::int64_t>& rows, int threads,
                              std::vector<bool>* ok = nullptr);

}  // namespace alexnet
