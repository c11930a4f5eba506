#include "train_options.h"

#include <sstream>

#include "dist/dist_settings.h"
#include "spec/experiment_config.h"

namespace alexnet::cli {

namespace {

std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

std::vector<OptionGroup> make_groups() {
  const ExperimentConfig c;
  const DistSettings d;
  return {
      {"",
       {{"variants", "LIST", "comma-separated presets or JSON spec files (default original,tanh,small)"},
        {"data", "WHAT", "fashion-mnist (default), synthetic, or a path (IDX, CIFAR-10 folder, image folder)"},
        {"iterations", "N", "training iterations (default " + std::to_string(c.iterations) + ")"},
        {"batch", "N", "batch size (default " + std::to_string(c.batch_size) + ")"},
        {"input-size", "S", "inputs are 3 x S x S (default " + std::to_string(c.input_size) + ")"},
        {"lr", "X", "peak learning rate (default " + number(c.learning_rate) + "; the report's SGD used 0.01)"},
        {"lr-scale", "NAME=X,...", "multiply one variant's learning rate by X"},
        {"schedule", "KIND", schedule_name(c.schedule) + " (default), warmup-cosine or constant"},
        {"momentum", "X", "SGD momentum (default " + number(c.momentum) + ")"},
        {"weight-decay", "X", "(default " + number(c.weight_decay) + ")"},
        {"init", "KIND", init_scheme_name(c.init) + " (default) or paper"},
        {"optimizer", "KIND", optimizer_name(c.optimizer) + " (default) or sgd"},
        {"augment", "", "random crops and horizontal flips"},
        {"flip", "", "horizontal flips alone"},
        {"label-smoothing", "X",
         "train against (1 - X)·one-hot + X/classes (default " + number(c.label_smoothing) + ")"},
        {"max-picture-pixels", "N",
         "image folders: skip pictures whose header claims more pixels, without decoding them (default " +
             std::to_string(static_cast<long long>(c.max_picture_pixels)) + ")"},
        {"cache-mb", "N",
         "image folders larger than N MiB decoded stream from disk on loader threads (default 0: automatic, at "
         "most 2048)",
         true},
        {"precision", "KIND",
         std::string(c.bf16 ? "bf16 (default: the large layers, fc7 and conv2-conv5, multiply in bfloat16 with "
                              "float32 weights, where the CPU has AVX512-BF16) or float32 (float32 throughout)"
                            : "float32 (default) or bf16")},
        {"record-every", "N", "a metrics row every N iterations (default " + std::to_string(c.record_every) + ")"},
        {"probe-every", "N",
         "filters, histograms and dead units every N iterations (default auto: iterations / " +
             std::to_string(kAutomaticProbeCount) + ", so every run gets at least " +
             std::to_string(kAutomaticProbeCount) + " probes; 0: none)"},
        {"validation", "N|FRACTION|auto",
         "training images held out as the validation split, never trained on, measured at every probe and at the "
         "end (default auto: 1/12 of them, at most 5000, at least one per class; 0: none)"},
        {"probe-size", "N",
         "images in the probe set: the validation split's first (default " + std::to_string(c.probe_size) + ")"},
        {"checkpoint-every", "N", "(default " + std::to_string(c.checkpoint_every) + "; 0: at the end only)"},
        {"early-stop", "PATIENCE",
         "stop a variant whose validation accuracy has not improved for PATIENCE iterations (decided at the "
         "probes; the others go on; default 0: off). Every run keeps each variant's best weights by validation "
         "accuracy beside the last"},
        {"threads", "N",
         "threads to train on (default: all cores); with two or more, the variants of a step train side by "
         "side, each on its share",
         true},
        {"seed", "N", "(default " + std::to_string(c.seed) + ")"},
        {"out", "DIR", "the run folder (default: a new folder under ~/.local/share/alexnet-lab/runs)"},
        {"png", "", "also draw every plot into RUN_DIR/plots (no display needed)", true}}},
      {"data-parallel training (c10d + Gloo; --batch stays the global batch and must divide)",
       {{"processes", "N", "N processes on this machine, each with its share of the cores", true},
        {"world-size", "N", "this process is one of N in a run over machines (with --rank and --master)", true},
        {"rank", "R", "this process's rank; rank 0 listens on the master's port, the others connect to it", true},
        {"master", "HOST:PORT",
         "rank 0's address (a rank other than 0 started without experiment options takes rank 0's; with "
         "options, they must be the same)",
         true},
        {"interface", "IFACE", "the network interface for the collectives (default: the one that reaches the master)",
         true},
        {"timeout", "S", "give up on a silent rank after S seconds (default " + std::to_string(d.timeout_seconds) + ")",
         true},
        {"local-processes", "N", "processes of this run on this machine, for the thread share", true}}},
      {"continuing a run",
       {{"resume", "RUN_DIR",
         "continue a stopped, killed or crashed run from its last checkpoint with its own settings (with "
         "--threads, --png, --processes or --world-size ... beside it; the same or another number of "
         "processes)"}}},
  };
}

}  // namespace

const std::vector<OptionGroup>& train_option_groups() {
  static const std::vector<OptionGroup> groups = make_groups();
  return groups;
}

OptionSpec train_option_spec() { return option_spec(train_option_groups()); }

std::set<std::string> train_process_options() {
  std::set<std::string> names;
  for (const OptionGroup& g : train_option_groups()) {
    for (const OptionDoc& o : g.options) {
      if (o.process) names.insert(o.name);
    }
  }
  return names;
}

std::string train_usage() { return "usage: alexnet-lab train [options]\n" + options_help(train_option_groups()); }

std::string train_options_man() { return options_man(train_option_groups()); }

}  // namespace alexnet::cli
