// How one process of a data-parallel run finds the others: plain values, set
// from the command line or the window, never stored in the run folder (only
// the world size is).
#pragma once

#include <functional>
#include <string>
#include <utility>

namespace alexnet {

struct DistSettings {
  int world_size = 1;  // processes in the run, on all machines
  int rank = 0;        // this process; rank 0 hosts the rendezvous and alone writes the run folder
  std::string master_host = "127.0.0.1";
  int master_port = 0;       // 0 on rank 0: any free port (only useful when rank 0 starts the others itself)
  std::string interface;     // network interface for the collectives; empty: the one that reaches the master
  int timeout_seconds = 60;  // a rank silent this long is given up on
  int local_processes = 1;   // processes of this run on this machine: each takes its share of the cores
  // Non-empty on rank 0: it starts ranks 1 .. world_size-1 on this machine by
  // running this program (alexnet-lab) with `train --world-size --rank --master`.
  std::string worker_program;
  // Ranks other than 0: take the experiment's settings from rank 0 instead of
  // checking that their own are the same.
  bool adopt_settings = false;

  bool distributed() const { return world_size > 1; }
};

// "HOST:PORT" (or "[V6ADDR]:PORT") -> {host, port}; throws std::invalid_argument
// naming the text when it is not that.
std::pair<std::string, int> parse_host_port(const std::string& text);

// A task of `srun -n N` (N > 1) joins the run by itself: its rank, the world
// size and the processes on its node from Slurm's variables (SLURM_PROCID,
// SLURM_NTASKS, SLURM_LOCALID, SLURM_TASKS_PER_NODE), the master on
// `first_host` (the first of SLURM_JOB_NODELIST, `scontrol show hostnames`)
// at a port derived from the job and step ids, so every task finds the same
// one and two steps of a job do not collide. `env` looks a variable up (empty:
// not set). Returns false, leaving `settings` alone, outside such a task.
bool dist_from_slurm(const std::function<std::string(const std::string&)>& env, const std::string& first_host,
                     DistSettings& settings);

}  // namespace alexnet
