// Chooses the loader for what the user named, and checks what every loader returns.
#include <algorithm>
#include <filesystem>

#include "data/dataset.h"

namespace alexnet {
namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

bool folder_has_idx(const fs::path& dir) {
  for (const char* name : {"train-images-idx3-ubyte", "train-images-idx3-ubyte.gz"}) {
    if (fs::is_regular_file(dir / name)) return true;
  }
  return false;
}

bool folder_has_cifar(const fs::path& dir) {
  return fs::is_regular_file(dir / "data_batch_1.bin") || fs::is_regular_file(dir / "test_batch.bin");
}

Dataset detect_and_load(const std::string& path, const LoadOptions& options) {
  std::error_code ec;
  const fs::path p(path);
  if (!fs::exists(p, ec)) throw DataError(path + ": no such file or folder");
  if (fs::is_regular_file(p)) {
    const std::string name = p.filename().string();
    if (name.find("idx3") != std::string::npos || ends_with(name, ".idx") || ends_with(name, ".gz") ||
        name.find("images") != std::string::npos) {
      return load_idx_images_file(path, options);
    }
    throw DataError(path + ": not a data set (give an IDX image file, a CIFAR-10 folder or an image folder)");
  }
  if (folder_has_idx(p)) return load_idx_folder(path, options);
  if (folder_has_cifar(p)) return load_cifar10(path);
  return load_image_folder(path, options);
}

void check_consistent(const Dataset& d) {
  for (const ImageSet* set : {&d.train, &d.test}) {
    if (set->size() == 0) throw DataError(d.source + ": a split holds no images");
    const std::int64_t held = set->streamed() ? std::int64_t(set->pictures->paths.size()) : set->images.size(0);
    if (held != set->labels.size(0)) throw DataError(d.source + ": image and label counts differ");
  }
  if (d.train.streamed() != d.test.streamed()) throw DataError(d.source + ": one split streamed, the other not");
  if (!d.train.streamed() && d.train.images.sizes().slice(1) != d.test.images.sizes().slice(1)) {
    throw DataError(d.source + ": training and test images have different shapes");
  }
  if (d.class_names.empty()) throw DataError(d.source + ": no class names");
}

}  // namespace

torch::Tensor ImageSet::pixels(const std::vector<std::int64_t>& rows, int threads) const {
  if (!streamed()) return images.index_select(0, torch::tensor(rows, torch::kInt64));
  std::vector<bool> ok;
  torch::Tensor decoded = decode_pictures(*pictures, rows, threads, &ok);
  pictures->decode_failures += std::count(ok.begin(), ok.end(), false);
  return decoded;
}

torch::Tensor ImageSet::pixels(std::int64_t start, std::int64_t n, int threads) const {
  if (!streamed()) return images.narrow(0, start, n);
  std::vector<std::int64_t> rows(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) rows[static_cast<std::size_t>(i)] = start + i;
  return pixels(rows, threads);
}

ImageSet ImageSet::subset(const std::vector<std::int64_t>& rows) const {
  const torch::Tensor index = torch::tensor(rows, torch::kInt64);
  ImageSet part;
  part.labels = labels.index_select(0, index);
  if (images.defined()) part.images = images.index_select(0, index);
  if (!pictures) return part;
  auto list = std::make_shared<PictureList>();
  list->size = pictures->size;
  list->max_pixels = pictures->max_pixels;
  for (std::int64_t r : rows) list->paths.push_back(pictures->paths.at(static_cast<std::size_t>(r)));
  part.pictures = list;
  return part;
}

void check_class_coverage(const ImageSet& set, int classes, const std::string& what, std::vector<std::string>* notes) {
  if (set.size() == 0 || classes <= 0) return;
  const torch::Tensor counts = torch::bincount(set.labels, {}, classes);
  const auto c = counts.accessor<std::int64_t, 1>();
  std::vector<int> missing;
  for (int k = 0; k < classes; ++k) {
    if (c[k] == 0) missing.push_back(k);
  }
  const int present = classes - static_cast<int>(missing.size());
  if (present < 2) {
    const std::int64_t only = set.labels[0].item<std::int64_t>();
    throw DataError(what + ": every label is " + std::to_string(only) + " - a single class, so there is nothing to " +
                    "classify (" + std::to_string(classes) + " class ids would be assumed)");
  }
  if (!missing.empty()) {
    std::string list;
    for (std::size_t i = 0; i < missing.size() && i < 8; ++i) list += (i ? ", " : "") + std::to_string(missing[i]);
    if (missing.size() > 8) list += ", ... (" + std::to_string(missing.size()) + " in all)";
    notes->push_back(what + ": only " + std::to_string(present) + " of the " + std::to_string(classes) +
                     " class ids occur (missing: " + list + "); the models still get " + std::to_string(classes) +
                     " outputs");
  }
}

Dataset load_dataset(const std::string& what, const LoadOptions& options) {
  Dataset d;
  if (what == "synthetic") {
    d = make_synthetic(options);
  } else if (what == "fashion-mnist") {
    if (folder_has_idx(options.fashion_mnist_dir)) {
      d = load_idx_folder(options.fashion_mnist_dir, options);
      d.name = "fashion-mnist";
    } else {
      d = make_synthetic(options);
      d.notes.push_back("Fashion-MNIST is not installed (" + options.fashion_mnist_dir +
                        "; apt-get install dataset-fashion-mnist): fell back to the synthetic data set");
    }
  } else {
    d = detect_and_load(what, options);
  }
  check_consistent(d);
  return d;
}

}  // namespace alexnet
