// Shared by the fuzz targets: the parsers read files, so each input is written
// into a scratch folder (on /dev/shm when there is one) and parsed from there.
// Only the documented error type may come out; anything else — another
// exception, a crash, a sanitizer report — is a finding.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fuzz {

inline const std::filesystem::path& scratch() {
  static const std::filesystem::path dir = [] {
    const std::filesystem::path base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    std::filesystem::path d = base / ("alexnet-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

inline std::string put(const std::string& name, const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path p = scratch() / name;
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return p.string();
}

inline std::string put(const std::string& name, const std::string& text) {
  return put(name, reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

// Splits an input at NUL bytes into at most `parts` pieces (the rest stays in the last).
inline std::vector<std::string> split(const std::uint8_t* data, std::size_t size, std::size_t parts) {
  std::vector<std::string> out(1);
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0 && out.size() < parts) out.emplace_back();
    else out.back().push_back(static_cast<char>(data[i]));
  }
  out.resize(parts);
  return out;
}

}  // namespace fuzz
