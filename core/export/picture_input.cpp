#include "data/picture_header.h"
#include "export/picture_input.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "run/run_store.h"

namespace alexnet {

namespace {

std::vector<float> prepare_mat(const cv::Mat& picture, const PictureTransform& t) {
  const int s = t.input_size;
  // In float from the start: resizing uint8 would round every pixel to a whole value.
  cv::Mat unit, resized;
  picture.convertTo(unit, CV_32F, 1.0 / 255.0);
  // The image-folder loader's choice: area averaging when shrinking, bilinear
  // (half-pixel centres, as torch's interpolate) when enlarging.
  cv::resize(unit, resized, cv::Size(s, s), 0, 0, picture.cols > s ? cv::INTER_AREA : cv::INTER_LINEAR);
  const int source = t.source_channels;
  std::vector<float> out(static_cast<std::size_t>(3) * s * s);
  for (int c = 0; c < 3; ++c) {
    const int from = source == 1 ? 0 : c;
    const float mean = t.mean[static_cast<std::size_t>(from)];
    const float std = t.std[static_cast<std::size_t>(from)];
    float* plane = out.data() + static_cast<std::size_t>(c) * s * s;
    for (int y = 0; y < s; ++y) {
      const float* row = resized.ptr<float>(y);
      for (int x = 0; x < s; ++x) plane[y * s + x] = (row[x * source + from] - mean) / std;
    }
  }
  return out;
}

void check_transform(const PictureTransform& t) {
  const auto channels = static_cast<std::size_t>(t.source_channels);
  if ((t.source_channels != 1 && t.source_channels != 3) || t.mean.size() != channels || t.std.size() != channels ||
      t.input_size < 1) {
    throw PictureError("the picture transform is inconsistent (channels, mean and std disagree)");
  }
}

}  // namespace

std::vector<float> prepare_picture_bytes(const std::string& bytes, const PictureTransform& t, const std::string& what) {
  check_transform(t);
  // The header first: a picture that claims gigapixels is refused before OpenCV
  // allocates for it, as the image-folder loader does.
  const std::optional<PictureHeader> header =
      read_picture_header(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  if (!header) {
    throw PictureError(what +
                       ": not a picture whose size can be checked before decoding (PNG, JPEG, BMP, GIF, WebP, "
                       "PNM or TIFF)");
  }
  if (header->pixels() > kDefaultMaxPicturePixels) {
    throw PictureError(what + ": its header claims " + std::to_string(header->width) + " x " +
                       std::to_string(header->height) + " pixels, more than " +
                       std::to_string(kDefaultMaxPicturePixels) + "; not decoded");
  }
  cv::Mat decoded;
  try {
    const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
    // Decoding as grey or colour directly is what the loaders did with the training pictures.
    decoded = cv::imdecode(buffer, t.source_channels == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    throw PictureError(what + ": cannot decode the picture (" + e.err + ")");
  }
  if (decoded.empty()) throw PictureError(what + ": not a picture OpenCV can decode");
  if (t.source_channels == 3) cv::cvtColor(decoded, decoded, cv::COLOR_BGR2RGB);
  return prepare_mat(decoded, t);
}

std::vector<float> prepare_picture_file(const std::string& path, const PictureTransform& t) {
  std::string bytes;
  try {
    bytes = read_whole_file(path);
  } catch (const StoreError& e) {
    throw PictureError(e.what());  // one picture that cannot be read does not stop the others
  }
  return prepare_picture_bytes(bytes, t, path);
}

}  // namespace alexnet
