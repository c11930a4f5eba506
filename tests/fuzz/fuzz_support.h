// Shared by the fuzz targets: each calls a byte parser directly, with no
// file I/O per input, so a target runs tens of thousands of inputs a second.
// Only the documented error type may come out; anything else — another
// exception, a broken invariant, a crash, a sanitizer report — is a finding.
//
// Each target is one check(data, size) compiled two ways: with
// ALEXNET_LIBFUZZER as a libFuzzer entry point (`make fuzz`), and otherwise as a
// Qt Test that replays the seed corpus and hand-made bad inputs (`make test`).
#pragma once

#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

namespace fuzz {

inline std::vector<std::uint8_t> vec(const std::string& s) { return std::vector<std::uint8_t>(s.begin(), s.end()); }

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

// What replaying a target's kept corpus gave: the inputs, how many were
// accepted, and every finding (one per line, naming the input).
struct Replay {
  std::size_t inputs = 0;
  int accepted = 0;
  std::string findings;
};

template <typename Check>
Replay replay_corpus(const std::string& root, const std::string& target, Check&& check) {
  Replay r;
  for (const auto& [name, bytes] : corpus(root, target)) {
    const Outcome o = check(bytes_of(bytes), bytes.size());
    ++r.inputs;
    r.accepted += o.accepted;
    if (!o.finding.empty()) r.findings += name + ": " + o.finding + "\n";
  }
  return r;
}

}  // namespace fuzz

// The libFuzzer entry point of a target: its check, with a finding trapped.
#define ALEXNET_FUZZ_ENTRY(check)                                                     \
  extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { \
    fuzz::trap_on(check(data, size));                                                 \
    return 0;                                                                         \
  }

namespace fuzz {}  // namespace fuzz
