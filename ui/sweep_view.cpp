#include "sweep_view.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSpinBox>
#include <cmath>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include "picture_file.h"
#include "run/run_store.h"
#include "sweep/sweep_summary.h"
#include "sweep/trial_curves.h"
#include "sweep_plots.h"
#include "sweep_table_model.h"

namespace alexnet::ui {

namespace {

// A plot with a control or a title above it, for the row of pictures.
QWidget* with_header(QWidget* header, QCustomPlot* plot) {
  auto* box = new QWidget();
  auto* layout = new QVBoxLayout(box);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(header);
  layout->addWidget(plot, 1);
  return box;
}

}  // namespace

SweepView::SweepView(QWidget* parent) : ExportableView(parent) {
  auto* layout = new QVBoxLayout(this);
  auto* controls = new QHBoxLayout();
  summary_ =
      new QLabel(tr("Open a sweep folder (File ▸ Open sweep…), or start one from the command line: "
                    "alexnet-lab sweep --help."));
  summary_->setObjectName("sweepSummary");
  summary_->setWordWrap(true);
  controls->addWidget(summary_, 1);
  compare_ = new QPushButton(tr("Compare selected"));
  compare_->setObjectName("sweepCompare");
  resume_ = new QPushButton(tr("Resume"));
  resume_->setObjectName("sweepResume");
  auto* export_button = new QPushButton(tr("Export…"));
  for (QPushButton* b : {compare_, resume_, export_button}) controls->addWidget(b);
  layout->addLayout(controls);
  auto* launcher = new QHBoxLayout();
  launcher->addWidget(new QLabel(tr("New sweep of the panel's experiment over")));
  space_ = new QLineEdit();
  space_->setObjectName("sweepSpace");
  space_->setPlaceholderText(tr("lr=0.0005,0.002; small.fc7.units=512,2048; weight-decay=loguniform(1e-5,1e-3)"));
  launcher->addWidget(space_, 1);
  launcher->addWidget(new QLabel(tr("draws of the ranges")));
  draws_ = new QSpinBox();
  draws_->setObjectName("sweepDraws");
  draws_->setRange(1, 1000);
  draws_->setValue(8);
  launcher->addWidget(draws_);
  estimate_ = new QLabel();
  estimate_->setObjectName("sweepEstimate");
  launcher->addWidget(estimate_);
  start_ = new QPushButton(tr("Start sweep"));
  start_->setObjectName("sweepStart");
  start_->setEnabled(false);
  launcher->addWidget(start_);
  layout->addLayout(launcher);
  connect(space_, &QLineEdit::textChanged, this, &SweepView::updateEstimate);
  connect(draws_, qOverload<int>(&QSpinBox::valueChanged), this, &SweepView::updateEstimate);
  connect(start_, &QPushButton::clicked, this, [this] {
    QString error;
    if (!startSweep(QCoreApplication::applicationFilePath(), &error)) estimate_->setText(error);
  });

  auto* splitter = new QSplitter(Qt::Vertical);
  model_ = new SweepTableModel(this);
  sorted_ = new QSortFilterProxyModel(this);
  sorted_->setSourceModel(model_);
  sorted_->setSortRole(SweepTableModel::SortRole);
  table_ = new QTableView();
  table_->setObjectName("sweepTable");
  table_->setModel(sorted_);
  table_->setSortingEnabled(true);
  table_->sortByColumn(SweepTableModel::Validation, Qt::DescendingOrder);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->verticalHeader()->hide();
  splitter->addWidget(table_);
  auto* pictures = new QSplitter(Qt::Horizontal);
  coordinates_ = new QCustomPlot();
  coordinates_->setObjectName("sweepCoordinates");
  pictures->addWidget(coordinates_);
  parameter_ = new QComboBox();
  parameter_->setObjectName("sweepParameter");
  scatter_ = new QCustomPlot();
  scatter_->setObjectName("sweepScatter");
  pictures->addWidget(with_header(parameter_, scatter_));
  losses_title_ = new QLabel();
  losses_title_->setObjectName("sweepLossesTitle");
  // A long title must not widen its picture at the others' expense.
  losses_title_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  losses_ = new QCustomPlot();
  losses_->setObjectName("sweepLosses");
  pictures->addWidget(with_header(losses_title_, losses_));
  pictures->setStretchFactor(0, 5);
  pictures->setStretchFactor(1, 4);
  pictures->setStretchFactor(2, 6);
  pictures->setSizes({250, 200, 300});  // in proportion, whatever the window's width
  splitter->addWidget(pictures);
  splitter->setStretchFactor(1, 2);
  layout->addWidget(splitter, 1);

  timer_ = new QTimer(this);
  timer_->setInterval(2000);
  connect(timer_, &QTimer::timeout, this, &SweepView::refresh);
  connect(parameter_, &QComboBox::currentTextChanged, this,
          [this](const QString& p) { draw_metric_against(scatter_, model_->sweep(), p); });
  connect(compare_, &QPushButton::clicked, this, [this] {
    QStringList dirs;
    for (const QModelIndex& row : table_->selectionModel()->selectedRows())
      dirs << row.data(SweepTableModel::RunDirRole).toString();
    if (dirs.size() >= 2) emit compareRequested(dirs);
    else summary_->setText(tr("Select two or more trials to compare them."));
  });
  connect(resume_, &QPushButton::clicked, this, [this] {
    QString error;
    if (!resume(QCoreApplication::applicationFilePath(), &error)) summary_->setText(error);
  });
  connect(export_button, &QPushButton::clicked, this, [this] { askAndExport(0); });
  connect(&process_, qOverload<int, QProcess::ExitStatus>(&QProcess::finished), this, [this] {
    refresh();
    resume_->setEnabled(!dir_.isEmpty());
  });
  resume_->setEnabled(false);
}

SweepView::~SweepView() {
  // The sweep's trials stop at their next iteration with a checkpoint; Resume goes on later.
  if (process_.state() != QProcess::NotRunning) {
    process_.terminate();
    process_.waitForFinished(180000);
  }
}

bool SweepView::openSweep(const QString& dir, QString* error) {
  try {
    const Sweep sweep = read_sweep(dir.toStdString());
    dir_ = QString::fromStdString(sweep.dir);
    model_->setSweep(sweep);
  } catch (const std::exception& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return false;
  }
  {
    const QSignalBlocker block(parameter_);
    parameter_->clear();
    parameter_->addItems(model_->parameters());
  }
  resume_->setEnabled(!running());
  timer_->start();
  redraw();
  return true;
}

void SweepView::refresh() {
  if (dir_.isEmpty()) return;
  try {
    model_->setSweep(read_sweep(dir_.toStdString()));
  } catch (const std::exception& e) {
    summary_->setText(tr("Cannot read the sweep: %1").arg(QString::fromUtf8(e.what())));
    return;
  }
  redraw();
  const SweepSummary s = summarise_sweep(model_->sweep());
  if (s.queued == 0 && s.running == 0 && !running()) timer_->stop();  // nothing more will change
}

bool SweepView::resume(const QString& program, QString* error) {
  if (dir_.isEmpty() || running()) return false;
  process_.setProgram(program);
  process_.setArguments({"sweep", "--resume", dir_});
  process_.setProcessChannelMode(QProcess::MergedChannels);
  process_.setStandardOutputFile(QDir(dir_).filePath("sweep.log"), QIODevice::Append);
  process_.start();
  if (!process_.waitForStarted(10000)) {
    if (error) *error = tr("Cannot run %1: %2").arg(program, process_.errorString());
    return false;
  }
  resume_->setEnabled(false);
  timer_->start();
  return true;
}

QString SweepView::summary() const { return summary_->text(); }

void SweepView::setBase(std::function<ExperimentConfig()> base,
                        std::function<double(const ExperimentConfig&)> seconds) {
  base_ = std::move(base);
  seconds_per_trial_ = std::move(seconds);
  updateEstimate();
}

namespace {

// "lr=0.1,0.2; x=uniform(0,1)" -> its items; a range is an item with "(".
QStringList space_items(const QString& text) { return text.split(QRegularExpression("[;\\s]+"), Qt::SkipEmptyParts); }

bool is_range(const QString& item) { return item.contains('('); }

}  // namespace

SweepSpace SweepView::parse_space_text(const QString& text, int draws) {
  SweepSpace space;
  for (const QString& item : space_items(text)) {
    if (is_range(item)) space.random.push_back(parse_range(item.toStdString()));
    else space.grid.push_back(parse_grid(item.toStdString()));
  }
  if (!space.random.empty()) space.samples = draws;
  return space;
}

void SweepView::updateEstimate() {
  start_->setEnabled(false);
  if (!base_ || space_->text().trimmed().isEmpty()) {
    estimate_->clear();
    return;
  }
  try {
    const ExperimentConfig base = base_();
    SweepSpace space = parse_space_text(space_->text(), draws_->value());
    space.seed = base.seed;
    validate_space(space, base);
    const std::size_t trials = expand(space).size();
    const double seconds = seconds_per_trial_ ? seconds_per_trial_(base) : -1;
    QString text = tr("%1 trials").arg(trials);
    if (seconds > 0) {
      // One trial per core at a time, each on one core: about as fast as one run on all of them.
      text += tr(", about %1 min").arg(std::max(1.0, std::round(double(trials) * seconds / 60)), 0, 'f', 0);
    } else {
      text += tr(" (time unknown until these variants have been trained once)");
    }
    estimate_->setText(text);
    start_->setEnabled(!running());
  } catch (const std::exception& e) {
    estimate_->setText(QString::fromUtf8(e.what()));
  }
}

bool SweepView::startSweep(const QString& program, QString* error) {
  if (running() || !base_) return false;
  ExperimentConfig base;
  SweepSpace space;
  try {
    base = base_();
    space = parse_space_text(space_->text(), draws_->value());
  } catch (const std::exception& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return false;
  }
  const QString dir = QString::fromStdString(new_default_run_dir()) + "-sweep";
  if (!QDir().mkpath(dir)) {
    if (error) *error = tr("Cannot create %1").arg(dir);
    return false;
  }
  base.out_dir.clear();
  const QString base_file = QDir(dir).filePath("base-config.json");
  try {
    write_file_atomically(base_file.toStdString(), config_to_json(base).dump(1) + "\n");
  } catch (const std::exception& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return false;
  }
  QStringList args = {"sweep", "--base-config", base_file, "--out", dir};
  // The items as typed (parse_space_text above has accepted each).
  for (const QString& item : space_items(space_->text())) args << (is_range(item) ? "--space" : "--grid") << item;
  if (!space.random.empty()) args << "--random" << QString::number(space.samples);
  process_.setProgram(program);
  process_.setArguments(args);
  process_.setProcessChannelMode(QProcess::MergedChannels);
  process_.setStandardOutputFile(QDir(dir).filePath("sweep.log"), QIODevice::Append);
  process_.start();
  if (!process_.waitForStarted(10000)) {
    if (error) *error = tr("Cannot run %1: %2").arg(program, process_.errorString());
    return false;
  }
  // The sweep writes sweep.json before its first trial starts (or says why it cannot).
  for (int i = 0; i < 200 && !QFile::exists(QDir(dir).filePath("sweep.json")) && running(); ++i)
    process_.waitForFinished(50);
  if (!QFile::exists(QDir(dir).filePath("sweep.json"))) {
    QFile log(QDir(dir).filePath("sweep.log"));
    if (error)
      *error =
          log.open(QIODevice::ReadOnly) ? QString::fromUtf8(log.readAll()).trimmed() : tr("the sweep did not start");
    return false;
  }
  start_->setEnabled(false);
  return openSweep(dir, error);
}

void SweepView::redraw() {
  const Sweep& sweep = model_->sweep();
  const SweepSummary s = summarise_sweep(sweep);
  QString text = tr("%1: %2 trials — %3 finished, %4 pruned, %5 failed, %6 running, %7 queued; ranked by %8's %9")
                     .arg(QDir(dir_).dirName())
                     .arg(sweep.trials.size())
                     .arg(s.finished)
                     .arg(s.pruned)
                     .arg(s.failed)
                     .arg(s.running)
                     .arg(s.queued)
                     .arg(QString::fromStdString(s.variant), QString::fromStdString(s.metric));
  if (s.best) {
    text += tr(". Best: trial %1 (%2), %3 %")
                .arg(s.best->trial)
                .arg(QString::fromStdString(describe_settings(s.best->settings)))
                .arg(100 * trial_value(sweep, *s.best), 0, 'f', 2);
  }
  if (!s.effects.empty()) {
    text += tr(". Matters most: %1 (%2 points between %3 and %4)")
                .arg(QString::fromStdString(s.effects.front().name))
                .arg(100 * s.effects.front().spread, 0, 'f', 1)
                .arg(QString::fromStdString(s.effects.front().best), QString::fromStdString(s.effects.front().worst));
  }
  summary_->setText(text);
  draw_parallel_coordinates(coordinates_, sweep);
  draw_metric_against(scatter_, sweep, parameter_->currentText());
  drawLosses();
}

void SweepView::drawLosses() {
  const Sweep& sweep = model_->sweep();
  const TrialCurves curves = read_trial_curves(sweep);
  losses_title_->setText(curves.running ? tr("Training loss of the %n running trial(s)", "", int(curves.curves.size()))
                                        : tr("Training loss of the best trials (none is running)"));
  if (!curves.warnings.empty())
    losses_title_->setText(losses_title_->text() + " — " + QString::fromStdString(curves.warnings.front()));
  draw_trial_losses(losses_, curves, QString::fromStdString(sweep.variant));
  std::map<int, std::int64_t> live;
  for (const TrialCurve& c : curves.curves) {
    if (c.state == TrialState::Running && !c.iterations.empty()) live[c.trial] = c.iterations.back();
  }
  model_->setLiveIterations(live);
}

QStringList SweepView::exportNames() const { return {"sweep-coordinates", "sweep-scatter", "sweep-losses"}; }

bool SweepView::exportPicture(int index, const QString& path, QSize size, double scale) {
  if (dir_.isEmpty() || index < 0 || index > 2) return false;
  redraw();
  QCustomPlot* plots[] = {coordinates_, scatter_, losses_};
  const QString what[] = {tr("Sweep, every trial"), tr("Sweep, against %1").arg(parameter_->currentText()),
                          losses_title_->text()};
  return save_plot(plots[index], path, size, scale, tr("%1 — %2").arg(what[index], QDir(dir_).dirName()));
}

}  // namespace alexnet::ui
