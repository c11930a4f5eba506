#include "dist/dist_settings.h"

#include <algorithm>
#include <cstdlib>

#include <stdexcept>

namespace alexnet {

std::pair<std::string, int> parse_host_port(const std::string& text) {
  const auto colon = text.rfind(':');
  const auto bad = [&](const std::string& why) {
    return std::invalid_argument("\"" + text + "\" is not HOST:PORT: " + why);
  };
  if (colon == std::string::npos || colon == 0) throw bad("no host before the colon");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port_text = text.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos) {
    throw bad("the port must be a number from 1 to 65535");
  }
  const int port = std::stoi(port_text);
  if (port < 1 || port > 65535) throw bad("the port must be a number from 1 to 65535");
  return {host, port};
}

bool dist_from_slurm(const std::function<std::string(const std::string&)>& env, const std::string& first_host,
                     DistSettings& d) {
  const auto number = [&](const std::string& name, long fallback) {
    const std::string text = env(name);
    if (text.empty()) return fallback;
    char* end = nullptr;
    const long v = std::strtol(text.c_str(), &end, 10);
    return end == text.c_str() ? fallback : v;  // "2(x3)": the leading number
  };
  const long tasks = number("SLURM_NTASKS", 0);
  const long rank = number("SLURM_PROCID", -1);
  if (tasks < 2 || rank < 0 || rank >= tasks || first_host.empty()) return false;
  d.world_size = int(tasks);
  d.rank = int(rank);
  d.master_host = first_host;
  const long job = number("SLURM_JOB_ID", number("SLURM_JOBID", 0));
  const long step = number("SLURM_STEP_ID", number("SLURM_STEPID", 0));
  d.master_port = 20000 + int((job * 16 + step) % 10000);
  d.local_processes = int(std::max(1L, number("SLURM_TASKS_PER_NODE", number("SLURM_NTASKS_PER_NODE", 1))));
  return true;
}

}  // namespace alexnet
