// A folder with one sub-folder per class (optionally inside train/ and test/):
// listed with every picture's header checked, then decoded whole when it fits
// the memory budget, or streamed from disk batch by batch when it does not.
#include <algorithm>
#include <filesystem>
#include <numeric>
#include <thread>

#include <opencv2/core/utils/logger.hpp>

#include "data/dataset.h"
#include "platform/system_info.h"
#include "data/picture_decoder.h"

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

std::vector<std::string> class_folders(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && !name.empty() && name[0] != '.') names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// A split's pictures by class, in name order, those whose header passes the
// check; the rest are counted in the tally.
struct Listing {
  std::vector<std::string> paths;
  std::vector<std::int64_t> labels;
};

Listing list_split(const fs::path& dir, const std::vector<std::string>& classes, std::uint64_t max_pixels,
                   DecodeTally* tally) {
  Listing listing;
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
    std::int64_t kept = 0;
    for (const fs::path& file : files) {
      switch (check_picture_file(file.string(), max_pixels)) {
        case PictureCheck::Ok:
          listing.paths.push_back(file.string());
          listing.labels.push_back(static_cast<std::int64_t>(c));
          ++kept;
          break;
        case PictureCheck::Unreadable:
          count(&tally->skipped, &tally->first_skipped, file);
          break;
        case PictureCheck::TooLarge:
          count(&tally->too_large, &tally->first_too_large, file);
          break;
        case PictureCheck::Unchecked:
          count(&tally->unchecked, &tally->first_unchecked, file);
          break;
      }
    }
    if (kept == 0) {
      throw DataError(class_dir.string() + ": none of its " + std::to_string(files.size()) +
                      " files decodes as an image of a checkable size (PNG, JPEG, BMP, GIF, WebP, PNM, TIFF; at most " +
                      std::to_string(max_pixels) + " pixels)");
    }
  }
  return listing;
}

// The listed pictures as a set: streamed (decoded per batch), or decoded now
// on every core, dropping (and counting) those that do not decode.
ImageSet make_split(const Listing& listing, const LoadOptions& options, bool stream, DecodeTally* tally) {
  auto list = std::make_shared<PictureList>();
  list->paths = listing.paths;
  list->size = options.image_size;
  list->max_pixels = options.max_picture_pixels;
  ImageSet set;
  set.labels = torch::tensor(listing.labels, torch::kInt64);
  if (stream) {
    set.pictures = list;
    return set;
  }
  std::vector<std::int64_t> rows(listing.paths.size());
  std::iota(rows.begin(), rows.end(), 0);
  std::vector<bool> ok;
  const int threads = core_count();
  const torch::Tensor decoded = decode_pictures(*list, rows, threads, &ok);
  std::vector<std::int64_t> kept;
  for (std::size_t i = 0; i < ok.size(); ++i) {
    if (ok[i]) {
      kept.push_back(static_cast<std::int64_t>(i));
    } else {
      count(&tally->skipped, &tally->first_skipped, listing.paths[i]);
    }
  }
  const torch::Tensor index = torch::tensor(kept, torch::kInt64);
  set.images = decoded.index_select(0, index);
  set.labels = set.labels.index_select(0, index);
  std::vector<std::string> kept_paths;
  for (std::int64_t k : kept) kept_paths.push_back(list->paths[static_cast<std::size_t>(k)]);
  list->paths = std::move(kept_paths);
  set.pictures = list;  // the folder's rows, so its normalisation is sampled as when streamed
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
  const Listing train = list_split(train_dir, d.class_names, options.max_picture_pixels, &tally);
  const Listing test =
      has_splits ? list_split(dir / "test", d.class_names, options.max_picture_pixels, &tally) : Listing{};
  // Decoded up front when that fits the budget; streamed from disk otherwise.
  const std::uint64_t budget = options.cache_budget_bytes > 0
                                   ? options.cache_budget_bytes
                                   : std::min<std::uint64_t>(std::uint64_t(2) << 30, data_memory_budget() / 4);
  const std::uint64_t decoded_bytes = std::uint64_t(train.paths.size() + test.paths.size()) * 3 *
                                      std::uint64_t(options.image_size) * std::uint64_t(options.image_size);
  const bool stream = decoded_bytes > budget;
  if (stream) {
    d.notes.push_back("streaming " + std::to_string(train.paths.size() + test.paths.size()) +
                      " pictures from disk on loader threads: decoded at " + std::to_string(options.image_size) +
                      " x " + std::to_string(options.image_size) + " they would take " +
                      std::to_string(decoded_bytes >> 20) + " MiB, more than the " + std::to_string(budget >> 20) +
                      " MiB budget for holding them in memory");
  }
  if (has_splits) {
    d.train = make_split(train, options, stream, &tally);
    d.test = make_split(test, options, stream, &tally);
  } else {
    const ImageSet all = make_split(train, options, stream, &tally);
    split_held_out(all, options.held_out_fraction, &d.train, &d.test);
    d.notes.push_back("no train/ and test/ sub-folders: " + std::to_string(d.test.size()) +
                      " images are held out for testing");
  }
  if (tally.skipped > 0) {
    d.notes.push_back("warning: skipped " + std::to_string(tally.skipped) +
                      " file(s) that do not decode as images (first: " + tally.first_skipped + ")");
  }
  if (tally.too_large > 0) {
    d.notes.push_back("warning: skipped " + std::to_string(tally.too_large) +
                      " picture(s) whose header claims more than " + std::to_string(options.max_picture_pixels) +
                      " pixels (--max-picture-pixels), without decoding them (first: " + tally.first_too_large + ")");
  }
  if (tally.unchecked > 0) {
    d.notes.push_back("warning: skipped " + std::to_string(tally.unchecked) +
                      " file(s) in a format whose size cannot be checked before decoding (only PNG, JPEG, BMP, GIF, "
                      "WebP, PNM and TIFF are read; first: " +
                      tally.first_unchecked + ")");
  }
  return d;
}

}  // namespace alexnet
