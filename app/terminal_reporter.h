// Shows a headless run in the terminal: a live progress line per variant
// (redrawn in place on a terminal, one line per record otherwise), messages,
// and the results table at the end.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "train/training_events.h"

namespace alexnet::cli {

class TerminalReporter : public TrainingObserver {
 public:
  TerminalReporter(std::ostream& out, bool live);

  void on_message(const std::string& text) override;
  void on_progress(const ProgressUpdate& update) override;
  void on_record(const RecordPoint& point) override;
  void on_finding(const Finding& finding) override;

  // variant  test_loss  test_accuracy  iterations  seconds  parameters
  static std::string results_table(const std::vector<VariantResult>& results);

 private:
  void clear_live_lines();
  void draw_live_lines();

  std::ostream& out_;
  const bool live_;
  std::mutex mutex_;
  std::vector<std::string> order_;
  std::map<std::string, ProgressUpdate> latest_;
  int drawn_lines_ = 0;
  std::map<std::string, Severity> said_;  // findings printed, by key
  std::chrono::steady_clock::time_point last_draw_{};
};

std::string format_duration(double seconds);

}  // namespace alexnet::cli
