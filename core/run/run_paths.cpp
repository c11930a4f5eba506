#include "run/run_paths.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "io/bounded_file.h"
#include "run/run_store.h"

namespace alexnet {
namespace fs = std::filesystem;

namespace {

// With every link resolved; a missing tail is kept as written.
fs::path resolved(const fs::path& p) {
  std::error_code ec;
  fs::path r = fs::weakly_canonical(p, ec);
  return ec ? p.lexically_normal() : r;
}

bool is_within(const fs::path& inner, const fs::path& outer) {
  auto o = outer.begin();
  auto i = inner.begin();
  for (; o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // a trailing separator
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

}  // namespace

bool is_plain_relative_path(const std::string& relative) {
  if (relative.empty() || relative.front() == '/') return false;
  if (relative.find('\0') != std::string::npos || relative.find('\\') != std::string::npos) return false;
  std::size_t start = 0;
  while (start <= relative.size()) {
    std::size_t end = relative.find('/', start);
    if (end == std::string::npos) end = relative.size();
    const std::string part = relative.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

std::string path_inside_run(const std::string& run_dir, const std::string& relative, const std::string& named_in) {
  if (!is_plain_relative_path(relative)) {
    throw StoreError(named_in + " names \"" + relative + "\", which is not a path inside the run folder; refused");
  }
  const fs::path root = resolved(fs::absolute(run_dir));
  const fs::path target = resolved(fs::absolute(fs::path(run_dir) / relative));
  if (!is_within(target, root)) {
    throw StoreError((fs::path(run_dir) / relative).string() + " leads outside the run folder (to " + target.string() +
                     "); refused");
  }
  return (fs::path(run_dir) / relative).string();
}

std::string read_run_file(const std::string& run_dir, const std::string& relative, std::size_t max_bytes) {
  const std::string path = path_inside_run(run_dir, relative, run_dir);
  std::string bytes;
  const BoundedRead r = read_bounded_file(path, max_bytes, &bytes);
  switch (r.status) {
    case BoundedRead::Status::kRead:
      return bytes;
    case BoundedRead::Status::kCannotOpen:
      throw StoreError("cannot open " + path + ": " + std::strerror(r.error));
    case BoundedRead::Status::kNotRegular:
      throw StoreError(path + " is not a regular file");
    case BoundedRead::Status::kTooLarge:
      throw StoreError(path + " is " + std::to_string(r.size >> 20) + " MiB, more than any run file (" +
                       std::to_string(max_bytes >> 20) + " MiB); refused");
    case BoundedRead::Status::kCannotRead:
      break;
  }
  throw StoreError("cannot read " + path + ": " + std::strerror(r.error));
}

bool run_file_exists(const std::string& run_dir, const std::string& relative) {
  // A link counts even when it leads out or nowhere: reading it then refuses it by name.
  std::error_code ec;
  return fs::exists(fs::symlink_status(fs::path(run_dir) / relative, ec));
}

std::FILE* open_for_append(const std::string& path, const char* mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int saved = errno;
    throw StoreError("cannot open " + path + ": " +
                     (saved == ELOOP ? std::string("it is a symbolic link, and a run folder's files must be in it")
                                     : std::string(std::strerror(saved))));
  }
  std::FILE* file = ::fdopen(fd, mode);
  if (!file) {
    ::close(fd);
    throw StoreError("cannot open " + path + ": " + std::strerror(errno));
  }
  return file;
}

}  // namespace alexnet
