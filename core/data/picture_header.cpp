#include "data/picture_header.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace alexnet {

namespace {

std::uint32_t be16(const std::uint8_t* p) { return std::uint32_t(p[0]) << 8 | p[1]; }
std::uint32_t be32(const std::uint8_t* p) { return be16(p) << 16 | be16(p + 2); }
std::uint32_t le16(const std::uint8_t* p) { return std::uint32_t(p[1]) << 8 | p[0]; }
std::uint32_t le32(const std::uint8_t* p) { return le16(p + 2) << 16 | le16(p); }

bool starts_with(const std::uint8_t* data, std::size_t size, const char* magic, std::size_t n) {
  return size >= n && std::memcmp(data, magic, n) == 0;
}

std::optional<PictureHeader> sized(const char* format, std::uint64_t w, std::uint64_t h) {
  return PictureHeader{format, w, h};
}

// Start-of-frame markers carry the size; walk the segments up to the first one.
std::optional<PictureHeader> jpeg(const std::uint8_t* d, std::size_t n) {
  std::size_t i = 2;
  while (i + 4 <= n) {
    if (d[i] != 0xFF) return std::nullopt;
    const std::uint8_t marker = d[i + 1];
    if (marker == 0xFF) {  // fill byte
      ++i;
      continue;
    }
    if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // no length
      i += 2;
      continue;
    }
    const std::uint32_t length = be16(d + i + 2);
    if (length < 2) return std::nullopt;
    const bool frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (frame) {
      if (i + 9 > n) return std::nullopt;
      return sized("jpeg", be16(d + i + 7), be16(d + i + 5));
    }
    i += 2 + length;
  }
  return std::nullopt;
}

// PNM: "P1".."P7", then whitespace- and comment-separated width and height.
std::optional<PictureHeader> pnm(const std::uint8_t* d, std::size_t n) {
  std::size_t i = 2;
  std::uint64_t values[2] = {0, 0};
  if (d[1] == '7') {  // PAM: WIDTH and HEIGHT lines
    std::string text(reinterpret_cast<const char*>(d), std::min<std::size_t>(n, 4096));
    const std::size_t w = text.find("\nWIDTH "), h = text.find("\nHEIGHT ");
    if (w == std::string::npos || h == std::string::npos) return std::nullopt;
    return sized("pnm", std::strtoull(text.c_str() + w + 7, nullptr, 10),
                 std::strtoull(text.c_str() + h + 8, nullptr, 10));
  }
  for (std::uint64_t& v : values) {
    for (;;) {  // skip whitespace and comments
      if (i >= n) return std::nullopt;
      if (d[i] == '#') {
        while (i < n && d[i] != '\n') ++i;
      } else if (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n') {
        ++i;
      } else {
        break;
      }
    }
    if (d[i] < '0' || d[i] > '9') return std::nullopt;
    for (int digits = 0; i < n && d[i] >= '0' && d[i] <= '9'; ++i) {
      if (++digits > 12) return std::nullopt;
      v = v * 10 + (d[i] - '0');
    }
  }
  return sized("pnm", values[0], values[1]);
}

// TIFF: the first IFD's ImageWidth (256) and ImageLength (257) entries.
std::optional<PictureHeader> tiff(const std::uint8_t* d, std::size_t n) {
  const bool little = d[0] == 'I';
  auto u16 = [&](std::size_t at) { return little ? le16(d + at) : be16(d + at); };
  auto u32 = [&](std::size_t at) { return little ? le32(d + at) : be32(d + at); };
  if (n < 8) return std::nullopt;
  const std::size_t ifd = u32(4);
  if (ifd + 2 > n) return std::nullopt;
  const std::uint32_t entries = u16(ifd);
  std::uint64_t w = 0, h = 0;
  for (std::uint32_t e = 0; e < entries; ++e) {
    const std::size_t at = ifd + 2 + 12 * std::size_t(e);
    if (at + 12 > n) return std::nullopt;
    const std::uint32_t tag = u16(at), type = u16(at + 2);
    const std::uint64_t value = type == 3 ? u16(at + 8) : u32(at + 8);  // SHORT or LONG
    if (tag == 256) w = value;
    if (tag == 257) h = value;
    if (w && h) return sized("tiff", w, h);
  }
  return std::nullopt;
}

}  // namespace

std::optional<PictureHeader> read_picture_header(const std::uint8_t* d, std::size_t n) {
  if (starts_with(d, n, "\x89PNG\r\n\x1a\n", 8)) {
    if (n < 24 || std::memcmp(d + 12, "IHDR", 4) != 0) return std::nullopt;
    return sized("png", be32(d + 16), be32(d + 20));
  }
  if (starts_with(d, n, "\xFF\xD8", 2)) return jpeg(d, n);
  if (starts_with(d, n, "BM", 2)) {
    if (n < 26) return std::nullopt;
    const std::uint32_t header = le32(d + 14);
    if (header == 12) return sized("bmp", le16(d + 18), le16(d + 20));  // OS/2 BITMAPCOREHEADER
    const auto h = static_cast<std::int32_t>(le32(d + 22));             // negative: top-down
    return sized("bmp", static_cast<std::int32_t>(le32(d + 18)) < 0 ? 0 : le32(d + 18),
                 h < 0 ? std::uint64_t(-std::int64_t(h)) : std::uint64_t(h));
  }
  if (starts_with(d, n, "GIF87a", 6) || starts_with(d, n, "GIF89a", 6)) {
    if (n < 10) return std::nullopt;
    return sized("gif", le16(d + 6), le16(d + 8));
  }
  if (starts_with(d, n, "RIFF", 4) && n >= 30 && std::memcmp(d + 8, "WEBP", 4) == 0) {
    if (std::memcmp(d + 12, "VP8 ", 4) == 0) return sized("webp", le16(d + 26) & 0x3FFF, le16(d + 28) & 0x3FFF);
    if (std::memcmp(d + 12, "VP8L", 4) == 0) {
      const std::uint32_t bits = le32(d + 21);
      return sized("webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
    }
    if (std::memcmp(d + 12, "VP8X", 4) == 0) {
      const std::uint32_t w = d[24] | d[25] << 8 | d[26] << 16, h = d[27] | d[28] << 8 | d[29] << 16;
      return sized("webp", std::uint64_t(w) + 1, std::uint64_t(h) + 1);
    }
    return std::nullopt;
  }
  if (n >= 3 && d[0] == 'P' && d[1] >= '1' && d[1] <= '7' &&
      (d[2] == ' ' || d[2] == '\n' || d[2] == '\r' || d[2] == '\t')) {
    return pnm(d, n);
  }
  if (starts_with(d, n, "II*\0", 4) || starts_with(d, n, "MM\0*", 4)) return tiff(d, n);
  return std::nullopt;
}

}  // namespace alexnet
