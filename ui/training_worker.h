// Runs the engine on its own thread and turns what it reports into queued
// signals. The window never waits on it: pause, resume, stop and the learning
// rate are atomic requests the engine picks up at its next iteration.
#pragma once

#include <QObject>
#include <QThread>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>

#include "event_types.h"
#include "spec/experiment_config.h"
#include "train/trainer.h"

namespace alexnet::ui {

class TrainingWorker : public QObject, public TrainingObserver {
  Q_OBJECT
 public:
  explicit TrainingWorker(QObject* parent = nullptr);
  ~TrainingWorker() override;

  // Starts a run on the worker thread; false if one is already running.
  // With `resume`, config is read_run_config(run) and the run goes on.
  // config.world_size > 1 trains data-parallel: this process is rank 0 and
  // starts the others on this machine from workerProgram().
  bool start(const ExperimentConfig& config, bool resume = false);
  // alexnet-lab itself, unless set (tests run from another executable).
  void setWorkerProgram(const QString& program) { worker_program_ = program; }
  QString workerProgram() const;
  bool running() const { return running_; }
  void pause();
  void resume();
  void stop();
  void setLearningRate(double rate);
  // Stops a running experiment and waits for its thread (used on close).
  void stopAndWait();

  // TrainingObserver, called on the worker thread:
  void on_message(const std::string& text) override;
  void on_classes(const std::vector<std::string>& class_names) override;
  void on_state(RunState state) override;
  void on_progress(const ProgressUpdate& update) override;
  void on_record(const RecordPoint& point) override;
  void on_probe(const ProbeResult& probe) override;
  void on_result(const VariantResult& result) override;
  void on_gradients(const GradientRecord& gradients) override;
  void on_finding(const Finding& finding) override;

 signals:
  void message(const QString& text);
  void classes(const QStringList& class_names);
  void stateChanged(alexnet::RunState state);
  void progress(const alexnet::ProgressUpdate& update);
  void record(const alexnet::RecordPoint& point);
  void probe(const alexnet::ProbeResult& probe);
  void result(const alexnet::VariantResult& result);
  void gradients(const alexnet::GradientRecord& gradients);
  void finding(const alexnet::Finding& finding);
  void runFolder(const QString& dir);
  void finished(alexnet::RunState state);

 private:
  QThread thread_;
  std::unique_ptr<Trainer> trainer_;
  std::atomic<bool> running_{false};
  std::mutex finished_mutex_;         // guards the end of a run for stopAndWait
  std::condition_variable finished_;  // notified when running_ turns false
  bool announced_folder_ = false;
  QString worker_program_;
};

}  // namespace alexnet::ui
