#include "main_window.h"

#include "mistakes_view.h"

#include "picture_file.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressDialog>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QThread>
#include <QVBoxLayout>

#include "activation_view.h"
#include "findings_view.h"
#include "gradient_view.h"
#include "sweep_view.h"
#include "analysis/repair.h"
#include "compare_view.h"
#include "inspect_view.h"
#include "runs_view.h"
#include "experiment_panel.h"
#include "export/onnx_export.h"
#include "export_all.h"
#include "filter_view.h"
#include "loss_view.h"
#include "results_view.h"
#include "run_history.h"
#include "run/run_config.h"
#include "run/run_reader.h"
#include "run/run_store.h"
#include "background_job.h"
#include "training_worker.h"

namespace alexnet::ui {

namespace {
constexpr int kRecentRuns = 8;

QString state_text(RunState s) {
  switch (s) {
    case RunState::Preparing:
      return QObject::tr("preparing");
    case RunState::Training:
      return QObject::tr("training");
    case RunState::Paused:
      return QObject::tr("paused");
    case RunState::Evaluating:
      return QObject::tr("evaluating on the test set");
    case RunState::Finished:
      return QObject::tr("finished");
    case RunState::Stopped:
      return QObject::tr("stopped");
    case RunState::Failed:
      return QObject::tr("failed");
  }
  return {};
}
}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(tr("AlexNet Lab"));
  history_ = new RunHistory(this);
  worker_ = new TrainingWorker(this);

  tabs_ = new QTabWidget();
  loss_view_ = new LossView(history_);
  filter_view_ = new FilterView(history_);
  activation_view_ = new ActivationView(history_);
  results_view_ = new ResultsView(history_);
  tabs_->addTab(loss_view_, tr("Loss"));
  tabs_->addTab(filter_view_, tr("Filters"));
  tabs_->addTab(activation_view_, tr("Activations"));
  gradient_view_ = new GradientView(history_);
  tabs_->addTab(gradient_view_, tr("Gradients"));
  tabs_->addTab(results_view_, tr("Results"));
  findings_view_ = new FindingsView(history_);
  tabs_->addTab(findings_view_, tr("Findings"));
  connect(findings_view_, &FindingsView::showEvidence, this, [this](const Finding& f) {
    // Gradients and step sizes are in the depth profile; a layer's state is in the Activations view's
    // dead-unit and histogram plots; the rest is in the loss curves.
    if (f.kind == "vanishing_gradient" || f.kind == "exploding_gradient" || f.kind == "lr_too_high" ||
        f.kind == "lr_too_low") {
      gradient_view_->select(QString::fromStdString(f.variant));
      tabs_->setCurrentWidget(gradient_view_);
    } else if (!f.layer.empty()) {
      activation_view_->select(QString::fromStdString(f.variant), QString::fromStdString(f.layer));
      tabs_->setCurrentWidget(activation_view_);
    } else if (f.kind == "class_imbalance" ||
               (f.kind == "comparison" && f.layer.empty() && f.first_iteration == f.last_iteration)) {
      tabs_->setCurrentWidget(results_view_);
    } else {
      tabs_->setCurrentWidget(loss_view_);
    }
  });
  connect(findings_view_, &FindingsView::tryFix, this, &MainWindow::tryFix);
  mistakes_view_ = new MistakesView();
  tabs_->addTab(mistakes_view_, tr("Mistakes"));
  connect(results_view_, &ResultsView::cellActivated, this, [this](const QString& variant, int truth, int predicted) {
    mistakes_view_->showCell(variant, truth, predicted);
    tabs_->setCurrentWidget(mistakes_view_);
  });
  inspect_view_ = new InspectView();
  tabs_->addTab(inspect_view_, tr("Inspect"));
  connect(mistakes_view_, &MistakesView::imageClicked, this, [this](qint64 index) {
    inspect_view_->inspectTest(index);
    tabs_->setCurrentWidget(inspect_view_);
  });
  compare_view_ = new CompareView();
  tabs_->addTab(compare_view_, tr("Compare"));
  runs_view_ = new RunsView();
  tabs_->addTab(runs_view_, tr("Runs"));
  connect(runs_view_, &RunsView::openRequested, this, [this](const QString& dir) {
    if (openRun(dir)) tabs_->setCurrentWidget(loss_view_);
  });
  connect(runs_view_, &RunsView::compareRequested, this, [this](const QStringList& dirs) { compareRuns(dirs); });
  sweep_view_ = new SweepView();
  tabs_->addTab(sweep_view_, tr("Sweep"));
  connect(sweep_view_, &SweepView::compareRequested, this, [this](const QStringList& dirs) { compareRuns(dirs); });
  sweep_view_->setBase([this] { return panel_->config(); },
                       [this](const ExperimentConfig& c) { return secondsPerTrial(c); });
  setCentralWidget(tabs_);

