#include "run/run_catalog.h"
#include "run/findings_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "run/run_paths.h"
#include "run/run_reader.h"
#include "run/run_store.h"

namespace alexnet {
namespace fs = std::filesystem;

namespace {

constexpr const char* kNoteFile = "note.txt";
constexpr std::size_t kMaxNoteBytes = 64 * 1024;
// The last records of every variant fit in this much of metrics.csv.
constexpr std::size_t kMetricsTailBytes = 16 * 1024;

// The last `bytes` of a file of the run (confined to it), without reading the rest.
std::string read_tail(const std::string& dir, const std::string& relative, std::size_t bytes) {
  const std::string path = path_inside_run(dir, relative, relative);
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return {};
  std::string tail;
  const off_t size = ::lseek(fd, 0, SEEK_END);
  if (size > 0) {
    const off_t from = std::max<off_t>(0, size - static_cast<off_t>(bytes));
    tail.resize(static_cast<std::size_t>(size - from));
    const ssize_t got = ::pread(fd, tail.data(), tail.size(), from);
    tail.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
  }
  ::close(fd);
  return tail;
}

// The highest iteration of the complete rows in a tail of metrics.csv.
std::int64_t last_iteration(const std::string& tail) {
  std::int64_t last = 0;
  std::istringstream lines(tail);
  std::string line;
  bool first = true;
  while (std::getline(lines, line)) {
    if (first) {  // maybe cut in the middle, or the header
      first = false;
      continue;
    }
    if (lines.eof()) break;  // no newline yet: a row still being written
    const auto comma = line.find(',');
    if (comma == std::string::npos) continue;
    try {
      std::size_t used = 0;
      const std::int64_t it = std::stoll(line.substr(comma + 1), &used);
      last = std::max(last, it);
    } catch (const std::exception&) {
    }
  }
  return last;
}

std::int64_t modification_seconds(const fs::path& path) {
  std::error_code ec;
  const auto t = fs::last_write_time(path, ec);
  if (ec) return 0;
  const auto system = std::chrono::time_point_cast<std::chrono::seconds>(t - fs::file_time_type::clock::now() +
                                                                         std::chrono::system_clock::now());
  return system.time_since_epoch().count();
}

}  // namespace

const char* run_status_name(RunStatus status) {
  switch (status) {
    case RunStatus::Finished:
      return "finished";
    case RunStatus::Stopped:
      return "stopped";
    case RunStatus::Interrupted:
      return "interrupted";
    case RunStatus::Running:
      return "running";
    case RunStatus::Damaged:
      return "damaged";
  }
  return "";
}

bool run_is_being_written(const std::string& dir) {
  const std::string path = (fs::path(dir) / "metrics.csv").string();
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  // A shared lock is refused while the trainer holds its exclusive one.
  const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);  // also drops our shared lock, if we got it
  return held;
}

RunSummary summarise_run(const std::string& dir) {
  RunSummary s;
  s.dir = dir;
  const fs::path path = fs::path(dir).lexically_normal();
  s.name = path.filename().empty() ? path.parent_path().filename().string() : path.filename().string();
  s.started = modification_seconds(path / "config.json");
  try {
    s.note = read_run_note(dir);
  } catch (const std::exception&) {
    // An unreadable note does not hide the run.
  }
  try {
    if (run_file_exists(dir, "findings.jsonl")) {
      s.problems = s.warnings = 0;
      for (const Finding& f : parse_findings(read_run_file(dir, "findings.jsonl"), "findings.jsonl", nullptr)) {
        s.problems += f.severity == Severity::Problem;
        s.warnings += f.severity == Severity::Warning;
      }
    }
  } catch (const std::exception&) {
    s.problems = s.warnings = -1;  // unreadable findings do not hide the run either
  }
  RunContents run;
  try {
    run = read_run_summary(dir);
  } catch (const std::exception& e) {
    s.status = RunStatus::Damaged;
    s.problem = e.what();
    return s;
  }
  s.data = run.data_name.empty() ? run.config.data : run.data_name;
  for (const VariantSpec& v : run.config.variants) s.variants.push_back(v.name);
  s.iterations_planned = run.config.iterations;
  bool cut_short = false;
  for (const VariantResult& r : run.results) {
    s.iterations_done = std::max(s.iterations_done, r.iterations);
    if (r.test_accuracy > s.best_accuracy) {
      s.best_accuracy = r.test_accuracy;
      s.best_variant = r.variant;
    }
    if (r.diverged || r.iterations < run.config.iterations) cut_short = true;
  }
  if (run_is_being_written(dir)) {
    s.status = RunStatus::Running;
  } else if (run.results.empty()) {
    s.status = RunStatus::Interrupted;
  } else {
    s.status = cut_short ? RunStatus::Stopped : RunStatus::Finished;
  }
  if (run.results.empty() || s.status == RunStatus::Running) {
    try {
      s.iterations_done = std::max(s.iterations_done, last_iteration(read_tail(dir, "metrics.csv", kMetricsTailBytes)));
    } catch (const std::exception&) {
      // A metrics.csv that leads outside the run counts as none.
    }
  }
  return s;
}

std::vector<RunSummary> list_runs(const std::string& folder) {
  std::vector<RunSummary> runs;
  std::error_code ec;
  fs::directory_iterator it(folder, ec);
  if (ec) throw StoreError("cannot list the runs in " + folder + ": " + ec.message());
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) throw StoreError("cannot list the runs in " + folder + ": " + ec.message());
    std::error_code e;
    if (!it->is_directory(e) || !fs::exists(it->path() / "config.json", e)) continue;
    runs.push_back(summarise_run(it->path().string()));
  }
  std::sort(runs.begin(), runs.end(), [](const RunSummary& a, const RunSummary& b) {
    return a.started != b.started ? a.started > b.started : a.name > b.name;
  });
  return runs;
}

std::string read_run_note(const std::string& dir) {
  if (!run_file_exists(dir, kNoteFile)) return "";
  return read_run_file(dir, kNoteFile, kMaxNoteBytes);
}

void write_run_note(const std::string& dir, const std::string& text) {
  if (text.size() > kMaxNoteBytes) {
    throw StoreError("the note for " + dir + " is longer than " + std::to_string(kMaxNoteBytes / 1024) + " KB");
  }
  const std::string path = path_inside_run(dir, kNoteFile, kNoteFile);
  if (text.empty()) {
    std::error_code ec;
    fs::remove(path, ec);
    if (ec) throw StoreError("cannot remove " + path + ": " + ec.message());
    return;
  }
  write_file_atomically(path, text);
}

}  // namespace alexnet
