// alexnet-lab: the window, and the headless commands.
#include <iostream>
#include <string>
#include <vector>

#include "command_line.h"
#include "errors.h"
#include "bench_command.h"
#include "classify_command.h"
#include "compare_command.h"
#include "diagnose_command.h"
#include "sweep_command.h"
#include "describe_command.h"
#include "export_command.h"
#include "gui_app.h"
#include "openmp_wait_policy.h"
#include "runs_command.h"
#include "train_command.h"
#include "version.h"

namespace {

const char* const kUsage =
    "AlexNet Lab " ALEXNET_LAB_VERSION
    " - train AlexNet variants side by side and see what they learn\n"
    "\n"
    "usage:\n"
    "  alexnet-lab                      the window\n"
    "  alexnet-lab describe VARIANT     layer table and parameter count of a preset or JSON spec\n"
    "  alexnet-lab train [options]      a headless experiment into a run folder (--png: plots too)\n"
    "  alexnet-lab train --resume DIR   continue a stopped, killed or crashed run\n"
    "  alexnet-lab export DIR --png OUT re-draw a saved run's plots (also --pdf OUT, --svg OUT)\n"
    "  alexnet-lab export DIR --onnx OUT  the trained variants as ONNX models, with their descriptions\n"
    "  alexnet-lab classify DIR IMAGE.. each variant's most probable classes for pictures\n"
    "  alexnet-lab classify --onnx FILE IMAGE..  the same through an exported model and OpenCV alone\n"
    "  alexnet-lab delete DIR...        move runs to the trash (a linked run: the link alone)\n"
    "  alexnet-lab rename DIR NAME      rename a run within its folder\n"
    "  alexnet-lab compare DIR DIR...   runs side by side: results, what differs, overlaid losses\n"
    "  alexnet-lab diagnose DIR...      what went wrong in runs, where, since when, what to try (--json)\n"
    "  alexnet-lab sweep [options]      a space of settings run and pruned (ASHA) here or on Slurm (--help)\n"
    "  alexnet-lab bench [options]      training images/s per variant (--help for the options)\n"
    "  alexnet-lab open DIR             the window with a saved run\n"
    "  alexnet-lab window [--start]     the window, starting an experiment at once\n"
    "  alexnet-lab --help | --version\n"
    "\n"
    "Run `alexnet-lab COMMAND --help` for a command's options.\n";

int dispatch(int argc, char** argv, const std::vector<std::string>& args) {
  using namespace alexnet::cli;
  if (args.empty()) {
    if (display_available()) return run_window(argc, argv);
    std::cout << "No display is available for the window: running the default experiment headless instead "
                 "(alexnet-lab train --png). See `alexnet-lab --help` for the commands.\n";
    return run_train({"--png"});
  }
  const std::string& command = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (command == "--version") {
    std::cout << "alexnet-lab " ALEXNET_LAB_VERSION "\n";
    return 0;
  }
  if (command == "describe") return run_describe(rest);
  if (command == "bench") return run_bench(rest);
  if (command == "train") return run_train(rest);
  if (command == "export") return run_export(rest);
  if (command == "classify") return run_classify(rest);
  if (command == "compare") return run_compare(rest);
  if (command == "diagnose") return run_diagnose(rest);
  if (command == "sweep") return run_sweep(rest);
  if (command == "delete") return run_delete(rest);
  if (command == "rename") return run_rename(rest);
  if (command == "open") return run_open(argc, argv, rest);
  if (command == "window") return run_window_command(argc, argv, rest);
  throw UsageError("unknown command or option \"" + command + "\"\n" + kUsage);
}

}  // namespace

int main(int argc, char** argv) {
  alexnet::cli::restart_with_sleeping_openmp_threads(argv);
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return dispatch(argc, argv, args);
  } catch (const alexnet::Error& e) {
    // Refused input (a spec, a data set, a run folder, an export) names the
    // file and the problem itself; anything else is labelled an error.
    std::cerr << "alexnet-lab: " << (e.refused_input() || e.kind() == alexnet::ErrorKind::Usage ? "" : "error: ")
              << e.what() << "\n";
    return e.kind() == alexnet::ErrorKind::Usage ? 2 : 1;
  } catch (const std::exception& e) {
    std::cerr << "alexnet-lab: error: " << e.what() << "\n";
    return 1;
  }
}