  auto* side = new QWidget();
  auto* side_layout = new QVBoxLayout(side);
  panel_ = new ExperimentPanel();
  auto* scroll = new QScrollArea();
  scroll->setObjectName("panelScroll");
  scroll->setWidget(panel_);
  scroll->setWidgetResizable(true);
  // The panel scrolls up and down only: the dock is as wide as the panel needs
  // beside a vertical scroll bar, so no setting hides off to the side.
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setMinimumWidth(panel_->sizeHint().width() + scroll->verticalScrollBar()->sizeHint().width() +
                          2 * scroll->frameWidth());
  side_layout->addWidget(scroll, 1);
  auto* buttons = new QHBoxLayout();
  start_ = new QPushButton(tr("Start"));
  pause_ = new QPushButton(tr("Pause"));
  resume_ = new QPushButton(tr("Resume"));
  stop_ = new QPushButton(tr("Stop"));
  continue_ = new QPushButton(tr("Continue run"));
  continue_->setObjectName("continueButton");
  continue_->setToolTip(tr("Train the opened run on from its last checkpoint, with its own settings"));
  start_->setObjectName("startButton");
  pause_->setObjectName("pauseButton");
  resume_->setObjectName("resumeButton");
  stop_->setObjectName("stopButton");
  for (QPushButton* b : {start_, pause_, resume_, stop_}) buttons->addWidget(b);
  side_layout->addLayout(buttons);
  side_layout->addWidget(continue_);
  auto* rate_row = new QHBoxLayout();
  rate_row->addWidget(new QLabel(tr("Learning rate now")));
  live_rate_ = new QDoubleSpinBox();
  live_rate_->setObjectName("liveRate");
  live_rate_->setDecimals(5);
  live_rate_->setRange(1e-6, 10);
  live_rate_->setSingleStep(0.001);
  live_rate_->setToolTip(
      tr("The learning rate the running experiment uses from now on; before a run, the "
         "experiment's own"));
  rate_row->addWidget(live_rate_);
  apply_rate_ = new QPushButton(tr("Apply"));
  apply_rate_->setObjectName("applyRate");
  rate_row->addWidget(apply_rate_);
  side_layout->addLayout(rate_row);
  state_label_ = new QLabel(tr("idle"));
  side_layout->addWidget(state_label_);
  log_ = new QPlainTextEdit();
  log_->setObjectName("log");
  log_->setReadOnly(true);
  log_->setMaximumBlockCount(2000);
  log_->setMinimumHeight(120);
  side_layout->addWidget(log_);
  auto* dock = new QDockWidget(tr("Experiment"));
  dock->setObjectName("experimentDock");
  dock->setWidget(side);
  dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
  addDockWidget(Qt::LeftDockWidgetArea, dock);

  buildMenus();

