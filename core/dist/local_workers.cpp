#include "dist/local_workers.h"
#include "platform/child_process.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace alexnet {

namespace {

std::string describe_status(int rank, int status) {
  const std::string how = describe_exit(status);
  return how.empty() ? how : "rank " + std::to_string(rank) + " " + how;
}

}  // namespace

void LocalWorkers::start(const DistSettings& settings, int port, int threads) {
  program_ = settings.worker_program;
  for (int rank = 1; rank < settings.world_size; ++rank) {
    std::vector<std::string> args = {settings.worker_program,
                                     "train",
                                     "--world-size",
                                     std::to_string(settings.world_size),
                                     "--rank",
                                     std::to_string(rank),
                                     "--master",
                                     settings.master_host + ":" + std::to_string(port),
                                     "--timeout",
                                     std::to_string(settings.timeout_seconds),
                                     "--threads",
                                     std::to_string(threads),
                                     "--local-processes",
                                     std::to_string(settings.world_size)};
    // c10d's own log lines repeat our messages.
    pids_.push_back(start_child(args, {"GLOG_minloglevel=3"}));
    ranks_.push_back(rank);
  }
}

std::string LocalWorkers::wait(int seconds) {
  std::string failures;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  for (std::size_t i = 0; i < pids_.size(); ++i) {
    if (pids_[i] <= 0) continue;
    int status = 0;
    pid_t done = 0;
    while ((done = waitpid(pids_[i], &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::string failure;
    if (done == 0) {
      kill(pids_[i], SIGKILL);
      waitpid(pids_[i], &status, 0);
      failure = "rank " + std::to_string(ranks_[i]) + " did not finish within " + std::to_string(seconds) +
                " s and was killed";
    } else if (done > 0) {
      failure = describe_status(ranks_[i], status);
    }
    pids_[i] = 0;
    if (!failure.empty()) failures += (failures.empty() ? "" : "; ") + failure;
  }
  return failures;
}

LocalWorkers::~LocalWorkers() {
  for (pid_t pid : pids_) {
    if (pid > 0) kill(pid, SIGTERM);  // all at once, then each waited for
  }
  for (pid_t& pid : pids_) {
    if (pid > 0) stop_child(pid);
    pid = 0;
  }
}

}  // namespace alexnet
