// IDX image and label files (plain or gzip): the first two bytes say where the
// images file ends and the labels file begins.
#include "dataset.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t split = std::min<std::size_t>(size - 2, std::size_t(data[0]) << 8 | data[1]);
  const std::string images = fuzz::put("train-images-idx3-ubyte", data + 2, split);
  const std::string labels = fuzz::put("train-labels-idx1-ubyte", data + 2 + split, size - 2 - split);
  try {
    const alexnet::ImageSet set = alexnet::read_idx_pair(images, labels);
    if (set.images.size(0) != set.labels.size(0)) __builtin_trap();
  } catch (const alexnet::DataError&) {
  }
  return 0;
}
