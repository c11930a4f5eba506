#include "sweep_options.h"

#include "train_options.h"

namespace alexnet::cli {

namespace {

std::vector<OptionGroup> make_groups() {
  return {
      {"",
       {{"grid", "NAME=V1,V2,...",
         "a grid of values of one setting (repeatable: the sweep is the product of the grids)"},
        {"random", "N", "N random draws of the --space ranges for each combination of the grids, seeded by --seed"},
        {"space", "NAME=DIST",
         "a range to draw from (repeatable): loguniform(A,B), uniform(A,B) (whole bounds draw whole numbers) "
         "or choice(V1,V2,...)"},
        {"out", "SWEEP_DIR", "the sweep folder (default: a new one in the runs folder)"},
        {"parallel", "K",
         "trials at once on this machine (default: one per core, each on one thread: the fastest here, "
         "docs/sweeps.md)"},
        {"early-stop", "asha",
         "prune with ASHA on validation accuracy: rungs at --asha-min iterations times --asha-reduction; each "
         "rung keeps the best 1/reduction (--early-stop PATIENCE is train's: per trial)"},
        {"asha-min", "N", "the first rung (default: a ninth of --iterations)"},
        {"asha-reduction", "R", "each rung keeps the best 1/R and trains R times longer (default 3)"},
        {"resume", "SWEEP_DIR",
         "after a kill, a crash or a reboot: finish the unfinished trials from their checkpoints and start the "
         "missing ones (with --parallel, --threads or the --slurm options beside it)",
         true},
        {"show", "SWEEP_DIR", "the trials ranked, the best settings and what matters"},
        {"json", "", "with --show: one JSON object"},
        {"base-config", "FILE", "the base experiment from a config.json instead of train options (the window's)"},
        {"run-trial", "SWEEP_DIR", "one trial of the sweep, in this process (what the sweep runs)", false, true},
        {"trial", "N", "which trial --run-trial runs", false, true}}},
      {"on a Slurm cluster",
       {{"slurm", "", "submit the trials as one Slurm job array (sbatch) instead of running them here"},
        {"partition", "P", "the partition to submit to (default: the cluster's)"},
        {"time", "HH:MM:SS", "each task's time limit (default: the partition's)"},
        {"cpus-per-trial", "N", "the cores each task asks for and trains on (default 1)"},
        {"max-running", "M", "tasks running at once (default: all)"},
        {"dry-run", "", "print the sbatch script instead of submitting it"}}},
  };
}

}  // namespace

const std::vector<OptionGroup>& sweep_option_groups() {
  static const std::vector<OptionGroup> groups = make_groups();
  return groups;
}

OptionSpec sweep_option_spec() {
  OptionSpec spec = train_option_spec();
  const OptionSpec own = option_spec(sweep_option_groups());
  spec.with_value.insert(own.with_value.begin(), own.with_value.end());
  spec.flags.insert(own.flags.begin(), own.flags.end());
  return spec;
}

bool is_sweep_option(const std::string& name) {
  return name != "early-stop" && find_option(sweep_option_groups(), name) != nullptr;
}

std::string sweep_usage() {
  return "usage: alexnet-lab sweep [train options] --grid NAME=V1,V2,... [--grid ...] [sweep options]\n"
         "       alexnet-lab sweep [train options] --random N --space NAME=DIST [--space ...] [sweep options]\n"
         "       alexnet-lab sweep --resume SWEEP_DIR [--parallel K] [--slurm ...]\n"
         "       alexnet-lab sweep --show SWEEP_DIR [--json]\n"
         "  A base experiment (every train option: alexnet-lab train --help) and a space of settings.\n"
         "  NAME: a train setting (lr, init, optimizer, schedule, momentum, weight-decay, batch,\n"
         "  iterations, augment, flip, label-smoothing, input-size, seed) or a spec field of a\n"
         "  variant (small.activation, small.dropout, small.fc7.units, small.conv1.filters, ...).\n"
         "  Every trial is a normal run folder inside SWEEP_DIR; sweep.json holds the space and\n"
         "  the state of each trial (queued, running, finished, pruned, failed).\n\n"
         "sweep options:\n" +
         options_help(sweep_option_groups());
}

std::string sweep_options_man() { return options_man(sweep_option_groups()); }

}  // namespace alexnet::cli
