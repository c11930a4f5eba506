// CIFAR-10 binary version: records of 1 label byte + 3072 bytes (1024 R, 1024 G,
// 1024 B, row-major 32x32), in data_batch_1..5.bin and test_batch.bin.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "data/dataset.h"

namespace alexnet {
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kSide = 32;
constexpr std::int64_t kRecord = 1 + 3 * kSide * kSide;

}  // namespace

std::vector<std::string> parse_cifar_class_names(const std::string& text) {
  std::vector<std::string> names;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) names.push_back(line);
  }
  if (names.empty()) {
    names = {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
  }
  return names;
}

ImageSet parse_cifar_batches(const std::vector<std::pair<std::string, std::vector<std::uint8_t>>>& named_batches,
                             int classes) {
  std::vector<std::uint8_t> all;
  for (const auto& [path, raw] : named_batches) {
    const std::vector<std::uint8_t> bytes = gunzip_bounded(raw, path, data_memory_budget(), GunzipLimit::kRefuse);
    if (bytes.empty()) throw DataError(path + ": empty file");
    if (bytes.size() % kRecord != 0) {
      std::ostringstream m;
      m << path << ": truncated record: " << bytes.size() << " bytes is not a whole number of " << kRecord
        << "-byte records (the last record has " << bytes.size() % kRecord << " bytes)";
      throw DataError(m.str());
    }
    for (std::size_t r = 0; r < bytes.size(); r += kRecord) {
      if (bytes[r] >= classes) {
        std::ostringstream m;
        m << path << ": label " << int(bytes[r]) << " of record " << r / kRecord << " is out of range (expected 0.."
          << classes - 1 << ")";
        throw DataError(m.str());
      }
    }
    all.insert(all.end(), bytes.begin(), bytes.end());
  }
  const std::int64_t n = static_cast<std::int64_t>(all.size()) / kRecord;
  const torch::Tensor records = torch::from_blob(all.data(), {n, kRecord}, torch::kUInt8);
  ImageSet set;
  set.labels = records.select(1, 0).to(torch::kInt64);
  set.images = records.narrow(1, 1, kRecord - 1).reshape({n, 3, kSide, kSide}).clone();
  return set;
}

Dataset parse_cifar10(const std::string& folder, const CifarFiles& files) {
  Dataset d;
  d.name = "cifar-10";
  d.source = folder;
  d.class_names = parse_cifar_class_names(files.meta);
  const int classes = d.classes();
  d.train = parse_cifar_batches(files.train, classes);
  check_class_coverage(d.train, classes, folder + " (data_batch_*.bin)", &d.notes);
  d.test = parse_cifar_batches({files.test}, classes);
  return d;
}

Dataset load_cifar10(const std::string& folder) {
  const fs::path dir(folder);
  CifarFiles files;
  for (int i = 1; i <= 5; ++i) {
    const fs::path p = dir / ("data_batch_" + std::to_string(i) + ".bin");
    if (fs::exists(p)) files.train.emplace_back(p.string(), read_file_bytes(p.string()));
  }
  if (files.train.empty()) throw DataError(folder + ": no data_batch_N.bin files (not a CIFAR-10 binary folder)");
  const fs::path test = dir / "test_batch.bin";
  if (!fs::exists(test)) throw DataError(folder + ": test_batch.bin is missing");
  files.test = {test.string(), read_file_bytes(test.string())};
  // batches.meta.txt is optional: without it the classes get CIFAR-10's names.
  std::ifstream in(dir / "batches.meta.txt", std::ios::binary);
  if (in) {
    files.meta.resize(1 << 16);  // ten short names; more than this is not a meta file
    in.read(files.meta.data(), static_cast<std::streamsize>(files.meta.size()));
    files.meta.resize(static_cast<std::size_t>(in.gcount()));
  }
  return parse_cifar10(folder, files);
}

}  // namespace alexnet