  connect(start_, &QPushButton::clicked, this, &MainWindow::startExperiment);
  connect(continue_, &QPushButton::clicked, this, &MainWindow::continueRun);
  connect(pause_, &QPushButton::clicked, worker_, &TrainingWorker::pause);
  connect(resume_, &QPushButton::clicked, worker_, &TrainingWorker::resume);
  connect(stop_, &QPushButton::clicked, worker_, &TrainingWorker::stop);
  connect(apply_rate_, &QPushButton::clicked, this, [this] { worker_->setLearningRate(live_rate_->value()); });
  connect(worker_, &TrainingWorker::message, this, &MainWindow::log);
  connect(worker_, &TrainingWorker::stateChanged, this, &MainWindow::setState);
  connect(worker_, &TrainingWorker::finished, this, &MainWindow::setState);
  connect(worker_, &TrainingWorker::finished, this, [this](RunState state) {
    const QString fix_of = fix_of_;
    fix_of_.clear();
    if (run_dir_.isEmpty()) return;
    mistakes_view_->setRun(run_dir_, run_config_, history_->classNames());
    inspect_view_->setRun(run_dir_, run_config_, history_->classNames());
    // A fix that ran: the run it repairs beside it.
    if (!fix_of.isEmpty() && state == RunState::Finished) compareRuns({fix_of, run_dir_});
  });
  connect(worker_, &TrainingWorker::progress, loss_view_, &LossView::showProgress);
  connect(worker_, &TrainingWorker::classes, history_, &RunHistory::setClassNames);
  connect(worker_, &TrainingWorker::record, history_, &RunHistory::addRecord);
  connect(worker_, &TrainingWorker::probe, history_, &RunHistory::addProbe);
  connect(worker_, &TrainingWorker::result, history_, &RunHistory::addResult);
  connect(worker_, &TrainingWorker::finding, history_, &RunHistory::addFinding);
  connect(worker_, &TrainingWorker::gradients, history_, &RunHistory::addGradients);
  connect(worker_, &TrainingWorker::runFolder, this, [this](const QString& dir) {
    run_dir_ = dir;
    history_->setDir(dir);
    setWindowTitle(tr("AlexNet Lab — %1").arg(dir));
    rememberRun(dir);
  });

  QSettings settings;
  restoreGeometry(settings.value("window/geometry").toByteArray());
  restoreState(settings.value("window/state").toByteArray());
  if (!settings.contains("window/geometry")) resize(1400, 900);
  panel_->restoreSettings();
  // Until a run starts, the rate a run would start from: the experiment's.
  live_rate_->setValue(panel_->learningRate());
  connect(panel_, &ExperimentPanel::learningRateChanged, this, [this](double rate) {
    if (!worker_->running()) live_rate_->setValue(rate);
  });
  setState(RunState::Finished);
  state_label_->setText(tr("idle"));
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open = file->addAction(tr("&Open run…"));
  open->setShortcut(QKeySequence::Open);
  connect(open, &QAction::triggered, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a run folder"),
                                                          QString::fromStdString(new_default_run_dir()) + "/..");
    if (!dir.isEmpty()) openRun(dir);
  });
  QAction* open_sweep = file->addAction(tr("Open s&weep…"));
  open_sweep->setObjectName("openSweep");
  connect(open_sweep, &QAction::triggered, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a sweep folder"),
                                                          QString::fromStdString(new_default_run_dir()) + "/..");
    if (!dir.isEmpty()) openSweep(dir);
  });
  recent_menu_ = file->addMenu(tr("Recent runs"));
  refreshRecentRuns();
  for (const QString& format : picture_formats()) {
    QAction* export_all = file->addAction(tr("&Export all plots as %1…").arg(format.toUpper()));
    connect(export_all, &QAction::triggered, this, [this, format] {
      const QString dir = QFileDialog::getExistingDirectory(this, tr("Export every plot into"));
      if (dir.isEmpty()) return;
      QString error;
      const QStringList files = exportAll(dir, &error, format);
      if (!error.isEmpty()) QMessageBox::warning(this, tr("Export all plots"), error);
      else log(tr("exported %1 files to %2").arg(files.size()).arg(dir));
    });
  }
  export_models_ = file->addAction(tr("Export &models as ONNX…"));
  export_models_->setObjectName("exportModels");
  export_models_->setEnabled(false);
  connect(export_models_, &QAction::triggered, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export the run's models as ONNX into"));
    if (!dir.isEmpty()) exportModels(dir);
  });
  export_best_models_ = file->addAction(tr("Export &best models as ONNX…"));
  export_best_models_->setObjectName("exportBestModels");
  export_best_models_->setToolTip(tr("Each variant's best weights by validation accuracy rather than its last"));
  export_best_models_->setEnabled(false);
  connect(export_best_models_, &QAction::triggered, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export the run's best models as ONNX into"));
    if (!dir.isEmpty()) exportModels(dir, Weights::Best);
  });
  connect(this, &MainWindow::modelsExported, this, [this](const QStringList& files, const QString& error) {
    if (!error.isEmpty()) {
      log(tr("ONNX export failed: %1").arg(error));
      if (isVisible()) QMessageBox::warning(this, tr("Export models as ONNX"), error);
      return;
    }
    log(tr("exported %1 ONNX models with their descriptions: %2").arg(files.size() / 2).arg(files.join(", ")));
  });
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"));
  quit->setShortcut(QKeySequence::Quit);
  connect(quit, &QAction::triggered, this, &QWidget::close);

  // The buttons of the experiment panel, with keys; the menu lists them.
  QMenu* run = menuBar()->addMenu(tr("&Run"));
  auto button_action = [this, run](const QString& text, const QKeySequence& keys, QPushButton* button) {
    QAction* a = run->addAction(text);
    a->setShortcut(keys);
    a->setObjectName(button->objectName() + "Action");
    connect(a, &QAction::triggered, button, [button] {
      if (button->isEnabled()) button->click();
    });
  };
  button_action(tr("&Start"), QKeySequence(Qt::CTRL | Qt::Key_Return), start_);
  button_action(tr("&Pause"), QKeySequence(Qt::CTRL | Qt::Key_P), pause_);
  button_action(tr("&Resume"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P), resume_);
  button_action(tr("S&top"), QKeySequence(Qt::CTRL | Qt::Key_Period), stop_);
  button_action(tr("&Continue run"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Return), continue_);
  for (QAction* a : file->actions()) {
    if (a->text().contains("PNG")) a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));  // export all plots
  }

  QAction* compare = file->addAction(tr("&Compare selected runs"));
  compare->setObjectName("compareAction");
  compare->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
  connect(compare, &QAction::triggered, this, [this] {
    tabs_->setCurrentWidget(runs_view_);
    QString error;
    if (!runs_view_->compareSelected(&error)) log(error);
  });
  file->insertAction(file->actions().value(file->actions().indexOf(export_models_) + 1), compare);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  for (int i = 0; i < tabs_->count(); ++i) {
    QAction* a = view->addAction(tabs_->tabText(i));
    if (i < 10) a->setShortcut(QKeySequence(Qt::CTRL | (i < 9 ? Qt::Key_1 + i : Qt::Key_0)));
    connect(a, &QAction::triggered, tabs_, [this, i] { tabs_->setCurrentIndex(i); });
  }
}

