#include "dist/local_workers.h"

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
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status) == 0
               ? ""
               : "rank " + std::to_string(rank) + " exited with code " + std::to_string(WEXITSTATUS(status));
  }
  if (WIFSIGNALED(status))
    return "rank " + std::to_string(rank) + " was killed by signal " + std::to_string(WTERMSIG(status));
  return "rank " + std::to_string(rank) + " ended abnormally";
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
    // Everything exec needs is built before fork: the child of a threaded
    // process may only call async-signal-safe functions.
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_text = {"GLOG_minloglevel=3"};  // c10d's own log lines repeat our messages
    for (char** e = environ; *e; ++e) {
      if (std::strncmp(*e, "GLOG_minloglevel=", 17) != 0) env_text.emplace_back(*e);
    }
    std::vector<char*> envp;
    for (std::string& e : env_text) envp.push_back(e.data());
    envp.push_back(nullptr);
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("cannot start rank " + std::to_string(rank) + ": " + std::strerror(errno));
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (getppid() != parent) _exit(1);  // the parent died before prctl took effect
      execve(argv[0], argv.data(), envp.data());
      _exit(127);
    }
    pids_.push_back(pid);
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
      if (WIFEXITED(status) && WEXITSTATUS(status) == 127) failure += " (could not run " + program_ + ")";
    }
    pids_[i] = 0;
    if (!failure.empty()) failures += (failures.empty() ? "" : "; ") + failure;
  }
  return failures;
}

LocalWorkers::~LocalWorkers() {
  for (pid_t pid : pids_) {
    if (pid > 0) kill(pid, SIGTERM);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (pid_t& pid : pids_) {
    if (pid <= 0) continue;
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid = 0;
  }
}

}  // namespace alexnet
