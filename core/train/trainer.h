// The training engine: every variant steps on the same batch sequence; records,
// probes, checkpoints and results go to the run folder and to an observer as
// plain values. run() blocks; pause/resume/stop/set_learning_rate may be called
// from any thread and take effect at the next iteration.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "dist/dist_settings.h"
#include "spec/experiment_config.h"
#include "training_events.h"

namespace alexnet {

class Cluster;

class Trainer {
 public:
  // With `resume`, config.out_dir is an existing run (see read_run_config in run/run_config.h) and
  // training goes on from its last checkpoint; otherwise out_dir must not
  // already hold a run. With `dist.world_size` > 1 this process is one rank of
  // a data-parallel run (config.world_size follows dist): only rank 0 writes
  // the run folder and reports records, probes and results; the other ranks
  // report messages and the final state.
  Trainer(ExperimentConfig config, TrainingObserver& observer, bool resume = false, DistSettings dist = {});

  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  // Trains to the end or until stop(); always leaves a complete run folder when
  // it got as far as creating one. Returns the final state (Finished, Stopped or
  // Failed; the reason for a failure went to the observer as a message).
  RunState run();

  void pause();
  void resume();
  void stop();
  // Makes the current learning rate `rate`; the schedule goes on from there, scaled.
  void set_learning_rate(double rate);
  // Before run(): stop (as stop() does: checkpoint, evaluation, results) once
  // `iteration` iterations are done; `why` becomes the variants' note. A
  // sweep's trials stop so at each ASHA rung and are resumed from there.
  void stop_at(std::int64_t iteration, std::string why);

  bool paused() const { return pause_requested_; }
  std::string run_dir() const;
  std::vector<VariantResult> results() const;

 private:
  struct Control;
  class Session;  // one run's state and its phases (trainer.cpp)
  RunState train();
  Control agree_on_control(Cluster& cluster);
  void emit_state(RunState s);

  ExperimentConfig config_;
  const bool resume_;
  const DistSettings dist_;
  TrainingObserver& observer_;
  std::atomic<bool> pause_requested_{false};
  std::atomic<bool> stop_requested_{false};
  std::atomic<double> pending_rate_{0.0};  // > 0: a requested learning rate not yet applied
  std::int64_t stop_at_ = -1;
  std::string stop_why_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::string run_dir_;
  std::vector<VariantResult> results_;
};

}  // namespace alexnet
