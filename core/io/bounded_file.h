// A file read whole into memory, with its size checked before anything is
// allocated: shared by the data loaders and the run-folder reader, which
// report what went wrong each in their own error type.
#pragma once

#include <cstdint>
#include <string>

namespace alexnet {

struct BoundedRead {
  enum class Status { kRead, kCannotOpen, kNotRegular, kTooLarge, kCannotRead };
  Status status = Status::kRead;
  int error = 0;           // errno, for kCannotOpen and kCannotRead
  std::uint64_t size = 0;  // the file's size, once known
};

// Fills `bytes` (std::string or std::vector<std::uint8_t>) with the file when
// it is a regular file of at most `max_bytes`. A file that shrinks while it
// is read gives what was there.
template <typename Bytes>
BoundedRead read_bounded_file(const std::string& path, std::uint64_t max_bytes, Bytes* bytes);

}  // namespace alexnet
