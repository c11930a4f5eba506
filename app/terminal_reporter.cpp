#include "terminal_reporter.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "run/findings_file.h"

namespace alexnet::cli {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = std::lround(seconds);
  std::ostringstream o;
  if (s >= 3600) o << s / 3600 << "h" << std::setw(2) << std::setfill('0') << (s % 3600) / 60 << "m";
  else if (s >= 60) o << s / 60 << "m" << std::setw(2) << std::setfill('0') << s % 60 << "s";
  else o << s << "s";
  return o.str();
}

namespace {

// "original     300/2000  loss 0.6586  357 img/s  ETA 7m41s": the live line and the per-record line.
std::string progress_line(const std::string& variant, std::int64_t iteration, std::int64_t total, double loss,
                          double images_per_second, double eta_seconds) {
  std::ostringstream line;
  line << std::left << std::setw(12) << variant << std::right << std::setw(7) << iteration << "/" << total << "  loss "
       << std::fixed << std::setprecision(4) << loss << "  " << std::setprecision(0) << images_per_second
       << " img/s  ETA " << format_duration(eta_seconds);
  return line.str();
}

// A figure of the results table, or "-" where it was not measured.
std::string cell(double value, int width) {
  std::ostringstream o;
  o << std::setw(width);
  if (std::isfinite(value)) o << std::fixed << std::setprecision(4) << value;
  else o << "-";
  return o.str();
}

}  // namespace

TerminalReporter::TerminalReporter(std::ostream& out, bool live) : out_(out), live_(live) {}

void TerminalReporter::clear_live_lines() {
  if (!live_ || drawn_lines_ == 0) return;
  out_ << "\033[" << drawn_lines_ << "A\033[J";  // up over the block, erase to the end
  drawn_lines_ = 0;
}

void TerminalReporter::draw_live_lines() {
  for (const std::string& name : order_) {
    const ProgressUpdate& u = latest_[name];
    out_ << progress_line(name, u.iteration, u.total, u.loss, u.images_per_second, u.eta_seconds) << "\n";
  }
  drawn_lines_ = static_cast<int>(order_.size());
  out_.flush();
}

void TerminalReporter::on_message(const std::string& text) {
  std::lock_guard<std::mutex> lock(mutex_);
  clear_live_lines();
  out_ << text << "\n";
  if (live_ && !order_.empty()) draw_live_lines();
  out_.flush();
}

void TerminalReporter::on_progress(const ProgressUpdate& update) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!latest_.count(update.variant)) order_.push_back(update.variant);
  latest_[update.variant] = update;
  if (!live_) return;
  const auto now = std::chrono::steady_clock::now();
  const bool last = update.iteration == update.total && update.variant == order_.back();
  if (!last && now - last_draw_ < std::chrono::milliseconds(250)) return;
  last_draw_ = now;
  clear_live_lines();
  draw_live_lines();
}

void TerminalReporter::on_record(const RecordPoint& p) {
  if (live_) return;  // the live lines already show it
  std::lock_guard<std::mutex> lock(mutex_);
  const ProgressUpdate& u = latest_[p.variant];
  out_ << progress_line(p.variant, p.iteration, u.total, p.train_loss, p.images_per_second, u.eta_seconds);
  if (std::isfinite(p.validation_loss)) {
    out_ << "  validation " << std::fixed << std::setprecision(4) << p.validation_loss << " / " << std::setprecision(1)
         << 100 * p.validation_accuracy << " %";
  }
  out_ << "\n";
  out_.flush();
}

void TerminalReporter::on_finding(const Finding& finding) {
  if (finding.severity == Severity::Info) return;  // diagnose lists those; the live lines stay for what needs action
  std::lock_guard<std::mutex> lock(mutex_);
  // A finding that lasts is updated at every probe: said again only when it grows more severe.
  const std::string key =
      finding.kind + "/" + finding.variant + "/" + finding.layer + "/" + std::to_string(finding.first_iteration);
  const auto said = said_.find(key);
  if (said != said_.end() && said->second >= finding.severity) return;
  said_[key] = finding.severity;
  clear_live_lines();
  out_ << "finding: " << describe_finding(finding) << "\n";
  if (live_ && !order_.empty()) draw_live_lines();
  out_.flush();
}

std::string TerminalReporter::results_table(const std::vector<VariantResult>& results) {
  std::ostringstream o;
  o << std::left << std::setw(12) << "variant" << std::right << std::setw(11) << "test_loss" << std::setw(15)
    << "test_accuracy" << std::setw(12) << "iterations" << std::setw(10) << "seconds" << std::setw(13) << "parameters"
    << std::setw(10) << "val_loss" << std::setw(14) << "val_accuracy"
    << "\n";
  for (const VariantResult& r : results) {
    o << std::left << std::setw(12) << r.variant << std::right << std::fixed << std::setprecision(4) << std::setw(11)
      << r.test_loss << std::setw(15) << r.test_accuracy << std::setw(12) << r.iterations << std::setprecision(1)
      << std::setw(10) << r.seconds << std::setw(13) << r.parameters << cell(r.validation_loss, 10)
      << cell(r.validation_accuracy, 14);
    if (!r.note.empty()) o << "  (" << r.note << ")";
    o << "\n";
  }
  // Where the best weights by validation accuracy came from (--weights best uses them).
  for (const VariantResult& r : results) {
    if (r.best_iteration < 0) continue;
    o << "best " << r.variant << ": iteration " << r.best_iteration << ", validation accuracy " << std::setprecision(4)
      << r.best_validation_accuracy << " on the probe set";
    if (std::isfinite(r.best_test_accuracy))
      o << ", test accuracy " << r.best_test_accuracy << " (loss " << r.best_test_loss << ")";
    o << "\n";
  }
  return o.str();
}

}  // namespace alexnet::cli
