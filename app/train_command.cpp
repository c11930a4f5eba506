#include "train_command.h"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>

#include "command_line.h"
#include "gui_app.h"
#include "spec/presets.h"
#include "terminal_reporter.h"
#include "train_options.h"
#include "run/run_config.h"
#include "sweep/slurm_array.h"
#include "train/trainer.h"

namespace alexnet::cli {

namespace {

Trainer* g_trainer = nullptr;

// Options that say how this process takes part, not what the experiment is.
const std::set<std::string> kProcessOptions = train_process_options();

// A rank other than 0 leaves the reporting to rank 0: only its warnings and
// errors reach the terminal, marked with its rank.
class RankReporter : public TrainingObserver {
 public:
  explicit RankReporter(int rank) : rank_(rank) {}
  void on_message(const std::string& text) override {
    if (text.rfind("error", 0) == 0 || text.rfind("warning", 0) == 0)
      std::cerr << "rank " << rank_ << ": " << text << "\n";
  }

 private:
  const int rank_;
};

std::string environment_variable(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value ? value : "";
}

long slurm_tasks() { return std::strtol(environment_variable("SLURM_NTASKS").c_str(), nullptr, 10); }

// The first host of the job's node list: `scontrol show hostnames` expands
// Slurm's compressed form (node[01-04]); a plain single name needs no expanding.
std::string first_slurm_host() {
  std::string nodes = environment_variable("SLURM_JOB_NODELIST");
  if (nodes.empty()) nodes = environment_variable("SLURM_NODELIST");
  if (nodes.empty()) return "";
  const CommandOutput out = run_command({"scontrol", "show", "hostnames", nodes});
  if (out.status == 0 && !out.text.empty()) return out.text.substr(0, out.text.find('\n'));
  return nodes.find_first_of("[,") == std::string::npos ? nodes : "";
}

DistSettings dist_from_args(const ParsedArgs& a) {
  DistSettings d;
  d.timeout_seconds = a.integer("timeout", d.timeout_seconds, 1, 86400);
  const bool joined = a.has("world-size") || a.has("rank") || a.has("master");
  if (a.has("processes")) {
    if (joined)
      throw UsageError(
          "train: --processes starts every rank here; it does not go with --world-size, --rank or --master");
    d.world_size = a.integer("processes", 1, 1, 256);
    d.local_processes = d.world_size;
    if (d.world_size > 1) d.worker_program = std::filesystem::read_symlink("/proc/self/exe").string();
    if (a.has("interface")) d.interface = a.text("interface", "");
    return d;
  }
  if (!joined) {
    // A task of `srun -n N`: its place in the run from Slurm, with no rank options.
    if (slurm_tasks() > 1 && dist_from_slurm(environment_variable, first_slurm_host(), d)) {
      d.interface = a.text("interface", "");
      return d;
    }
    if (a.has("interface")) throw UsageError("train: --interface is for a run over several machines (--world-size)");
    return d;
  }
  if (!a.has("world-size") || !a.has("rank") || !a.has("master")) {
    throw UsageError("train: a rank of a run over several machines needs --world-size, --rank and --master");
  }
  d.world_size = a.integer("world-size", 1, 1, 4096);
  d.rank = a.integer("rank", 0, 0, d.world_size - 1);
  try {
    const auto [host, port] = parse_host_port(a.text("master", ""));
    d.master_host = host;
    d.master_port = port;
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("train: --master ") + e.what());
  }
  d.interface = a.text("interface", "");
  d.local_processes = a.integer("local-processes", 1, 1, 4096);
  return d;
}

// Ctrl-C stops cleanly: the run folder is completed (checkpoint, results).
void on_interrupt(int) {
  if (g_trainer) g_trainer->stop();
}

// Runs the trainer to its end, Ctrl-C (and SIGTERM) asking it to stop cleanly.
RunState run_interruptible(Trainer& trainer) {
  g_trainer = &trainer;
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  const RunState state = trainer.run();
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  g_trainer = nullptr;
  return state;
}

// A rank other than 0: it trains its share quietly; rank 0 reports and writes.
int run_rank(const ExperimentConfig& config, const DistSettings& dist, bool resume) {
  RankReporter reporter(dist.rank);
  Trainer trainer(config, reporter, resume, dist);
  return run_interruptible(trainer) == RunState::Failed ? 1 : 0;
}

}  // namespace

