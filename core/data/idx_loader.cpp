// IDX files (MNIST, Fashion-MNIST): big-endian magic 0x00 0x00 type ndims, then
// ndims big-endian uint32 sizes, then the data.
#include <algorithm>
#include <filesystem>
#include <sstream>

#include "data/dataset.h"

namespace alexnet {
namespace fs = std::filesystem;

namespace {

constexpr std::uint8_t kUnsignedByte = 0x08;

struct IdxArray {
  std::vector<std::int64_t> dims;
  std::vector<std::uint8_t> bytes;  // the whole file; data starts at `offset`
  std::size_t offset = 0;
};

std::uint32_t big_endian_u32(const std::uint8_t* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

// The header first (4 bytes, then 4 per dimension, at most 4 dimensions
// here), so a file that claims more than this machine holds is refused before
// its data is inflated or allocated.
constexpr std::size_t kMaxHeaderBytes = 4 + 4 * 4;

IdxArray parse_idx(const std::vector<std::uint8_t>& raw, const std::string& path, int min_dims, int max_dims) {
  const std::vector<std::uint8_t> header = gunzip_bounded(raw, path, kMaxHeaderBytes, GunzipLimit::kKeepPrefix);
  if (header.size() < 4) throw DataError(path + ": empty or truncated IDX file (no header)");
  const std::uint8_t* b = header.data();
  if (b[0] != 0 || b[1] != 0) {
    std::ostringstream m;
    m << path << ": bad magic number 0x" << std::hex << big_endian_u32(b) << " (not an IDX file)";
    throw DataError(m.str());
  }
  if (b[2] != kUnsignedByte) {
    throw DataError(path + ": IDX data type " + std::to_string(b[2]) + " is not supported (only unsigned bytes)");
  }
  const int ndims = b[3];
  if (ndims < min_dims || ndims > max_dims) {
    std::ostringstream m;
    m << path << ": bad magic number: " << ndims << " dimensions where " << min_dims
      << (min_dims == max_dims ? "" : " to " + std::to_string(max_dims)) << " were expected";
    throw DataError(m.str());
  }
  IdxArray a;
  a.offset = 4 + 4 * static_cast<std::size_t>(ndims);
  if (header.size() < a.offset) throw DataError(path + ": truncated IDX header");
  std::uint64_t expected = 1;
  for (int i = 0; i < ndims; ++i) {
    const std::uint32_t d = big_endian_u32(b + 4 + 4 * i);
    if (d == 0 && i > 0) throw DataError(path + ": dimension " + std::to_string(i) + " is zero");
    a.dims.push_back(d);
    expected *= d;
    if (expected > (std::uint64_t(1) << 40)) break;  // refused below; no need to multiply further
  }
  if (expected > data_memory_budget()) {
    std::ostringstream m;
    m << path << ": the header claims " << expected << " bytes of data, more than this machine can hold ("
      << data_memory_budget() << " bytes for data); refused";
    throw DataError(m.str());
  }
  // One byte past what the header promises is enough to tell that there is more.
  a.bytes = gunzip_bounded(raw, path, a.offset + expected + 1, GunzipLimit::kKeepPrefix);
  const std::uint64_t present = a.bytes.size() - a.offset;
  if (present < expected) {
    std::ostringstream m;
    m << path << ": truncated: the header promises " << expected << " bytes of data, the file has " << present;
    throw DataError(m.str());
  }
  if (present > expected) {
    std::ostringstream m;
    m << path << ": unexpected bytes after the data (the header promises " << expected << ")";
    throw DataError(m.str());
  }
  return a;
}

}  // namespace

ImageSet read_idx_pair(const std::string& images_path, const std::string& labels_path, int classes) {
  return parse_idx_pair(read_file_bytes(images_path), images_path, read_file_bytes(labels_path), labels_path, classes);
}

ImageSet parse_idx_pair(const std::vector<std::uint8_t>& images_raw, const std::string& images_path,
                        const std::vector<std::uint8_t>& labels_raw, const std::string& labels_path, int classes) {
  IdxArray images = parse_idx(images_raw, images_path, 3, 4);
  IdxArray labels = parse_idx(labels_raw, labels_path, 1, 1);
  const std::int64_t n = images.dims[0];
  if (n == 0) throw DataError(images_path + ": holds no images");
  if (labels.dims[0] != n) {
    std::ostringstream m;
    m << images_path << " holds " << n << " images but " << labels_path << " holds " << labels.dims[0] << " labels";
    throw DataError(m.str());
  }
  const int limit = classes > 0 ? classes : 256;
  std::uint8_t* label_bytes = labels.bytes.data() + labels.offset;
  for (std::int64_t i = 0; i < n; ++i) {
    if (label_bytes[i] >= limit) {
      std::ostringstream m;
      m << labels_path << ": label " << int(label_bytes[i]) << " of item " << i << " is out of range (expected 0.."
        << (limit - 1) << ")";
      throw DataError(m.str());
    }
  }
  const std::int64_t h = images.dims[1], w = images.dims[2];
  const std::int64_t c = images.dims.size() == 4 ? images.dims[3] : 1;
  if (c != 1 && c != 3) throw DataError(images_path + ": " + std::to_string(c) + " channels (expected 1 or 3)");
  ImageSet set;
  set.images = torch::from_blob(images.bytes.data() + images.offset, {n, h, w, c}, torch::kUInt8)
                   .permute({0, 3, 1, 2})
                   .clone(torch::MemoryFormat::Contiguous);  // a copy: the file buffer goes away
  set.labels = torch::from_blob(label_bytes, {n}, torch::kUInt8).to(torch::kInt64);
  return set;
}

namespace {

// "train-images-idx3-ubyte.gz" -> "train-labels-idx1-ubyte.gz"; "" when the name has no "images".
std::string labels_name_for(const std::string& images_name) {
  std::string name = images_name;
  const auto pos = name.find("images");
  if (pos == std::string::npos) return "";
  name.replace(pos, 6, "labels");
  const auto idx = name.find("idx3");
  if (idx != std::string::npos) name.replace(idx, 4, "idx1");
  return name;
}

std::string find_with_optional_gz(const fs::path& folder, const std::string& stem) {
  for (const std::string& candidate : {stem, stem + ".gz"}) {
    if (fs::is_regular_file(folder / candidate)) return (folder / candidate).string();
  }
  return "";
}

std::string find_labels_for(const std::string& images_path) {
  const fs::path p(images_path);
  std::string labels = labels_name_for(p.filename().string());
  if (labels.empty()) return "";
  if (fs::is_regular_file(p.parent_path() / labels)) return (p.parent_path() / labels).string();
  // the labels may be gzipped when the images are not, or the other way round
  std::string stem = labels;
  if (stem.size() > 3 && stem.compare(stem.size() - 3, 3, ".gz") == 0) stem.resize(stem.size() - 3);
  return find_with_optional_gz(p.parent_path(), stem);
}

std::vector<std::string> class_names_for_idx(const fs::path& folder, int classes) {
  const std::string where = fs::weakly_canonical(folder).string();
  if (where.find("fashion") != std::string::npos && classes <= 10) {
    return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
  }
  std::vector<std::string> names;
  for (int i = 0; i < classes; ++i) names.push_back(std::to_string(i));
  return names;
}

int class_count(const ImageSet& set) { return int(set.labels.max().item<std::int64_t>()) + 1; }

}  // namespace

Dataset load_idx_folder(const std::string& folder, const LoadOptions& options) {
  const fs::path dir(folder);
  const std::string train_images = find_with_optional_gz(dir, "train-images-idx3-ubyte");
  const std::string test_images = find_with_optional_gz(dir, "t10k-images-idx3-ubyte");
  if (train_images.empty()) {
    throw DataError(folder + ": no train-images-idx3-ubyte[.gz] in this folder");
  }
  Dataset d;
  d.name = dir.filename().string();
  d.source = folder;
  if (test_images.empty()) {
    // One pair only: hold part of it out.
    d = load_idx_images_file(train_images, options);
    return d;
  }
  auto labels_or_fail = [](const std::string& images) {
    const std::string labels = find_labels_for(images);
    if (labels.empty()) throw DataError(images + ": no matching labels file beside it");
    return labels;
  };
  d.train = read_idx_pair(train_images, labels_or_fail(train_images));
  const int classes = class_count(d.train);
  check_class_coverage(d.train, classes, labels_or_fail(train_images), &d.notes);
  d.test = read_idx_pair(test_images, labels_or_fail(test_images), classes);
  d.class_names = class_names_for_idx(dir, classes);
  return d;
}

Dataset load_idx_images_file(const std::string& images_path, const LoadOptions& options) {
  const std::string labels = find_labels_for(images_path);
  if (labels.empty()) {
    throw DataError(images_path + ": no labels file beside it (expected the name with \"labels\" for \"images\")");
  }
  Dataset d;
  const fs::path p(images_path);
  d.name = p.parent_path().filename().string();
  d.source = images_path;
  ImageSet all = read_idx_pair(images_path, labels);
  check_class_coverage(all, class_count(all), labels, &d.notes);
  split_held_out(all, options.held_out_fraction, &d.train, &d.test);
  d.class_names = class_names_for_idx(p.parent_path(), class_count(all));
  d.notes.push_back("no separate test files: " + std::to_string(d.test.size()) + " images of " + images_path +
                    " are held out for testing");
  return d;
}

void split_held_out(const ImageSet& all, double test_fraction, ImageSet* train, ImageSet* test) {
  const int every = std::max(2, static_cast<int>(1.0 / std::clamp(test_fraction, 0.01, 0.5) + 0.5));
  std::vector<std::int64_t> train_index, test_index;
  std::vector<std::int64_t> seen_per_class(256, 0);
  const auto labels = all.labels.accessor<std::int64_t, 1>();
  for (std::int64_t i = 0; i < all.size(); ++i) {
    const std::int64_t k = seen_per_class[static_cast<std::size_t>(labels[i]) % 256]++;
    (k % every == every - 1 ? test_index : train_index).push_back(i);
  }
  if (test_index.empty() || train_index.empty()) {
    throw DataError("too few images to hold some out for testing (" + std::to_string(all.size()) + ")");
  }
  *train = all.subset(train_index);
  *test = all.subset(test_index);
}

}  // namespace alexnet
