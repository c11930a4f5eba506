// The size a picture claims in its header, read without decoding it. A
// picture from a stranger can claim 30,000 x 30,000 pixels in an 880 KB PNG;
// OpenCV would then spend 11 s and 5.4 GB decoding it. Loaders look here first
// and skip what claims more than a limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace alexnet {

// More than any photograph a convnet here is trained on (a 45-megapixel
// camera); adjustable with --max-picture-pixels.
constexpr std::uint64_t kDefaultMaxPicturePixels = 50'000'000;

struct PictureHeader {
  std::string format;  // "png", "jpeg", "bmp", "gif", "webp", "pnm", "tiff"
  std::uint64_t width = 0;
  std::uint64_t height = 0;
  std::uint64_t pixels() const { return width * height; }
};

// The format and size from the first bytes of a file (at most what a header
// needs; `size` may be the whole file). Nothing when the format is not one of
// those above or its header is damaged or cut short before the size.
std::optional<PictureHeader> read_picture_header(const std::uint8_t* data, std::size_t size);

}  // namespace alexnet
