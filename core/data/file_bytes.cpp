#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "data/dataset.h"

namespace alexnet {

std::vector<std::uint8_t> read_maybe_gzipped(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw DataError(path + ": no such file");
  }
  // gzread passes uncompressed files through unchanged, so one reader serves both.
  gzFile file = gzopen(path.c_str(), "rb");
  if (!file) throw DataError(path + ": cannot open: " + std::strerror(errno));
  constexpr std::size_t kChunk = 1 << 20;
  constexpr std::size_t kLimit = std::size_t(8) << 30;  // no data set here is larger
  std::vector<std::uint8_t> bytes;
  for (;;) {
    const std::size_t old = bytes.size();
    bytes.resize(old + kChunk);
    const int got = gzread(file, bytes.data() + old, static_cast<unsigned>(kChunk));
    if (got < 0) {
      int code = 0;
      const std::string message = gzerror(file, &code);
      gzclose(file);
      throw DataError(path + ": corrupt compressed data (" + message + ")");
    }
    bytes.resize(old + static_cast<std::size_t>(got));
    if (got == 0) break;
    if (bytes.size() > kLimit) {
      gzclose(file);
      throw DataError(path + ": larger than 8 GiB uncompressed; not a data set file");
    }
  }
  int code = 0;
  const char* message = gzerror(file, &code);
  if (code != Z_OK && code != Z_STREAM_END) {
    const std::string text = message;
    gzclose(file);
    throw DataError(path + ": corrupt compressed data (" + text + ")");
  }
  gzclose(file);
  return bytes;
}

}  // namespace alexnet
