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
#include "data/picture_header.h"

namespace alexnet {
namespace fs = std::filesystem;

namespace {

struct DecodeTally {
  std::int64_t skipped = 0;  // not a picture OpenCV decodes
  std::string first_skipped;
  std::int64_t too_large = 0;  // claims more pixels than allowed, or a file beyond any picture
  std::string first_too_large;
  std::int64_t unchecked = 0;  // a format whose size cannot be read before decoding
  std::string first_unchecked;
};

void count(std::int64_t* n, std::string* first, const fs::path& file) {
  if ((*n)++ == 0) *first = file.string();
}

// No picture of a training set is near this; reading a larger file would be the cost.
constexpr std::uintmax_t kMaxPictureFileBytes = std::uintmax_t(256) << 20;

// The picture decoded as BGR, or empty when it is skipped (and counted why).
// Its header is checked first: nothing that claims too many pixels, or whose
// size cannot be known before decoding, reaches the decoder.
cv::Mat decode_checked(const fs::path& file, std::uint64_t max_pixels, DecodeTally* tally) {
  std::error_code ec;
  const std::uintmax_t bytes = fs::file_size(file, ec);
  if (ec || bytes > kMaxPictureFileBytes) {
    count(&tally->too_large, &tally->first_too_large, file);
    return {};
  }
  std::vector<std::uint8_t> data;
  try {
    data = read_file_bytes(file.string());
  } catch (const DataError&) {
    count(&tally->skipped, &tally->first_skipped, file);
    return {};
  }
  const std::optional<PictureHeader> header = read_picture_header(data.data(), data.size());
  if (!header) {
    count(&tally->unchecked, &tally->first_unchecked, file);
    return {};
  }
  if (header->pixels() > max_pixels) {
    count(&tally->too_large, &tally->first_too_large, file);
    return {};
  }
  cv::Mat bgr;
  try {
    bgr = cv::imdecode(cv::Mat(1, static_cast<int>(data.size()), CV_8U, data.data()), cv::IMREAD_COLOR);
  } catch (const cv::Exception&) {
    bgr = cv::Mat();  // refused by OpenCV's own limits
  }
  if (bgr.empty()) count(&tally->skipped, &tally->first_skipped, file);
  return bgr;
}

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
                      std::uint64_t max_pixels, DecodeTally* tally) {
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
      const cv::Mat bgr = decode_checked(file, max_pixels, tally);
      if (bgr.empty()) continue;
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
                      " files decodes as an image of a checkable size (PNG, JPEG, BMP, GIF, WebP, PNM, TIFF; at most " +
                      std::to_string(max_pixels) + " pixels)");
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
    d.train = decode_split(train_dir, d.class_names, options.image_size, options.max_picture_pixels, &tally);
    d.test = decode_split(dir / "test", d.class_names, options.image_size, options.max_picture_pixels, &tally);
  } else {
    const ImageSet all = decode_split(dir, d.class_names, options.image_size, options.max_picture_pixels, &tally);
    split_held_out(all, options.held_out_fraction, &d.train, &d.test);
    d.notes.push_back("no train/ and test/ sub-folders: " + std::to_string(d.test.size()) +
                      " images are held out for testing");
  }
  if (tally.skipped > 0) {
    d.notes.push_back("warning: skipped " + std::to_string(tally.skipped) +
                      " file(s) that do not decode as images (first: " + tally.first_skipped + ")");
  }
  if (tally.too_large > 0) {
    d.notes.push_back("warning: skipped " + std::to_string(tally.too_large) + " picture(s) whose header claims more than " +
                      std::to_string(options.max_picture_pixels) +
                      " pixels (--max-picture-pixels), without decoding them (first: " + tally.first_too_large + ")");
  }
  if (tally.unchecked > 0) {
    d.notes.push_back("warning: skipped " + std::to_string(tally.unchecked) +
                      " file(s) in a format whose size cannot be checked before decoding (only PNG, JPEG, BMP, GIF, "
                      "WebP, PNM and TIFF are read; first: " + tally.first_unchecked + ")");
  }
  return d;
}

}  // namespace alexnet
