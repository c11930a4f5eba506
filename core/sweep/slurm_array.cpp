#include "sweep/slurm_array.h"

#include <sys/wait.h>

#include <cstdio>
#include <map>
#include <sstream>
#include <stdexcept>

namespace alexnet {

namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void refuse_unsafe(const std::string& what, const std::string& value) {
  for (char c : value) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' || c == '.' || c == ','))
      throw std::invalid_argument(what + " \"" + value + "\" holds a character a Slurm option cannot take");
  }
}

}  // namespace

std::string array_spec(const std::vector<int>& trials, int max_running) {
  std::string spec;
  bool contiguous = !trials.empty();
  for (std::size_t i = 1; i < trials.size(); ++i) contiguous = contiguous && trials[i] == trials[i - 1] + 1;
  if (contiguous && trials.size() > 1) {
    spec = std::to_string(trials.front()) + "-" + std::to_string(trials.back());
  } else {
    for (std::size_t i = 0; i < trials.size(); ++i) spec += (i ? "," : "") + std::to_string(trials[i]);
  }
  if (max_running > 0) spec += "%" + std::to_string(max_running);
  return spec;
}

std::string sbatch_script(const SlurmArraySettings& s) {
  if (s.trials.empty()) throw std::invalid_argument("no trial is left to run");
  if (!s.partition.empty()) refuse_unsafe("--partition", s.partition);
  if (!s.time.empty()) refuse_unsafe("--time", s.time);
  std::ostringstream o;
  o << "#!/bin/bash\n"
    << "# One trial of the AlexNet Lab sweep in " << s.sweep_dir << " per array task.\n"
    << "# Trials resume from their checkpoints; ASHA decisions go through sweep.json.\n"
    << "#SBATCH --job-name=alexnet-sweep\n"
    << "#SBATCH --array=" << array_spec(s.trials, s.max_running) << "\n"
    << "#SBATCH --ntasks=1\n"
    << "#SBATCH --cpus-per-task=" << s.cpus_per_trial << "\n"
    << "#SBATCH --output=" << s.sweep_dir << "/slurm-%A_%a.log\n";
  if (!s.partition.empty()) o << "#SBATCH --partition=" << s.partition << "\n";
  if (!s.time.empty()) o << "#SBATCH --time=" << s.time << "\n";
  // scancel sends SIGTERM first: the trial stops at its next iteration and stays resumable.
  o << "#SBATCH --signal=TERM@60\n"
    << "exec " << shell_quote(s.program) << " sweep --run-trial " << shell_quote(s.sweep_dir)
    << " --trial \"$SLURM_ARRAY_TASK_ID\" --threads \"${SLURM_CPUS_PER_TASK:-1}\"\n";
  return o.str();
}

CommandOutput run_command(const std::vector<std::string>& argv) {
  std::string line;
  for (const std::string& a : argv) line += (line.empty() ? "" : " ") + shell_quote(a);
  line += " 2>&1";
  CommandOutput out;
  FILE* pipe = ::popen(line.c_str(), "r");
  if (!pipe) return out;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.text.append(buffer, n);
  const int status = ::pclose(pipe);
  out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::string submit_sbatch(const std::string& script_path) {
  const CommandOutput out = run_command({"sbatch", "--parsable", script_path});
  if (out.status == 127) throw std::runtime_error("sbatch is not installed here (Slurm's client commands are needed)");
  if (out.status != 0) throw std::runtime_error("sbatch refused the job array: " + out.text);
  std::string id = out.text.substr(0, out.text.find_first_of(";\n"));
  if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
    throw std::runtime_error("sbatch answered \"" + out.text + "\", not a job id");
  return id;
}

std::string slurm_job_status(const std::string& job) {
  const CommandOutput out = run_command({"squeue", "-h", "-r", "-j", job, "-o", "%T"});
  if (out.status == 127) return "Slurm job " + job + ": squeue is not installed here\n";
  if (out.status != 0) return "Slurm job " + job + ": no longer in the queue\n";
  std::map<std::string, int> states;
  std::istringstream lines(out.text);
  std::string state;
  while (std::getline(lines, state)) {
    if (!state.empty()) ++states[state];
  }
  if (states.empty()) return "Slurm job " + job + ": no task left in the queue\n";
  std::string text = "Slurm job " + job + ":";
  bool first = true;
  for (const auto& [name, n] : states) {
    text += std::string(first ? " " : ", ") + std::to_string(n) + " " + name;
    first = false;
  }
  return text + "\n";
}

}  // namespace alexnet
