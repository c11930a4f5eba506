#include "sweep_command.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>
#include <thread>

#include "command_line.h"
#include "io/json_text.h"
#include "errors.h"
#include "run/run_store.h"
#include "slurm_submission.h"
#include "sweep/local_sweep.h"
#include "sweep/sweep_folder.h"
#include "sweep/sweep_tensorboard.h"
#include "sweep/trial_runner.h"
#include "sweep_report.h"
#include "terminal_reporter.h"
#include "train/trainer.h"
#include "train_command.h"
#include "sweep_options.h"
#include "train_options.h"

namespace alexnet::cli {

namespace fs = std::filesystem;

namespace {

// The arguments that describe the base experiment: the sweep's own options
// and an --early-stop asha taken out.
std::vector<std::string> base_arguments(const std::vector<std::string>& args) {
  std::vector<std::string> base;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i].rfind("--", 0) == 0 ? args[i].substr(2) : "";
    const std::size_t eq = name.find('=');
    const bool inline_value = eq != std::string::npos;
    if (inline_value) name = name.substr(0, eq);
    const bool sweep_option = is_sweep_option(name);
    const bool asha = name == "early-stop" && (inline_value ? args[i].substr(args[i].find('=') + 1) == "asha"
                                                            : i + 1 < args.size() && args[i + 1] == "asha");
    if (sweep_option || asha) {
      const bool flag = sweep_option && find_option(sweep_option_groups(), name)->value.empty();
      if (!inline_value && !flag && i + 1 < args.size()) ++i;  // its value too
      continue;
    }
    base.push_back(args[i]);
  }
  return base;
}

ExperimentConfig read_config_file(const std::string& path) {
  try {
    return config_from_json(parse_bounded_json(read_whole_file(path)));
  } catch (const StoreError&) {
    throw;
  } catch (const std::exception& e) {
    throw UsageError("sweep: " + path + " is not an experiment's config: " + e.what());
  }
}

std::atomic<bool> g_stop{false};
std::atomic<Trainer*> g_trial_trainer{nullptr};

void on_signal(int) {
  g_stop = true;
  if (Trainer* t = g_trial_trainer.load()) t->stop();
}

void install_signals() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

std::string this_program() { return fs::read_symlink("/proc/self/exe").string(); }

// `sweep --run-trial DIR --trial N`: one trial, in this process (a local
// sweep's trial process, or a Slurm array task).
int run_one_trial(const ParsedArgs& a) {
  const std::string dir = a.text("run-trial", "");
  const int trial = a.integer("trial", -1, 0, 1000000);
  if (trial < 0) throw UsageError("sweep: --run-trial needs --trial N");
  install_signals();
  TerminalReporter reporter(std::cerr, false);
  const TrialState state =
      run_trial(dir, trial, a.integer("threads", 1, 1, 1024), reporter, [](Trainer* t) { g_trial_trainer = t; });
  const Sweep sweep = read_sweep(dir);
  const TrialRecord& t = sweep.trials[std::size_t(trial)];
  std::cerr << "trial " << trial << ": " << trial_state_name(state) << (t.reason.empty() ? "" : " (" + t.reason + ")")
            << "\n";
  return 0;
}

int show(const ParsedArgs& a) {
  const Sweep sweep = read_sweep(a.text("show", ""));
  if (a.flag("json")) std::cout << sweep_json(sweep).dump(2) << "\n";
  else std::cout << sweep_table(sweep);
  if (!sweep.slurm_job.empty() && !a.flag("json")) std::cout << slurm_job_status(sweep.slurm_job);
  return 0;
}

// The variant whose metric ranks the trials: the one the space changes, else the first.
std::string ranked_variant(const SweepSpace& space, const ExperimentConfig& base) {
  for (const auto* list : {&space.grid, &space.random}) {
    for (const SweepDimension& d : *list) {
      const std::size_t dot = d.name.find('.');
      if (dot == std::string::npos) continue;
      const std::string variant = d.name.substr(0, dot);
      for (const VariantSpec& v : base.variants)
        if (v.name == variant) return variant;
    }
  }
  return base.variants.front().name;
}

