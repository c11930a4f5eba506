#include "platform/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace alexnet {

pid_t start_child(const std::vector<std::string>& args, const std::vector<std::string>& extra_env,
                  const std::string& output) {
  if (args.empty()) throw std::runtime_error("start_child: no program");
  // Everything exec needs is built before fork: the child of a threaded
  // process may only call async-signal-safe functions.
  std::vector<std::string> arg_text = args;
  std::vector<char*> argv;
  for (std::string& a : arg_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_text = extra_env;
  for (char** e = environ; *e; ++e) {
    bool replaced = false;
    for (const std::string& x : extra_env) {
      const std::size_t eq = x.find('=');
      if (eq != std::string::npos && std::strncmp(*e, x.c_str(), eq + 1) == 0) replaced = true;
    }
    if (!replaced) env_text.emplace_back(*e);
  }
  std::vector<char*> envp;
  for (std::string& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  int out_fd = -1;
  if (!output.empty()) {
    out_fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (out_fd < 0) throw std::runtime_error("cannot open " + output + ": " + std::strerror(errno));
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    if (out_fd >= 0) ::close(out_fd);
    throw std::runtime_error("cannot start " + args[0] + ": " + std::strerror(errno));
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(1);  // the parent died before prctl took effect
    if (out_fd >= 0) {
      dup2(out_fd, STDOUT_FILENO);
      dup2(out_fd, STDERR_FILENO);
    }
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  if (out_fd >= 0) ::close(out_fd);
  return pid;
}

std::string describe_exit(int status) {
  if (WIFEXITED(status)) {
    const int code = WEXITSTATUS(status);
    if (code == 0) return "";
    return "exited with code " + std::to_string(code) + (code == 127 ? " (the program could not be run)" : "");
  }
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
  return "ended abnormally";
}

int stop_child(pid_t pid, int grace_seconds) {
  int status = 0;
  if (pid <= 0) return status;
  kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(grace_seconds);
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return status;
}

}  // namespace alexnet
