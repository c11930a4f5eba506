// A run folder is untrusted input: it may come from a colleague, an archive or
// the internet. Every path taken from inside it (a file name in probes.jsonl,
// the checkpoint folder latest.json names, the files we append to) must stay
// inside it, also through symbolic links.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>

namespace alexnet {

// No text file of a run is near this: a 25,000-iteration run's metrics.csv is ~10 MB.
constexpr std::size_t kMaxRunTextBytes = std::size_t(256) << 20;
// A line longer than this in metrics.csv or probes.jsonl is not one we wrote.
constexpr std::size_t kMaxRunLineBytes = std::size_t(1) << 20;

// True when `relative` is a relative path of plain names: not empty, not
// absolute, no "." or ".." component, no NUL or backslash. Purely lexical.
bool is_plain_relative_path(const std::string& relative);

// `run_dir`/`relative`, refused with StoreError naming `named_in` (the file
// that named the path) when it is not a plain relative path or when, with
// symbolic links resolved, it leads outside the run folder. The file need
// not exist.
std::string path_inside_run(const std::string& run_dir, const std::string& relative, const std::string& named_in);

// A file of the run folder, confined as above and at most `max_bytes` long.
// Throws StoreError naming the file.
std::string read_run_file(const std::string& run_dir, const std::string& relative,
                          std::size_t max_bytes = kMaxRunTextBytes);

// Whether `relative` is there (a symbolic link counts, wherever it leads:
// reading it is what refuses it, naming it).
bool run_file_exists(const std::string& run_dir, const std::string& relative);

// Opens `path` for appending (created when missing) without following a
// symbolic link in its last component. Throws StoreError naming the file.
std::FILE* open_for_append(const std::string& path, const char* mode = "a");

}  // namespace alexnet
