// A folder with one sub-folder per class (optionally inside train/ and test/),
// decoded with OpenCV. OpenCV is used for decoding and resizing only: Debian's
// build pulls in highgui, whose windows would drag Qt 5 into the process.
#include <algorithm>
#include <cstring>
#include <filesystem>

#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "data/dataset.h"

namespace alexnet {
namespace fs = std::filesystem;

namespace {

struct DecodeTally {
  std::int64_t skipped = 0;
  std::string first_skipped;
};

std::vector<std::string> class_folders(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && !name.empty() && name[0] != '.') names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

ImageSet decode_split(const fs::path& dir, const std::vector<std::string>& classes, int size,
                      DecodeTally* tally) {
  std::vector<cv::Mat> images;
  std::vector<std::int64_t> labels;
  for (std::size_t c = 0; c < classes.size(); ++c) {
    const fs::path class_dir = dir / classes[c];
    if (!fs::is_directory(class_dir)) {
      throw DataError(class_dir.string() + ": class folder missing (it exists in the training split)");
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(class_dir)) {
      const std::string name = entry.path().filename().string();
      if (entry.is_regular_file() && !name.empty() && name[0] != '.') files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) throw DataError(class_dir.string() + ": empty class folder");
    std::int64_t decoded = 0;
    for (const fs::path& file : files) {
      cv::Mat bgr = cv::imread(file.string(), cv::IMREAD_COLOR);
      if (bgr.empty()) {
        if (tally->skipped++ == 0) tally->first_skipped = file.string();
        continue;
      }
      cv::Mat rgb, resized;
      cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
      cv::resize(rgb, resized, cv::Size(size, size), 0, 0,
                 rgb.cols > size ? cv::INTER_AREA : cv::INTER_LINEAR);
      images.push_back(resized);
      labels.push_back(static_cast<std::int64_t>(c));
      ++decoded;
    }
    if (decoded == 0) {
      throw DataError(class_dir.string() + ": none of its " + std::to_string(files.size()) +
                      " files decodes as an image");
    }
  }
  const auto n = static_cast<std::int64_t>(images.size());
  ImageSet set;
  set.images = torch::empty({n, size, size, 3}, torch::kUInt8);
  for (std::int64_t i = 0; i < n; ++i) {
    std::memcpy(set.images[i].data_ptr(), images[i].data, static_cast<std::size_t>(size) * size * 3);
  }
  set.images = set.images.permute({0, 3, 1, 2}).contiguous();
  set.labels = torch::tensor(labels, torch::kInt64);
  return set;
}

}  // namespace

Dataset load_image_folder(const std::string& folder, const LoadOptions& options) {
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
  const fs::path dir(folder);
  const bool has_splits = fs::is_directory(dir / "train") && fs::is_directory(dir / "test");
  const fs::path train_dir = has_splits ? dir / "train" : dir;
  Dataset d;
  d.name = dir.filename().string();
  d.source = folder;
  d.class_names = class_folders(train_dir);
  if (d.class_names.size() < 2) {
    throw DataError(train_dir.string() + ": an image folder needs at least two class sub-folders, found " +
                    std::to_string(d.class_names.size()));
  }
  DecodeTally tally;
  if (has_splits) {
    d.train = decode_split(train_dir, d.class_names, options.image_size, &tally);
    d.test = decode_split(dir / "test", d.class_names, options.image_size, &tally);
  } else {
    const ImageSet all = decode_split(dir, d.class_names, options.image_size, &tally);
    split_held_out(all, options.held_out_fraction, &d.train, &d.test);
    d.notes.push_back("no train/ and test/ sub-folders: " + std::to_string(d.test.size()) +
                      " images are held out for testing");
  }
  if (tally.skipped > 0) {
    d.notes.push_back("warning: skipped " + std::to_string(tally.skipped) +
                      " file(s) that do not decode as images (first: " + tally.first_skipped + ")");
  }
  return d;
}

}  // namespace alexnet
