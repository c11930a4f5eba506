#include "training_worker.h"

#include <QCoreApplication>
#include <QMetaObject>

namespace alexnet::ui {

void register_event_types() {
  qRegisterMetaType<alexnet::RecordPoint>();
  qRegisterMetaType<alexnet::ProbeResult>();
  qRegisterMetaType<alexnet::VariantResult>();
  qRegisterMetaType<alexnet::ProgressUpdate>();
  qRegisterMetaType<alexnet::RunState>();
  qRegisterMetaType<alexnet::Finding>();
  qRegisterMetaType<alexnet::GradientRecord>();
}

TrainingWorker::TrainingWorker(QObject* parent) : QObject(parent) {
  register_event_types();
  thread_.setObjectName("training");
  thread_.start();
}

TrainingWorker::~TrainingWorker() {
  stopAndWait();
  thread_.quit();
  thread_.wait();
}

bool TrainingWorker::start(const ExperimentConfig& config, bool resume) {
  if (running_.exchange(true)) return false;
  DistSettings dist;
  if (config.world_size > 1) {
    dist.world_size = config.world_size;
    dist.local_processes = config.world_size;
    dist.worker_program = workerProgram().toStdString();
  }
  trainer_ = std::make_unique<Trainer>(config, *this, resume, dist);
  announced_folder_ = false;
  Trainer* trainer = trainer_.get();
  // The training loop runs inside one call on the worker thread.
  QObject* context = new QObject();
  context->moveToThread(&thread_);
  QMetaObject::invokeMethod(context, [this, trainer, context] {
    const RunState state = trainer->run();
    {
      const std::lock_guard<std::mutex> lock(finished_mutex_);
      running_ = false;
    }
    finished_.notify_all();
    emit finished(state);
    context->deleteLater();
  });
  return true;
}

QString TrainingWorker::workerProgram() const {
  return worker_program_.isEmpty() ? QCoreApplication::applicationFilePath() : worker_program_;
}

void TrainingWorker::pause() {
  if (trainer_) trainer_->pause();
}

void TrainingWorker::resume() {
  if (trainer_) trainer_->resume();
}

void TrainingWorker::stop() {
  if (trainer_) trainer_->stop();
}

void TrainingWorker::setLearningRate(double rate) {
  if (trainer_) trainer_->set_learning_rate(rate);
}

void TrainingWorker::stopAndWait() {
  if (!running_) return;
  stop();
  // Woken when the run has ended (it finishes its step, checkpoint and results first).
  std::unique_lock<std::mutex> lock(finished_mutex_);
  finished_.wait(lock, [this] { return !running_; });
}

void TrainingWorker::on_message(const std::string& text) {
  emit message(QString::fromStdString(text));
  if (!announced_folder_ && trainer_ && !trainer_->run_dir().empty()) {
    announced_folder_ = true;
    emit runFolder(QString::fromStdString(trainer_->run_dir()));
  }
}

void TrainingWorker::on_classes(const std::vector<std::string>& class_names) {
  QStringList names;
  for (const std::string& name : class_names) names << QString::fromStdString(name);
  emit classes(names);
}

void TrainingWorker::on_state(RunState state) { emit stateChanged(state); }
void TrainingWorker::on_progress(const ProgressUpdate& value) { emit progress(value); }
void TrainingWorker::on_record(const RecordPoint& value) { emit record(value); }
void TrainingWorker::on_probe(const ProbeResult& value) { emit probe(value); }
void TrainingWorker::on_result(const VariantResult& value) { emit result(value); }

void TrainingWorker::on_gradients(const GradientRecord& value) { emit gradients(value); }
void TrainingWorker::on_finding(const Finding& value) { emit finding(value); }

}  // namespace alexnet::ui
