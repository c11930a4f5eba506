#include "sweep/local_sweep.h"

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <thread>

#include "errors.h"
#include "platform/child_process.h"
#include "sweep/sweep_folder.h"
#include "sweep/sweep_space.h"

namespace alexnet {

namespace {

std::string percent(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f %%", 100 * v);
  return text;
}

std::string outcome(const Sweep& sweep, const TrialRecord& t) {
  std::string line = "trial " + std::to_string(t.trial) + " " + trial_state_name(t.state);
  const double v = trial_value(sweep, t);
  if (std::isfinite(v)) line += ": " + metric_name(sweep) + " " + percent(v) + " at " + std::to_string(t.iterations);
  if (!t.reason.empty() && t.state != TrialState::Finished) line += " (" + t.reason + ")";
  return line;
}

}  // namespace

int requeue_abandoned_trials(const std::string& dir) {
  int requeued = 0;
  update_sweep(dir, [&](Sweep& s) {
    for (TrialRecord& t : s.trials) {
      if (t.state != TrialState::Running || FolderLock::held_elsewhere(dir, trial_lock_name(t))) continue;
      t.state = TrialState::Queued;
      t.reason = "its process ended without a result; resumed from its checkpoint";
      ++requeued;
    }
  });
  return requeued;
}

void run_local_sweep(const std::string& dir, const LocalSweepSettings& settings,
                     const std::function<void(const std::string&)>& say, const std::atomic<bool>& stop) {
  std::unique_ptr<FolderLock> driver;
  try {
    driver = std::make_unique<FolderLock>(dir, "sweep.driver.lock", false);
  } catch (const StoreError&) {
    throw StoreError("another sweep is running in " + dir +
                     " now (its sweep.driver.lock is held); wait for it or stop it");
  }
  std::map<pid_t, int> running;  // process -> trial
  auto last_summary = std::chrono::steady_clock::now();
  for (;;) {
    const Sweep sweep = read_sweep(dir);
    // Start trials while there is room.
    if (!stop) {
      for (const TrialRecord& t : sweep.trials) {
        if (int(running.size()) >= settings.parallel) break;
        if (t.state != TrialState::Queued) continue;
        bool started = false;
        for (const auto& [pid, trial] : running) started = started || trial == t.trial;
        if (started || FolderLock::held_elsewhere(dir, trial_lock_name(t))) continue;
        const std::string log = trial_dir(sweep, t) + ".log";
        const pid_t pid =
            start_child({settings.program, "sweep", "--run-trial", dir, "--trial", std::to_string(t.trial), "--threads",
                         std::to_string(settings.threads_per_trial)},
                        {}, log);
        running[pid] = t.trial;
        say("trial " + std::to_string(t.trial) + " started: " + describe_settings(t.settings));
      }
    }
    if (running.empty()) break;
    // Reap those that ended.
    int status = 0;
    const pid_t done = waitpid(-1, &status, WNOHANG);
    if (done > 0 && running.count(done)) {
      const int trial = running[done];
      running.erase(done);
      const Sweep now = read_sweep(dir);
      const TrialRecord& t = now.trials[std::size_t(trial)];
      std::string line = outcome(now, t);
      const std::string how = describe_exit(status);
      if (!how.empty()) line += " — its process " + how + " (see " + t.run + ".log)";
      say(line);
      if (!how.empty() && t.state == TrialState::Running) {
        update_sweep(dir, [&](Sweep& s) {
          s.trials[std::size_t(trial)].state = TrialState::Failed;
          s.trials[std::size_t(trial)].reason = "its process " + how;
        });
      }
      continue;
    }
    if (stop) {
      for (const auto& [pid, trial] : running) kill(pid, SIGTERM);
      for (const auto& [pid, trial] : running) stop_child(pid, 120);  // each stops at its next iteration
      running.clear();
      break;
    }
    if (std::chrono::steady_clock::now() - last_summary > std::chrono::seconds(30)) {
      last_summary = std::chrono::steady_clock::now();
      int counts[5] = {0, 0, 0, 0, 0};
      for (const TrialRecord& t : sweep.trials) ++counts[int(t.state)];
      say("sweep: " + std::to_string(counts[2]) + " finished, " + std::to_string(counts[3]) + " pruned, " +
          std::to_string(counts[4]) + " failed, " + std::to_string(counts[1]) + " running, " +
          std::to_string(counts[0]) + " queued");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace alexnet
