// The AlexNet Lab window: experiment settings and controls on the left, the
// loss, filter, activation and results views in tabs. It draws what the
// training worker reports and never trains itself.
#pragma once

#include <QMainWindow>

#include "spec/experiment_config.h"

#include "event_types.h"

class QAction;
class QDoubleSpinBox;
class QLabel;
class QMenu;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QThread;

#include "run/weights_choice.h"

namespace alexnet::ui {

class ActivationView;
class GradientView;
class SweepView;
class CompareView;
class InspectView;
class RunsView;
class ExperimentPanel;
class FilterView;
class LossView;
class ResultsView;
class FindingsView;
class MistakesView;
class RunHistory;
class TrainingWorker;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  bool startExperiment();            // from the panel's settings; false (with a message) if they are refused
  bool openRun(const QString& dir);  // a sweep folder opens in the Sweep tab
  bool openSweep(const QString& dir);
  SweepView* sweepView() const { return sweep_view_; }
  // Continues the opened run from its last checkpoint (a stopped, killed or crashed run).
  bool continueRun();
  // Every plot of the run in view, and the comparison in the Compare tab when there is one.
  QStringList exportAll(const QString& dir, QString* error, const QString& format = "png");
  // Writes the opened run's variants as ONNX models (with their descriptions)
  // into `dir`, on a background thread with a progress dialog; modelsExported
  // tells how it went. False when there is no run or an export is under way.
  // Each variant's last weights (or its best by validation accuracy) as ONNX, off the GUI thread.
  bool exportModels(const QString& dir, Weights weights = Weights::Last);

  RunHistory* history() const { return history_; }
  ExperimentPanel* panel() const { return panel_; }
  TrainingWorker* worker() const { return worker_; }
  QTabWidget* tabs() const { return tabs_; }
  RunsView* runsView() const { return runs_view_; }
  CompareView* compareView() const { return compare_view_; }
  InspectView* inspectView() const { return inspect_view_; }
  const ExperimentConfig& runConfig() const { return run_config_; }  // the running or shown run's settings
  MistakesView* mistakesView() const { return mistakes_view_; }
  ResultsView* resultsView() const { return results_view_; }
  FindingsView* findingsView() const { return findings_view_; }
  LossView* lossView() const { return loss_view_; }
  // Compares run folders in the Compare tab; false when they cannot be, with the
  // reason in `error` when it is given, else in a message box.
  bool compareRuns(const QStringList& dirs, QString* error = nullptr);
  bool isTraining() const;

 signals:
  void modelsExported(const QStringList& files, const QString& error);

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  double secondsPerTrial(const ExperimentConfig& config) const;
  void buildMenus();
  // A new experiment from the shown run's settings with the finding's first
  // repair; when it finishes, both runs open in Compare.
  bool tryFix(const alexnet::Finding& finding);
  bool startExperimentWith(const alexnet::ExperimentConfig& config);
  void setState(alexnet::RunState state);
  void log(const QString& text);
  void rememberRun(const QString& dir);
  void refreshRecentRuns();

  RunHistory* history_;
  TrainingWorker* worker_;
  ExperimentPanel* panel_;
  QTabWidget* tabs_;
  LossView* loss_view_;
  FilterView* filter_view_;
  ActivationView* activation_view_;
  GradientView* gradient_view_;
  SweepView* sweep_view_;
  ResultsView* results_view_;
  FindingsView* findings_view_;
  QString fix_of_;  // the run a running "Try the fix" experiment repairs
  MistakesView* mistakes_view_;
  InspectView* inspect_view_;
  CompareView* compare_view_;
  RunsView* runs_view_;
  ExperimentConfig run_config_;  // the shown run's settings (for its mistakes)
  QPushButton* start_;
  QPushButton* pause_;
  QPushButton* resume_;
  QPushButton* stop_;
  QPushButton* continue_;
  QDoubleSpinBox* live_rate_;
  QPushButton* apply_rate_;
  QPlainTextEdit* log_;
  QLabel* state_label_;
  QMenu* recent_menu_;
  QAction* export_models_;
  QAction* export_best_models_;
  QThread* export_thread_ = nullptr;
  QString run_dir_;
  bool opened_unfinished_ = false;  // the run in view can be continued
};

}  // namespace alexnet::ui