ExperimentConfig config_from_args(const ParsedArgs& a) {
  ExperimentConfig c;  // its defaults are the options' defaults
  c.input_size = a.integer("input-size", c.input_size, 1, 4096);
  for (const std::string& v : split_list(a.text("variants", "original,tanh,small"))) {
    c.variants.push_back(resolve_variant(v, c.input_size, 0));
  }
  if (c.variants.empty()) throw UsageError("train: --variants names no variant");
  c.data = a.text("data", c.data);
  c.iterations = a.integer("iterations", int(c.iterations), 1, 100000000);
  c.batch_size = a.integer("batch", c.batch_size, 1, 4096);
  c.learning_rate = a.number("lr", c.learning_rate, 1e-12, 1e6);
  for (const std::string& item : split_list(a.text("lr-scale", ""))) {
    const auto eq = item.find('=');
    if (eq == std::string::npos) throw UsageError("train: --lr-scale expects NAME=X, got \"" + item + "\"");
    char* end = nullptr;
    const double scale = std::strtod(item.c_str() + eq + 1, &end);
    if (*end != '\0' || !(scale > 0)) throw UsageError("train: --lr-scale " + item + ": X must be a positive number");
    c.learning_rate_scales[item.substr(0, eq)] = scale;
  }
  c.momentum = a.number("momentum", c.momentum, 0, 0.999999);
  c.weight_decay = a.number("weight-decay", c.weight_decay, 0, 1);
  try {
    c.init = init_scheme_from_name(a.text("init", init_scheme_name(c.init)));
    c.optimizer = optimizer_from_name(a.text("optimizer", optimizer_name(c.optimizer)));
    c.schedule = schedule_from_name(a.text("schedule", schedule_name(c.schedule)));
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("train: ") + e.what());
  }
  c.augment = a.flag("augment");
  c.flip = a.flag("flip");
  c.label_smoothing = a.number("label-smoothing", c.label_smoothing, 0, 0.999);
  c.max_picture_pixels = a.number("max-picture-pixels", c.max_picture_pixels, 1, 1e12);
  c.data_cache_mb = a.integer("cache-mb", c.data_cache_mb, 0, 1 << 30);
  const std::string precision = a.text("precision", c.bf16 ? "bf16" : "float32");
  if (precision != "bf16" && precision != "float32") {
    throw UsageError("train: unknown precision \"" + precision + "\" (expected bf16 or float32)");
  }
  c.bf16 = precision == "bf16";
  c.record_every = a.integer("record-every", c.record_every, 1, 100000000);
  c.probe_every =
      a.text("probe-every", "") == "auto" ? kAutomaticProbes : a.integer("probe-every", c.probe_every, 0, 100000000);
  c.probe_size = a.integer("probe-size", c.probe_size, 1, 1000000);
  const std::string validation = a.text("validation", "auto");
  if (validation == "auto") {
    c.validation = kAutomaticValidation;
  } else {
    char* end = nullptr;
    const double v = std::strtod(validation.c_str(), &end);
    c.validation = end != validation.c_str() && *end == '\0' ? v : -2;  // -2: refused below
    if (!(c.validation == 0 || (c.validation > 0 && c.validation < 1) ||
          (c.validation >= 1 && c.validation <= 1e9 && c.validation == std::floor(c.validation)))) {
      throw UsageError("train: --validation " + validation +
                       ": expected a number of images, a fraction between 0 and 1, auto or 0");
    }
  }
  c.checkpoint_every = a.integer("checkpoint-every", c.checkpoint_every, 0, 100000000);
  c.early_stop = a.integer("early-stop", 0, 0, 1000000000);
  c.threads = a.integer("threads", c.threads, 0, 1024);
  c.seed = static_cast<std::uint64_t>(a.integer("seed", 0, 0, 2147483647));
  c.out_dir = a.text("out", "");
  try {
    c.validate();
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("train: ") + e.what());
  }
  return c;
}

int run_train(const std::vector<std::string>& args) {
  const ParsedArgs parsed(args, train_option_spec(), "train");
  if (parsed.flag("help")) {
    std::cout << train_usage();
    return 0;
  }
  if (parsed.flag("help-man")) {  // the man page's TRAIN OPTIONS, generated at build time
    std::cout << train_options_man();
    return 0;
  }
  if (!parsed.positional().empty()) throw UsageError("train: unexpected argument " + parsed.positional()[0]);
  const bool resume = parsed.has("resume");
  const DistSettings dist = dist_from_args(parsed);
  ExperimentConfig config;
  const bool only_process_options = [&] {
    for (const std::string& name : parsed.option_names()) {
      if (!kProcessOptions.count(name)) return false;
    }
    return true;
  }();
  if (dist.rank != 0 && (resume || only_process_options)) {
    // Rank 0 holds the run (and may be on another machine): its settings are taken at the rendezvous.
    DistSettings joining = dist;
    joining.adopt_settings = true;
    config = ExperimentConfig{};  // replaced by rank 0's
    config.threads = parsed.integer("threads", 0, 0, 1024);
    config.data_cache_mb = parsed.integer("cache-mb", 0, 0, 1 << 30);
    return run_rank(config, joining, false);
  }
  if (resume) {
    // The run's own settings: anything else would make it a different experiment.
    for (const std::string& name : parsed.option_names()) {
      if (name != "resume" && !kProcessOptions.count(name)) {
        throw UsageError("train: --resume continues a run with its own settings; --" + name + " cannot be changed");
      }
    }
    try {
      config = read_run_config(parsed.text("resume", ""));
    } catch (const std::exception& e) {
      std::cerr << "error: " << e.what() << "\n";
      return 1;
    }
    config.threads = parsed.integer("threads", config.threads, 0, 1024);
    config.data_cache_mb = parsed.integer("cache-mb", config.data_cache_mb, 0, 1 << 30);
  } else {
    config = config_from_args(parsed);
  }
  if (dist.rank != 0) return run_rank(config, dist, false);

  TerminalReporter reporter(std::cerr, isatty(STDERR_FILENO) != 0);
  Trainer trainer(config, reporter, resume, dist);
  if (run_interruptible(trainer) == RunState::Failed) return 1;
  std::cout << TerminalReporter::results_table(trainer.results());
  std::cout << "run folder: " << trainer.run_dir() << "\n";
  if (parsed.flag("png")) {
    const std::string plots = trainer.run_dir() + "/plots";
    const auto files = export_run_pictures(trainer.run_dir(), plots);
    std::cout << "plots: " << files.size() << " files in " << plots << "\n";
  }
  return 0;
}

}  // namespace alexnet::cli