bool MainWindow::isTraining() const { return worker_->running(); }

bool MainWindow::startExperiment() {
  if (worker_->running()) return false;
  ExperimentConfig config;
  try {
    if (panel_->readOnly()) panel_->makeEditable();  // Start on an opened run's settings: a new experiment from them
    config = panel_->config();
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Cannot start"), QString::fromUtf8(e.what()));
    log(tr("cannot start: %1").arg(QString::fromUtf8(e.what())));
    return false;
  }
  panel_->saveSettings();
  return startExperimentWith(config);
}

bool MainWindow::startExperimentWith(const ExperimentConfig& config) {
  if (worker_->running()) return false;
  QStringList names;
  for (const auto& v : config.variants) names << QString::fromStdString(v.name);
  history_->reset(names, {});
  live_rate_->setValue(config.learning_rate);
  log_->clear();
  run_dir_.clear();
  inspect_view_->setRun({}, {}, {});  // the new run has no checkpoint yet
  run_config_ = config;
  opened_unfinished_ = false;
  worker_->start(config);
  setState(RunState::Preparing);
  return true;
}

bool MainWindow::tryFix(const Finding& shown) {
  if (worker_->running() || run_dir_.isEmpty()) return false;
  const Finding finding = shown;  // `shown` lives in the Findings view's model, which the new run clears
  ExperimentConfig config;
  try {
    config = apply_repair(run_config_, finding.settings);
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Try the fix"), QString::fromUtf8(e.what()));
    return false;
  }
  const QString base = run_dir_;
  // The panel shows what the fix trains (read only); the repaired settings train as they are.
  panel_->showRun(
      config,
      tr("%1 with %2").arg(QFileInfo(base).fileName(), QString::fromStdString(describe_repair(finding.settings))));
  if (!startExperimentWith(config)) return false;
  fix_of_ = base;
  log(tr("trying the fix of %1 (%2): %3")
          .arg(QString::fromStdString(finding.kind), QString::fromStdString(finding.variant),
               QString::fromStdString(describe_repair(finding.settings))));
  return true;
}

