#include "io/bounded_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace alexnet {

template <typename Bytes>
BoundedRead read_bounded_file(const std::string& path, std::uint64_t max_bytes, Bytes* bytes) {
  BoundedRead r;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {BoundedRead::Status::kCannotOpen, errno, 0};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    r = {BoundedRead::Status::kCannotRead, errno, 0};
  } else if (!S_ISREG(st.st_mode)) {
    r.status = BoundedRead::Status::kNotRegular;
  } else if ((r.size = static_cast<std::uint64_t>(st.st_size)) > max_bytes) {
    r.status = BoundedRead::Status::kTooLarge;
  } else {
    bytes->resize(static_cast<std::size_t>(r.size));
    std::size_t done = 0;
    while (done < bytes->size()) {
      const ssize_t n = ::read(fd, bytes->data() + done, bytes->size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        r = {BoundedRead::Status::kCannotRead, errno, r.size};
        break;
      }
      if (n == 0) break;  // shrank while read: keep what is there
      done += static_cast<std::size_t>(n);
    }
    bytes->resize(done);
  }
  ::close(fd);
  return r;
}

template BoundedRead read_bounded_file(const std::string&, std::uint64_t, std::string*);
template BoundedRead read_bounded_file(const std::string&, std::uint64_t, std::vector<std::uint8_t>*);

}  // namespace alexnet
