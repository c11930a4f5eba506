// Child processes of this program that die with it: the local ranks of a
// data-parallel run and the trials of a sweep. Torch-free.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace alexnet {

// Starts `args` (args[0] the program's path) with this process's environment
// plus `extra_env` ("NAME=value", replacing any of the same name). The child
// gets SIGTERM when this process dies (PR_SET_PDEATHSIG), so it never outlives
// it. With `output` non-empty its stdout and stderr go to that file (appended).
// Throws std::runtime_error when it cannot be started.
pid_t start_child(const std::vector<std::string>& args, const std::vector<std::string>& extra_env = {},
                  const std::string& output = {});

// "exited with code 1", "was killed by signal 9", or empty for a clean exit.
std::string describe_exit(int wait_status);

// SIGTERM, then SIGKILL after `grace_seconds`; reaps it. Returns its wait status.
int stop_child(pid_t pid, int grace_seconds = 5);

}  // namespace alexnet
