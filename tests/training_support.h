// Helpers for the engine tests: tiny specs, a quick config, an observer that records.
#pragma once

#include <QFile>
#include <QString>
#include <QStringList>

#include <mutex>
#include <nlohmann/json.hpp>

#include "spec/experiment_config.h"
#include "spec/presets.h"
#include "spec/spec_json.h"
#include "train/training_events.h"

namespace testsupport {

// A few thousand parameters at input 32: trains in well under a second per 10 steps.
inline alexnet::VariantSpec tiny_spec(const std::string& name, const std::string& activation = "relu") {
  const nlohmann::json j = {{"name", name},
                            {"input_size", 32},
                            {"activation", activation},
                            {"dropout", 0.0},
                            {"conv",
                             {{{"name", "conv1"}, {"filters", 16}, {"kernel", 5}, {"stride", 2}, {"pool", true}},
                              {{"name", "conv2"}, {"filters", 32}, {"kernel", 3}, {"padding", 1}, {"pool", true}}}},
                            {"fc", {{{"name", "fc3"}, {"units", 64}}}}};
  return alexnet::spec_from_json(j, name);
}

inline alexnet::ExperimentConfig quick_config(const std::string& out_dir, std::int64_t iterations = 40) {
  alexnet::ExperimentConfig c;
  c.variants = {tiny_spec("relu-net"), tiny_spec("tanh-net", "tanh")};
  c.data = "synthetic";
  c.iterations = iterations;
  c.batch_size = 32;
  c.input_size = 32;
  // SGD at a rate these tiny nets learn fast with, whatever the default experiment uses.
  c.optimizer = alexnet::OptimizerKind::SGD;
  c.learning_rate = 0.02;
  c.label_smoothing = 0;
  c.record_every = 10;
  c.probe_every = 20;
  c.probe_size = 200;
  c.checkpoint_every = 0;
  c.threads = 1;
  c.out_dir = out_dir;
  return c;
}

class RecordingObserver : public alexnet::TrainingObserver {
 public:
  void on_message(const std::string& text) override { keep(messages, text); }
  void on_state(alexnet::RunState s) override { keep(states, s); }
  void on_progress(const alexnet::ProgressUpdate& u) override { keep(progress, u); }
  void on_record(const alexnet::RecordPoint& p) override { keep(records, p); }
  void on_probe(const alexnet::ProbeResult& p) override { keep(probes, p); }
  void on_result(const alexnet::VariantResult& r) override { keep(results, r); }
  std::size_t progress_count() {
    std::lock_guard<std::mutex> lock(mutex);
    return progress.size();
  }
  bool said(const QString& fragment) {
    std::lock_guard<std::mutex> lock(mutex);
    for (const auto& m : messages) {
      if (QString::fromStdString(m).contains(fragment)) return true;
    }
    return false;
  }

  // The engine calls from its own thread; the test reads from the main one.
  template <typename T>
  void keep(std::vector<T>& list, const T& value) {
    std::lock_guard<std::mutex> lock(mutex);
    list.push_back(value);
  }

  std::mutex mutex;
  std::vector<std::string> messages;
  std::vector<alexnet::RunState> states;
  std::vector<alexnet::ProgressUpdate> progress;
  std::vector<alexnet::RecordPoint> records;
  std::vector<alexnet::ProbeResult> probes;
  std::vector<alexnet::VariantResult> results;
};

inline QStringList read_lines(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
}

inline nlohmann::json read_json(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return nullptr;
  return nlohmann::json::parse(f.readAll().toStdString(), nullptr, false);
}

}  // namespace testsupport
