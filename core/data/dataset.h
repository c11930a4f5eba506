// Data sets as plain uint8 tensors: one interface for Fashion-MNIST, IDX pairs,
// CIFAR-10 binaries, image folders and the synthetic set.
#pragma once

#include "errors.h"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "data/picture_decoder.h"
#include "torch_api.h"

namespace alexnet {

// A split of a data set: its images in memory, or (an image folder too large
// for its memory budget) a list of pictures decoded when they are needed.
struct ImageSet {
  torch::Tensor images;  // uint8 [N, C, H, W], C = 1 (grey) or 3 (RGB); undefined when streamed
  torch::Tensor labels;  // int64 [N], each in [0, classes)
  // An image folder's pictures, row by row, whether decoded into `images` or
  // streamed (then `images` is undefined).
  std::shared_ptr<const PictureList> pictures;

  std::int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
  bool streamed() const { return pictures != nullptr && !images.defined(); }
  std::int64_t channels() const { return streamed() ? 3 : images.size(1); }
  // uint8 [n, C, H, W] of the given rows, or of rows [start, start + n);
  // decoded on up to `threads` threads when streamed.
  torch::Tensor pixels(const std::vector<std::int64_t>& rows, int threads = 1) const;
  torch::Tensor pixels(std::int64_t start, std::int64_t n, int threads = 1) const;
  // The given rows as a set of their own (a list of pictures stays a list).
  ImageSet subset(const std::vector<std::int64_t>& rows) const;
};

struct Dataset {
  std::string name;    // "fashion-mnist", "cifar-10", "synthetic", a folder name
  std::string source;  // where it came from (a path, or "generated")
  std::vector<std::string> class_names;
  ImageSet train;
  ImageSet test;
  std::vector<std::string> notes;  // fall-backs and skipped files, for the user to see
  int classes() const { return static_cast<int>(class_names.size()); }
};

// Where Debian's dataset-fashion-mnist package puts the files.
constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

struct LoadOptions {
  int image_size = 64;                   // image-folder pictures are decoded and resized to this
  double held_out_fraction = 1.0 / 6.0;  // test share when a source has no test split
  std::uint64_t seed = 0;                // for the synthetic set
  std::int64_t synthetic_train = 6000;
  std::int64_t synthetic_test = 1000;
  std::string fashion_mnist_dir = kFashionMnistDir;
  std::uint64_t max_picture_pixels = 50'000'000;  // image folders: larger claims are skipped undecoded
  // Image folders whose decoded pixels (N x 3 x S x S bytes) exceed this are
  // streamed from disk instead of decoded up front; 0: a quarter of
  // data_memory_budget(), at most 2 GiB.
  std::uint64_t cache_budget_bytes = 0;
};

// `what` is "fashion-mnist" (the default; falls back to the synthetic set with a
// note when the Debian package is not installed), "synthetic", or a path whose
// format is detected: a folder of IDX files, an IDX image file (its label file
// found by name), a CIFAR-10 binary folder, or an image folder.
Dataset load_dataset(const std::string& what, const LoadOptions& options = {});

// The individual loaders; all throw DataError naming the file and the problem.
ImageSet read_idx_pair(const std::string& images_path, const std::string& labels_path,
                       int classes = 0 /* 0: any label below 256 */);
Dataset load_idx_folder(const std::string& folder, const LoadOptions& options);
Dataset load_idx_images_file(const std::string& images_path, const LoadOptions& options);
Dataset load_cifar10(const std::string& folder);
Dataset load_image_folder(const std::string& folder, const LoadOptions& options);
Dataset make_synthetic(const LoadOptions& options);

// A label set that uses only some class ids is not the data set it claims to
// be: refused (DataError naming `what`) when a single class is present, since
// there is nothing to tell apart; a note naming the missing ids otherwise.
void check_class_coverage(const ImageSet& set, int classes, const std::string& what, std::vector<std::string>* notes);

// Moves every k-th image of each class to the test split (deterministic).
void split_held_out(const ImageSet& all, double test_fraction, ImageSet* train, ImageSet* test);

// The byte parsers behind the loaders above: `*_name` names the file in
// messages. The file loaders are thin wrappers that read bytes and call these.
ImageSet parse_idx_pair(const std::vector<std::uint8_t>& images, const std::string& images_name,
                        const std::vector<std::uint8_t>& labels, const std::string& labels_name, int classes = 0);
// Records of CIFAR-10 batches (each a file's bytes, gzip allowed), labels below `classes`.
ImageSet parse_cifar_batches(const std::vector<std::pair<std::string, std::vector<std::uint8_t>>>& named_batches,
                             int classes);
// batches.meta.txt: one class name per line; the CIFAR-10 names when empty.
std::vector<std::string> parse_cifar_class_names(const std::string& text);
// A CIFAR-10 folder's files as bytes: what load_cifar10 reads and parses.
struct CifarFiles {
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> train;  // data_batch_N.bin that are there
  std::pair<std::string, std::vector<std::uint8_t>> test;                // test_batch.bin
  std::string meta;                                                      // batches.meta.txt, or empty
};
Dataset parse_cifar10(const std::string& folder, const CifarFiles& files);

// Memory a data set may take on this machine (half the physical memory):
// headers that claim more are refused before anything is allocated.
std::uint64_t data_memory_budget();

// A file's bytes as stored (DataError naming it when it cannot be read or is
// larger than the budget).
std::vector<std::uint8_t> read_file_bytes(const std::string& path);

// Gzip undone in memory, when the bytes start with gzip's magic; other bytes
// come back as they are. Output past `limit` bytes is refused (kRefuse) or cut
// off (kKeepPrefix: to read a header before deciding how much to inflate).
enum class GunzipLimit { kRefuse, kKeepPrefix };
std::vector<std::uint8_t> gunzip_bounded(const std::vector<std::uint8_t>& raw, const std::string& name,
                                         std::size_t limit, GunzipLimit on_limit);

// The whole content of a file, gunzipped when it is gzip-compressed.
std::vector<std::uint8_t> read_maybe_gzipped(const std::string& path);

}  // namespace alexnet
