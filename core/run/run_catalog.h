// The runs in a folder, each summed up from its small files (config.json,
// results.json, the tail of metrics.csv, findings.jsonl, note.txt) without reading whole logs
// or pictures: what the window's Runs view lists. A folder that is damaged
// is listed too, with what is wrong, so it can be looked at or deleted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace alexnet {

enum class RunStatus {
  Finished,     // every variant trained to the planned iteration and was evaluated
  Stopped,      // stopped by the user (or a variant diverged), then evaluated
  Interrupted,  // no test results and nobody writing it: killed, crashed, or the machine went down
  Running,      // a trainer holds it now (this process or another)
  Damaged,      // config.json cannot be read; `problem` says why
};

const char* run_status_name(RunStatus status);  // "finished", "stopped", ...

struct RunSummary {
  std::string dir;
  std::string name;          // the folder's name
  std::int64_t started = 0;  // seconds since 1970 (when config.json was written)
  std::string data;          // the data set, as the run names it
  std::vector<std::string> variants;
  std::int64_t iterations_done = 0;
  std::int64_t iterations_planned = 0;
  double best_accuracy = -1;  // -1: no test results yet
  std::string best_variant;
  RunStatus status = RunStatus::Interrupted;
  // Warnings and problems in findings.jsonl (-1: the run has none, as runs made
  // before findings; `diagnose` recomputes them).
  int problems = -1, warnings = -1;
  std::string note;     // note.txt, the user's own words
  std::string problem;  // for Damaged
};

// One run folder. Never throws for a damaged run: it comes back Damaged.
RunSummary summarise_run(const std::string& dir);

// Every run folder directly inside `folder` (a folder with a config.json),
// newest first. Throws StoreError when `folder` cannot be listed.
std::vector<RunSummary> list_runs(const std::string& folder);

// Whether a trainer is writing the run now (it holds a lock on metrics.csv
// while it lives; a killed trainer's lock goes with it).
bool run_is_being_written(const std::string& dir);

// The free-text note kept in the run folder as note.txt ("" when there is none).
std::string read_run_note(const std::string& dir);
// Writes (or, for an empty text, removes) note.txt atomically. Throws StoreError.
void write_run_note(const std::string& dir, const std::string& text);

}  // namespace alexnet
