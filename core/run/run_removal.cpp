#include "run/run_removal.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "run/run_catalog.h"
#include "run/run_paths.h"
#include "run/run_store.h"

namespace alexnet {
namespace fs = std::filesystem;

namespace {

fs::path trash_dir() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  const char* home = std::getenv("HOME");
  const fs::path base = (xdg && *xdg) ? fs::path(xdg) : fs::path(home ? home : ".") / ".local" / "share";
  return base / "Trash";
}

// "%" escapes as the trash specification asks for Path= (RFC 2396 style).
std::string uri_escaped(const std::string& path) {
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || std::strchr("/-_.~", c)) {
      out.push_back(static_cast<char>(c));
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

void require_run_folder(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(dir, ec)) ||
      !fs::is_regular_file(fs::symlink_status(dir / "config.json", ec))) {
    throw StoreError(dir.string() + " is not a run folder (no config.json in it); it was left untouched");
  }
  // Moving a folder a trainer is writing would lose what it writes next.
  if (run_is_being_written(dir.string())) {
    throw StoreError(dir.string() + " is being trained now; stop it first. It was left untouched");
  }
}

}  // namespace

std::string move_run_to_trash(const std::string& run_dir) {
  const fs::path dir = fs::path(run_dir).lexically_normal();
  std::error_code ec;
  if (fs::is_symlink(fs::symlink_status(dir, ec))) {
    // The link is all that is ours to delete: the folder it leads to stays.
    if (!fs::remove(dir, ec) || ec) throw StoreError("cannot remove the link " + dir.string() + ": " + ec.message());
    return "";
  }
  require_run_folder(dir);
  const fs::path files = trash_dir() / "files";
  const fs::path info = trash_dir() / "info";
  fs::create_directories(files, ec);
  if (!ec) fs::create_directories(info, ec);
  if (ec) throw StoreError("cannot create the trash " + trash_dir().string() + ": " + ec.message());
  // A free name in the trash; the .trashinfo is written first, as the specification asks.
  const std::string stem = dir.filename().string();
  std::string name = stem;
  for (int n = 2;
       fs::exists(fs::symlink_status(files / name)) || fs::exists(fs::symlink_status(info / (name + ".trashinfo")));
       ++n) {
    name = stem + "." + std::to_string(n);
  }
  char when[32];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
  const fs::path info_file = info / (name + ".trashinfo");
  write_file_atomically(info_file.string(), "[Trash Info]\nPath=" + uri_escaped(fs::absolute(dir).string()) +
                                                "\nDeletionDate=" + when + "\n");
  if (std::rename(dir.c_str(), (files / name).c_str()) != 0) {
    const int saved = errno;
    fs::remove(info_file, ec);
    throw StoreError("cannot move " + dir.string() + " to the trash (" + trash_dir().string() + "): " +
                     (saved == EXDEV ? std::string("it is on another file system; nothing was deleted")
                                     : std::string(std::strerror(saved))));
  }
  return (files / name).string();
}

std::string rename_run(const std::string& run_dir, const std::string& new_name) {
  if (!is_plain_relative_path(new_name) || new_name.find('/') != std::string::npos) {
    throw StoreError("\"" + new_name + "\" is not a name for a run folder (no '/', not \".\" or \"..\")");
  }
  const fs::path dir = fs::path(run_dir).lexically_normal();
  std::error_code ec;
  if (!fs::is_symlink(fs::symlink_status(dir, ec))) require_run_folder(dir);
  const fs::path target = dir.parent_path() / new_name;
  if (fs::exists(fs::symlink_status(target, ec))) {
    throw StoreError("cannot rename " + dir.string() + ": " + target.string() + " already exists");
  }
  if (std::rename(dir.c_str(), target.c_str()) != 0) {
    throw StoreError("cannot rename " + dir.string() + " to " + target.string() + ": " + std::strerror(errno));
  }
  return target.string();
}

}  // namespace alexnet
