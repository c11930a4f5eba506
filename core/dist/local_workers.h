// The other ranks of a run started on this machine by rank 0 (train
// --processes N, and the window's Processes setting): child processes of the
// same program, which take the experiment's settings from rank 0.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

#include "dist/dist_settings.h"

namespace alexnet {

class LocalWorkers {
 public:
  LocalWorkers() = default;
  // Stops any worker still running (SIGTERM, then SIGKILL) and reaps it.
  ~LocalWorkers();
  LocalWorkers(const LocalWorkers&) = delete;
  LocalWorkers& operator=(const LocalWorkers&) = delete;

  // Starts ranks 1 .. settings.world_size - 1 of `settings.worker_program`
  // against the rendezvous on `port`, each with `threads` libtorch threads.
  // They die with this process (PR_SET_PDEATHSIG). Throws std::runtime_error
  // when a process cannot be started.
  void start(const DistSettings& settings, int port, int threads);

  // Waits up to `seconds` for every worker to exit; returns a description of
  // those that failed ("rank 1 exited with code 1"), empty when all succeeded.
  std::string wait(int seconds);

 private:
  std::string program_;
  std::vector<pid_t> pids_;
  std::vector<int> ranks_;
};

}  // namespace alexnet
