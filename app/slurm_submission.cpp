#include "slurm_submission.h"

#include <filesystem>
#include <iostream>

#include "errors.h"
#include "run/run_store.h"
#include "sweep/slurm_array.h"

namespace alexnet::cli {

int submit_to_slurm(Sweep& sweep, const ParsedArgs& a) {
  if (a.has("parallel")) throw UsageError("sweep: --parallel is for trials here; with --slurm say --max-running");
  SlurmArraySettings s;
  s.program = std::filesystem::read_symlink("/proc/self/exe").string();
  s.sweep_dir = sweep.dir;
  for (const TrialRecord& t : sweep.trials) {
    if (t.state == TrialState::Queued || t.state == TrialState::Running) s.trials.push_back(t.trial);
  }
  if (s.trials.empty()) {
    std::cout << "every trial of " << sweep.dir << " is done; nothing to submit\n";
    return 0;
  }
  s.partition = a.text("partition", "");
  s.time = a.text("time", "");
  s.cpus_per_trial = a.integer("cpus-per-trial", 1, 1, 1024);
  s.max_running = a.integer("max-running", 0, 0, 100000);
  std::string script;
  try {
    script = sbatch_script(s);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("sweep: ") + e.what());
  }
  if (a.flag("dry-run")) {
    std::cout << script;
    return 0;
  }
  const std::string path = sweep.dir + "/sweep.sbatch";
  write_file_atomically(path, script);
  std::string job;
  try {
    job = submit_sbatch(path);
  } catch (const std::runtime_error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  update_sweep(sweep.dir, [&](Sweep& on_disk) { on_disk.slurm_job = job; });
  std::cout << "submitted Slurm job array " << job << ": " << s.trials.size() << " trial(s)"
            << (s.max_running > 0 ? ", at most " + std::to_string(s.max_running) + " at once" : std::string())
            << "; follow it with: alexnet-lab sweep --show " << sweep.dir << "\n";
  return 0;
}

std::string slurm_job_status(const std::string& job) { return alexnet::slurm_job_status(job); }

}  // namespace alexnet::cli
