// Files as bytes, and gzip undone in memory with a bound on what it may
// produce: a 10 MB .gz can inflate to 10 GB, so a data set file's size says
// nothing about the memory it needs until it has been checked.
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "io/bounded_file.h"
#include "data/dataset.h"

namespace alexnet {

namespace {

bool starts_like_gzip(const std::vector<std::uint8_t>& raw) {
  return raw.size() >= 2 && raw[0] == 0x1f && raw[1] == 0x8b;
}

std::string gib(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f GiB", double(bytes) / double(1ull << 30));
  return text;
}

}  // namespace

std::uint64_t data_memory_budget() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGESIZE);
  const std::uint64_t physical = pages > 0 && page > 0 ? std::uint64_t(pages) * std::uint64_t(page) : (8ull << 30);
  return physical / 2;  // the set is copied once more into tensors
}

std::vector<std::uint8_t> read_file_bytes(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw DataError(path + ": no such file");
  std::vector<std::uint8_t> bytes;
  const BoundedRead r = read_bounded_file(path, data_memory_budget(), &bytes);
  switch (r.status) {
    case BoundedRead::Status::kRead:
      return bytes;
    case BoundedRead::Status::kCannotOpen:
      throw DataError(path + ": cannot open: " + std::strerror(r.error));
    case BoundedRead::Status::kNotRegular:
      throw DataError(path + ": no such file");
    case BoundedRead::Status::kTooLarge:
      throw DataError(path + ": " + gib(r.size) + ", more than this machine can hold (" + gib(data_memory_budget()) +
                      " for data)");
    case BoundedRead::Status::kCannotRead:
      break;
  }
  throw DataError(path + ": cannot read: " + std::strerror(r.error));
}

std::vector<std::uint8_t> gunzip_bounded(const std::vector<std::uint8_t>& raw, const std::string& name,
                                         std::size_t limit, GunzipLimit on_limit) {
  if (!starts_like_gzip(raw)) {
    if (on_limit == GunzipLimit::kKeepPrefix && raw.size() > limit) {
      return std::vector<std::uint8_t>(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(limit));
    }
    return raw;  // not compressed: the bytes as they are
  }
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) throw DataError(name + ": cannot start decompressing");
  std::vector<std::uint8_t> out;
  z.next_in = const_cast<Bytef*>(raw.data());
  z.avail_in = static_cast<uInt>(std::min<std::size_t>(raw.size(), UINT32_MAX));
  std::size_t fed = z.avail_in;
  for (;;) {
    if (out.size() > limit) break;
    const std::size_t old = out.size();
    // Doubling from 16 KiB (up to 64 MiB a step), never past one byte beyond the
    // limit: a header peek or a small batch costs kilobytes, not a megabyte.
    const std::size_t chunk = std::min(limit + 1 - old, std::clamp(old, std::size_t(16) << 10, std::size_t(64) << 20));
    out.resize(old + chunk);  // grows as data arrives, never to what a header claims
    z.next_out = out.data() + old;
    z.avail_out = static_cast<uInt>(chunk);
    const int rc = inflate(&z, Z_NO_FLUSH);
    out.resize(old + (chunk - z.avail_out));
    if (z.avail_in == 0 && fed < raw.size()) {  // inputs past 4 GiB arrive in pieces
      const std::size_t more = std::min<std::size_t>(raw.size() - fed, UINT32_MAX);
      z.next_in = const_cast<Bytef*>(raw.data() + fed);
      z.avail_in = static_cast<uInt>(more);
      fed += more;
    }
    if (rc == Z_STREAM_END) {
      // Another gzip member may follow (as gzip itself allows); anything else is ignored, as gzip does.
      if (z.avail_in >= 2 && z.next_in[0] == 0x1f && z.next_in[1] == 0x8b) {
        inflateReset(&z);
        continue;
      }
      break;
    }
    if (rc == Z_OK) continue;  // fresh output space each round: anything else means the input is broken or ended
    const std::string message = z.msg ? z.msg : (rc == Z_BUF_ERROR ? "unexpected end of file" : "inflate failed");
    inflateEnd(&z);
    throw DataError(name + ": corrupt compressed data (" + message + ")");
  }
  inflateEnd(&z);
  if (out.size() > limit) {
    if (on_limit == GunzipLimit::kKeepPrefix) {
      out.resize(limit);
      return out;
    }
    throw DataError(name + ": uncompresses to more than " + std::to_string(limit) +
                    " bytes, more than its header (or this machine) allows; refused");
  }
  return out;
}

std::vector<std::uint8_t> read_maybe_gzipped(const std::string& path) {
  return gunzip_bounded(read_file_bytes(path), path, data_memory_budget(), GunzipLimit::kRefuse);
}

}  // namespace alexnet
