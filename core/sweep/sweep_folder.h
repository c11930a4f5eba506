// A sweep on disk: sweep.json (the base experiment, the space, the settings
// and state of every trial) and one run folder per trial inside it
// (trial-000, ...), each a normal run. sweep.json is replaced atomically and
// changed only under the folder's lock (sweep.lock), so trial processes on
// this machine or on a cluster's nodes (a shared folder) take their ASHA
// decisions through it. A sweep folder from someone else is untrusted: it is
// read bounded, and trials' run folders are plain names inside it. Torch-free.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sweep/asha.h"
#include "sweep/sweep_space.h"

namespace alexnet {

enum class TrialState { Queued, Running, Finished, Pruned, Failed };
std::string trial_state_name(TrialState s);                 // queued, running, finished, pruned, failed
TrialState trial_state_from_name(const std::string& name);  // throws std::invalid_argument

struct RungResult {
  std::int64_t iteration = 0;
  double value = 0;  // the sweep's metric there
};

struct TrialRecord {
  int trial = 0;
  std::string run;                                     // its run folder's name inside the sweep folder: trial-007
  nlohmann::json settings = nlohmann::json::object();  // NAME -> value
  TrialState state = TrialState::Queued;
  std::string reason;           // why it failed or was pruned
  std::int64_t pruned_at = -1;  // the rung's iteration
  std::int64_t iterations = 0;  // trained so far (at its last result)
  double seconds = 0;           // of training, every variant
  std::vector<RungResult> rungs;
  // Per variant, at its last result: validation_accuracy, validation_loss, test_accuracy, test_loss.
  nlohmann::json metrics = nlohmann::json::object();
};

struct Sweep {
  std::string dir;
  nlohmann::json base;  // the base experiment (config.json's form)
  SweepSpace space;
  // Trials are ranked by this variant's validation accuracy (test accuracy in a
  // sweep without a validation split): the variant the space changes, else the first.
  std::string variant;
  AshaSettings asha;
  std::string slurm_job;  // the job array's id, once submitted
  std::vector<TrialRecord> trials;
};

// One of a variant's metrics at the trial's last result (NaN while it has none).
double trial_metric(const TrialRecord& trial, const std::string& variant, const std::string& name);
// A trial's ranking value: NaN while it has none.
double trial_value(const Sweep& sweep, const TrialRecord& trial);
std::string metric_name(const Sweep& sweep);  // validation_accuracy or test_accuracy

nlohmann::json sweep_to_json(const Sweep& sweep);
// Throws StoreError naming `what` for a damaged or foreign file.
Sweep parse_sweep(const std::string& text, const std::string& dir, const std::string& what);

std::string sweep_file(const std::string& dir);  // DIR/sweep.json
bool holds_sweep(const std::string& dir);
Sweep read_sweep(const std::string& dir);  // throws StoreError
void write_sweep(const Sweep& sweep);      // atomically; throws StoreError

// An exclusive lock on DIR/NAME (flock), held while it lives. With `wait`
// false, throws StoreError when another process holds it.
class FolderLock {
 public:
  FolderLock(const std::string& dir, const std::string& name, bool wait = true);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;
  static bool held_elsewhere(const std::string& dir, const std::string& name);

 private:
  int fd_ = -1;
};

// `change` applied to sweep.json as it is on disk, under the folder's lock, and written back.
void update_sweep(const std::string& dir, const std::function<void(Sweep&)>& change);

// The trial's run folder (its plain name inside the sweep folder, confined).
std::string trial_dir(const Sweep& sweep, const TrialRecord& trial);
std::string trial_lock_name(const TrialRecord& trial);  // trial-007.lock: held while a process runs it

}  // namespace alexnet