// The sweep the options describe, written to its folder unless `dry_run` (which only shows what would be submitted).
Sweep new_sweep(const std::vector<std::string>& args, const ParsedArgs& a, bool dry_run) {
  const ParsedArgs base_args(base_arguments(args), train_option_spec(), "sweep");
  for (const char* dist : {"processes", "world-size", "rank", "master"}) {
    if (base_args.has(dist)) throw UsageError(std::string("sweep: --") + dist + " is for one run; a sweep runs trials");
  }
  // The window hands its experiment over as a config.json of its own; the command line as train options.
  ExperimentConfig base;
  if (a.has("base-config")) {
    for (const std::string& name : base_args.option_names())
      throw UsageError("sweep: --base-config holds the whole base experiment; --" + name + " cannot be added to it");
    base = read_config_file(a.text("base-config", ""));
  } else {
    base = config_from_args(base_args);
  }
  base.out_dir.clear();
  base.threads = 0;
  Sweep sweep;
  sweep.dir = a.has("out") ? a.text("out", "") : new_default_run_dir() + "-sweep";
  sweep.space.samples = a.integer("random", 0, 0, 100000);
  sweep.space.seed = base.seed;
  try {
    for (const std::string& g : a.all("grid")) sweep.space.grid.push_back(parse_grid(g));
    for (const std::string& r : a.all("space")) sweep.space.random.push_back(parse_range(r));
    validate_space(sweep.space, base);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("sweep: ") + e.what());
  }
  sweep.base = config_to_json(base);
  sweep.variant = ranked_variant(sweep.space, base);
  if (a.text("early-stop", "") == "asha") {
    if (base.validation == 0)
      throw UsageError("sweep: ASHA decides on validation accuracy; it needs a validation split");
    sweep.asha.on = true;
    sweep.asha.min_iterations = a.integer("asha-min", 0, 0, 1000000000);
    sweep.asha.reduction = a.integer("asha-reduction", 3, 2, 100);
    if (sweep.asha.min_iterations >= base.iterations)
      throw UsageError("sweep: --asha-min must be below --iterations (" + std::to_string(base.iterations) + ")");
  } else if (a.has("asha-min") || a.has("asha-reduction")) {
    throw UsageError("sweep: --asha-min and --asha-reduction go with --early-stop asha");
  }
  const std::vector<nlohmann::json> settings = expand(sweep.space);
  for (std::size_t i = 0; i < settings.size(); ++i) {
    TrialRecord t;
    t.trial = int(i);
    char name[32];
    std::snprintf(name, sizeof name, "trial-%03zu", i);
    t.run = name;
    t.settings = settings[i];
    sweep.trials.push_back(t);
  }
  if (holds_sweep(sweep.dir))
    throw StoreError(sweep.dir + " already holds a sweep; continue it with: alexnet-lab sweep --resume " + sweep.dir);
  if (dry_run) {
    sweep.dir = fs::absolute(sweep.dir).lexically_normal().string();
    return sweep;
  }
  std::error_code ec;
  fs::create_directories(sweep.dir, ec);
  if (ec) throw StoreError("cannot create the sweep folder " + sweep.dir + ": " + ec.message());
  sweep.dir = fs::canonical(sweep.dir).string();
  write_sweep(sweep);
  write_sweep_experiment(sweep);  // for TensorBoard's HParams tab
  return sweep;
}

int run_here(const Sweep& sweep, const ParsedArgs& a) {
  const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  LocalSweepSettings settings;
  settings.program = this_program();
  settings.parallel = a.integer("parallel", cores, 1, 1024);
  settings.threads_per_trial =
      a.has("threads") ? a.integer("threads", 1, 1, 1024) : std::max(1, cores / settings.parallel);
  std::cerr << "sweep: " << sweep.trials.size() << " trials in " << sweep.dir << ", " << settings.parallel
            << " at once on " << settings.threads_per_trial << " thread(s) each";
  if (sweep.asha.on) {
    const std::vector<std::int64_t> rungs = asha_rungs(sweep.asha, config_from_json(sweep.base).iterations);
    std::cerr << "; ASHA rungs at";
    for (std::int64_t r : rungs) std::cerr << " " << r;
  }
  std::cerr << "\n";
  install_signals();
  run_local_sweep(
      sweep.dir, settings, [](const std::string& line) { std::cerr << line << "\n"; }, g_stop);
  const Sweep done = read_sweep(sweep.dir);
  std::cout << sweep_table(done);
  if (g_stop) {
    std::cerr << "stopped; continue with: alexnet-lab sweep --resume " << sweep.dir << "\n";
    return 130;
  }
  return 0;
}

}  // namespace

int run_sweep(const std::vector<std::string>& args) {
  const ParsedArgs a(args, sweep_option_spec(), "sweep");
  if (a.flag("help")) {
    std::cout << sweep_usage();
    return 0;
  }
  if (a.flag("help-man")) {  // the man page's SWEEP OPTIONS, generated at build time
    std::cout << sweep_options_man();
    return 0;
  }
  if (a.has("run-trial")) return run_one_trial(a);
  if (a.has("show")) return show(a);
  Sweep sweep;
  if (a.has("resume")) {
    for (const std::string& name : a.option_names()) {
      static const std::set<std::string> allowed = {"resume", "parallel",       "threads",     "slurm",  "partition",
                                                    "time",   "cpus-per-trial", "max-running", "dry-run"};
      if (!allowed.count(name))
        throw UsageError("sweep: --resume goes on with the sweep's own space and settings; --" + name +
                         " cannot be changed");
    }
    sweep = read_sweep(a.text("resume", ""));
    sweep.dir = fs::canonical(sweep.dir).string();
    const int requeued = requeue_abandoned_trials(sweep.dir);
    if (requeued > 0) std::cerr << requeued << " trial(s) whose process had ended go on from their checkpoints\n";
  } else {
    if (!a.positional().empty()) throw UsageError("sweep: unexpected argument " + a.positional()[0]);
    sweep = new_sweep(args, a, a.flag("dry-run") && a.flag("slurm"));
  }
  if (a.flag("slurm")) return submit_to_slurm(sweep, a);
  if (a.flag("dry-run")) throw UsageError("sweep: --dry-run goes with --slurm");
  return run_here(sweep, a);
}

}  // namespace alexnet::cli
