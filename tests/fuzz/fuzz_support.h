// Shared by the fuzz targets: the parsers read files, so each input is written
// into a scratch folder (on /dev/shm when there is one) and parsed from there.
// Only the documented error type may come out; anything else — another
// exception, a broken invariant, a crash, a sanitizer report — is a finding.
//
// Each target is one check(data, size) compiled two ways: with
// ALEXNET_LIBFUZZER as a libFuzzer entry point (`make fuzz`), and otherwise as a
// Qt Test that replays the seed corpus and hand-made bad inputs (`make test`).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <iterator>
#include <utility>
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

// What one input did: parsed, refused with the documented error, or a finding.
struct Outcome {
  bool accepted = false;
  std::string finding;  // empty unless something other than the documented refusal happened
};

// Runs `parse` (which returns an invariant violation, or "" when the result is
// sound) and sorts what comes out.
template <typename DocumentedError, typename Parse>
Outcome classify(Parse&& parse) {
  Outcome o;
  try {
    o.finding = parse();
    o.accepted = o.finding.empty();
  } catch (const DocumentedError&) {
  } catch (const std::exception& e) {
    o.finding = std::string("undocumented exception: ") + e.what();
  } catch (...) {
    o.finding = "a non-standard exception";
  }
  return o;
}

// In the libFuzzer build a finding stops the run with the input saved.
inline void trap_on(const Outcome& o) {
  if (!o.finding.empty()) {
    std::fprintf(stderr, "finding: %s\n", o.finding.c_str());
    __builtin_trap();
  }
}

// Every file of tests/fuzz/corpus/TARGET, as (name, bytes).
inline std::vector<std::pair<std::string, std::string>> corpus(const std::string& root, const std::string& target) {
  std::vector<std::pair<std::string, std::string>> inputs;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(root) / target)) {
    std::ifstream in(entry.path(), std::ios::binary);
    inputs.emplace_back(entry.path().filename().string(),
                        std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()));
  }
  return inputs;
}

inline const std::uint8_t* bytes_of(const std::string& s) { return reinterpret_cast<const std::uint8_t*>(s.data()); }

}  // namespace fuzz