bool MainWindow::continueRun() {
  if (worker_->running() || run_dir_.isEmpty()) return false;
  ExperimentConfig config;
  try {
    config = read_run_config(run_dir_.toStdString());
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Continue run"), QString::fromUtf8(e.what()));
    return false;
  }
  // The engine replays what the run kept up to its checkpoint, then trains on.
  QStringList names;
  for (const auto& v : config.variants) names << QString::fromStdString(v.name);
  history_->reset(names, {}, run_dir_);
  run_config_ = config;
  live_rate_->setValue(config.learning_rate);
  log_->clear();
  opened_unfinished_ = false;
  worker_->start(config, /*resume=*/true);
  setState(RunState::Preparing);
  return true;
}

bool MainWindow::openSweep(const QString& dir) {
  QString error;
  if (!sweep_view_->openSweep(dir, &error)) {
    log(tr("cannot open the sweep %1: %2").arg(dir, error));
    QMessageBox::warning(this, tr("Open sweep"), error);
    return false;
  }
  tabs_->setCurrentWidget(sweep_view_);
  return true;
}

// A trial of `c` takes about what the last run of its variants took, from
// their measured speed (images per second at the last record).
double MainWindow::secondsPerTrial(const ExperimentConfig& c) const {
  double seconds = 0;
  for (const VariantSpec& v : c.variants) {
    const auto records = history_->records(QString::fromStdString(v.name));
    if (records.empty() || records.back().images_per_second <= 0) return -1;
    seconds += double(c.iterations) * c.batch_size / records.back().images_per_second;
  }
  return seconds;
}

bool MainWindow::openRun(const QString& dir) {
  if (QFile::exists(QDir(dir).filePath("sweep.json"))) return openSweep(dir);  // a sweep folder, not a run
  if (worker_->running()) {
    QMessageBox::information(this, tr("Open run"), tr("Stop the running experiment first."));
    return false;
  }
  try {
    const RunContents run = read_run(dir.toStdString());
    history_->load(run);
    for (const std::string& w : run.warnings) log(QString::fromStdString(w));
    run_dir_ = dir;
    setWindowTitle(tr("AlexNet Lab — %1").arg(dir));
    rememberRun(dir);
    panel_->showRun(run.config, QFileInfo(dir).fileName());
    live_rate_->setValue(run.config.learning_rate);  // where Continue run starts from
    run_config_ = run.config;
    mistakes_view_->setRun(dir, run.config, history_->classNames());
    inspect_view_->setRun(dir, run.config, history_->classNames());
    std::int64_t trained = 0;  // a diverged variant stops early, the others do not
    for (const VariantResult& r : run.results) trained = std::max(trained, r.iterations);
    const bool finished = !run.results.empty() && trained >= run.config.iterations;
    opened_unfinished_ = !finished;
    setState(RunState::Finished);
    state_label_->setText(finished
                              ? tr("opened a finished run")
                              : tr("opened an unfinished run: Continue run trains it on from its last checkpoint"));
    return true;
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Open run"), QString::fromUtf8(e.what()));
    return false;
  }
}

bool MainWindow::compareRuns(const QStringList& dirs, QString* error) {
  QString reason;
  if (!compare_view_->compare(dirs, &reason)) {
    log(tr("cannot compare: %1").arg(reason));
    if (error) *error = reason;
    else if (isVisible()) QMessageBox::warning(this, tr("Compare runs"), reason);
    return false;
  }
  tabs_->setCurrentWidget(compare_view_);
  return true;
}

