// The Qt side of the binary: the window, and drawing a run's plots without one.
#pragma once

#include <string>
#include <vector>

#include "option_table.h"

#include "run/run_comparison.h"

namespace alexnet::cli {

// True when a window can be shown (a display, or a platform chosen explicitly).
bool display_available();

// Opens the main window (with a run folder, if given); returns the exit code.
int run_window(int argc, char** argv, const std::string& run_dir = {});

// `alexnet-lab window [--start] [--screenshots DIR]`
int run_window_command(int argc, char** argv, const std::vector<std::string>& args);
// Their options, once: --help, the parser and the man page (option_table.h).
const CommandDoc& window_doc();
const CommandDoc& open_doc();

// `alexnet-lab open RUN_DIR [--screenshots DIR]`: the window with a past run;
// --screenshots saves each view of the real window as a PNG and quits.
int run_open(int argc, char** argv, const std::vector<std::string>& args);

// Re-draws every plot of a run folder into `out_dir` as PNGs, off screen, with
// the window's own plotting code. Returns the files written; throws on failure.
// format: png, pdf or svg
std::vector<std::string> export_run_pictures(const std::string& run_dir, const std::string& out_dir,
                                             const std::string& format = "png");

// The overlaid loss curves of a comparison as OUT_DIR/compare-loss.FORMAT, off
// screen; returns the number of curves (runs x variants with records).
int export_comparison_pictures(const Comparison& comparison, const std::string& out_dir, const std::string& format);

}  // namespace alexnet::cli
