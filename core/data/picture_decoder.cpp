// OpenCV is used for decoding and resizing only: Debian's build pulls in
// highgui, whose windows would drag Qt 5 into the process.
#include "data/picture_decoder.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <thread>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "data/dataset.h"
#include "data/picture_header.h"

namespace alexnet {

namespace {

// No picture of a training set is near this; reading a larger file would be the cost.
constexpr std::uint64_t kMaxPictureFileBytes = std::uint64_t(256) << 20;
// Enough for the header of almost every picture; more only when the size hides further in.
constexpr std::size_t kHeaderPrefixBytes = 64 * 1024;

// The picture's bytes after its header passed, or why not.
PictureCheck read_checked(const std::string& path, std::uint64_t max_pixels, std::vector<std::uint8_t>* whole) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return PictureCheck::Unreadable;
  const std::streamoff length = in.tellg();
  if (length < 0) return PictureCheck::Unreadable;
  if (static_cast<std::uint64_t>(length) > kMaxPictureFileBytes) return PictureCheck::TooLarge;
  in.seekg(0);
  const std::size_t first = std::min<std::size_t>(kHeaderPrefixBytes, static_cast<std::size_t>(length));
  std::vector<std::uint8_t> bytes(first);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(first)))
    return PictureCheck::Unreadable;
  std::optional<PictureHeader> header = read_picture_header(bytes.data(), bytes.size());
  const bool need_all = whole != nullptr || (!header && first < static_cast<std::size_t>(length));
  if (need_all && first < static_cast<std::size_t>(length)) {
    bytes.resize(static_cast<std::size_t>(length));
    if (!in.read(reinterpret_cast<char*>(bytes.data() + first),
                 static_cast<std::streamsize>(length) - std::streamsize(first))) {
      return PictureCheck::Unreadable;
    }
    if (!header) header = read_picture_header(bytes.data(), bytes.size());
  }
  if (!header) return PictureCheck::Unchecked;
  if (header->pixels() > max_pixels) return PictureCheck::TooLarge;
  if (whole) *whole = std::move(bytes);
  return PictureCheck::Ok;
}

// One picture as S x S RGB bytes into `out`; false when it fails.
bool decode_one(const std::string& path, int size, std::uint64_t max_pixels, std::uint8_t* out) {
  std::vector<std::uint8_t> data;
  if (read_checked(path, max_pixels, &data) != PictureCheck::Ok) return false;
  cv::Mat bgr;
  try {
    bgr = cv::imdecode(cv::Mat(1, static_cast<int>(data.size()), CV_8U, data.data()), cv::IMREAD_COLOR);
  } catch (const cv::Exception&) {
    return false;  // refused by OpenCV's own limits
  }
  if (bgr.empty()) return false;
  cv::Mat rgb, resized;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  cv::resize(rgb, resized, cv::Size(size, size), 0, 0, rgb.cols > size ? cv::INTER_AREA : cv::INTER_LINEAR);
  // HWC -> CHW
  const std::size_t plane = static_cast<std::size_t>(size) * size;
  for (std::size_t p = 0; p < plane; ++p) {
    for (int c = 0; c < 3; ++c) out[c * plane + p] = resized.data[p * 3 + c];
  }
  return true;
}

}  // namespace

PictureCheck check_picture_file(const std::string& path, std::uint64_t max_pixels) {
  return read_checked(path, max_pixels, nullptr);
}

torch::Tensor decode_pictures(const PictureList& list, const std::vector<std::int64_t>& rows, int threads,
                              std::vector<bool>* ok) {
  const auto n = static_cast<std::int64_t>(rows.size());
  const int s = list.size;
  torch::Tensor out = torch::zeros({n, 3, s, s}, torch::kUInt8);
  std::vector<char> good(static_cast<std::size_t>(n), 0);
  std::uint8_t* base = out.data_ptr<std::uint8_t>();
  const std::size_t stride = std::size_t(3) * s * s;
  auto work = [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      const std::string& path = list.paths.at(static_cast<std::size_t>(rows[static_cast<std::size_t>(i)]));
      good[static_cast<std::size_t>(i)] = decode_one(path, s, list.max_pixels, base + stride * std::size_t(i));
      if (!good[static_cast<std::size_t>(i)]) std::memset(base + stride * std::size_t(i), 0, stride);
    }
  };
  const int t = static_cast<int>(std::clamp<std::int64_t>(threads, 1, std::max<std::int64_t>(1, n / 16)));
  if (t == 1) {
    work(0, n);
  } else {
    std::vector<std::thread> pool;
    for (int k = 0; k < t; ++k) pool.emplace_back(work, n * k / t, n * (k + 1) / t);
    for (std::thread& th : pool) th.join();
  }
  if (ok) ok->assign(good.begin(), good.end());
  return out;
}

}  // namespace alexnet