bool MainWindow::exportModels(const QString& dir, Weights weights) {
  if (run_dir_.isEmpty() || export_thread_) return false;
  auto* progress = new QProgressDialog(tr("Exporting the models as ONNX…"), QString(), 0, 0, this);
  progress->setWindowTitle(tr("Export models as ONNX"));
  progress->setWindowModality(Qt::WindowModal);
  progress->setMinimumDuration(300);
  const std::string run = run_dir_.toStdString();
  const std::string out = dir.toStdString();
  // The export reads checkpoints and builds graphs of up to ~80 MB: not on the GUI thread.
  auto files = std::make_shared<QStringList>();
  auto error = std::make_shared<QString>();
  export_thread_ = run_off_gui_thread(
      this,
      [run, out, progress, files, error, weights] {
        try {
          const auto report = [progress](int done, int total, const std::string& variant) {
            QMetaObject::invokeMethod(progress, [progress, done, total, variant] {
              progress->setMaximum(total);
              progress->setValue(done);
              if (!variant.empty()) {
                progress->setLabelText(tr("Exporting %1 as ONNX…").arg(QString::fromStdString(variant)));
              }
            });
          };
          for (const OnnxExport& e : export_run_onnx(run, out, {}, report, weights)) {
            *files << QString::fromStdString(e.onnx_path) << QString::fromStdString(e.card_path);
          }
        } catch (const std::exception& e) {
          *error = QString::fromUtf8(e.what());
        }
      },
      [this, progress, files, error] {
        progress->deleteLater();
        export_thread_ = nullptr;
        emit modelsExported(*files, *error);
      });
  return true;
}

QStringList MainWindow::exportAll(const QString& dir, QString* error, const QString& format) {
  QStringList files = export_all_views(history_, dir, error, format);
  // The comparison in the Compare tab, when there is one, goes along.
  if (!error->isEmpty() || compare_view_->comparison().runs.empty()) return files;
  const QStringList names = compare_view_->exportNames();
  for (int i = 0; i < names.size(); ++i) {
    const QString path = QDir(dir).filePath(names[i] + "." + format);
    if (!compare_view_->exportPicture(i, path, QSize(kDefaultExportWidth, kDefaultExportHeight), kDefaultExportScale)) {
      *error = tr("cannot write %1").arg(path);
      return files;
    }
    files << path;
  }
  return files;
}

void MainWindow::setState(RunState state) {
  state_label_->setText(state_text(state));
  const bool running =
      worker_->running() && state != RunState::Finished && state != RunState::Stopped && state != RunState::Failed;
  start_->setEnabled(!running);
  panel_->setEnabled(!running);
  pause_->setEnabled(running && state == RunState::Training);
  resume_->setEnabled(running && state == RunState::Paused);
  stop_->setEnabled(running);
  continue_->setEnabled(!running && opened_unfinished_);
  apply_rate_->setEnabled(running);
  export_models_->setEnabled(!running && !run_dir_.isEmpty());
  export_best_models_->setEnabled(!running && !run_dir_.isEmpty());
  findings_view_->setTryFixAllowed(!running && !run_dir_.isEmpty());
}

void MainWindow::log(const QString& text) {
  log_->appendPlainText(text);
  statusBar()->showMessage(text, 10000);
}

void MainWindow::rememberRun(const QString& dir) {
  QSettings s;
  QStringList recent = s.value("runs/recent").toStringList();
  recent.removeAll(dir);
  recent.prepend(dir);
  while (recent.size() > kRecentRuns) recent.removeLast();
  s.setValue("runs/recent", recent);
  refreshRecentRuns();
}

void MainWindow::refreshRecentRuns() {
  recent_menu_->clear();
  const QStringList recent = QSettings().value("runs/recent").toStringList();
  for (const QString& dir : recent) {
    QAction* a = recent_menu_->addAction(dir);
    connect(a, &QAction::triggered, this, [this, dir] { openRun(dir); });
  }
  recent_menu_->setEnabled(!recent.isEmpty());
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (worker_->running()) {
    const auto answer = QMessageBox::question(
        this, tr("Quit AlexNet Lab"),
        tr("An experiment is running. Stop it and quit? The run folder is kept and completed (checkpoint and "
           "test results), which can take a little while."),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
    if (answer != QMessageBox::Yes) {
      event->ignore();
      return;
    }
    state_label_->setText(tr("stopping…"));
    QApplication::processEvents();
    worker_->stopAndWait();
  }
  if (export_thread_) export_thread_->wait();  // an ONNX export finishes its files
  panel_->saveSettings();
  QSettings s;
  s.setValue("window/geometry", saveGeometry());
  s.setValue("window/state", saveState());
  event->accept();
}

}  // namespace alexnet::ui
