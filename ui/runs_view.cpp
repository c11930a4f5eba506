#include "runs_view.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>
#include <map>

#include "run/run_removal.h"
#include "run/run_store.h"
#include "runs_table_model.h"

namespace alexnet::ui {

RunsView::RunsView(QWidget* parent) : QWidget(parent) {
  folders_ << QString::fromStdString(default_runs_folder());
  for (const QString& f : QSettings().value("runs/folders").toStringList()) {
    if (!folders_.contains(f)) folders_ << f;
  }
  confirm = [this](const QString& question) {
    return QMessageBox::question(this, tr("Delete runs"), question, QMessageBox::Yes | QMessageBox::No,
                                 QMessageBox::No) == QMessageBox::Yes;
  };

  model_ = new RunsTableModel(this);
  proxy_ = new QSortFilterProxyModel(this);
  proxy_->setSourceModel(model_);
  proxy_->setSortRole(RunsTableModel::SortRole);
  table_ = new QTableView();
  table_->setObjectName("runsTable");
  table_->setModel(proxy_);
  table_->setSortingEnabled(true);
  table_->sortByColumn(RunsTableModel::Started, Qt::DescendingOrder);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  table_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setAlternatingRowColors(true);

  auto* top = new QHBoxLayout();
  auto* folders_label = new QLabel();
  folders_label->setObjectName("runsFolders");
  folders_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
  top->addWidget(folders_label, 1);
  auto* add = new QPushButton(tr("Add folder…"));
  auto* refresh_button = new QPushButton(tr("Refresh"));
  top->addWidget(add);
  top->addWidget(refresh_button);

  auto* buttons = new QHBoxLayout();
  open_ = new QPushButton(tr("Open"));
  compare_ = new QPushButton(tr("Compare"));
  rename_ = new QPushButton(tr("Rename…"));
  delete_ = new QPushButton(tr("Delete…"));
  open_->setObjectName("openRunButton");
  compare_->setObjectName("compareButton");
  rename_->setObjectName("renameRunButton");
  delete_->setObjectName("deleteRunButton");
  compare_->setToolTip(tr("Select two or more runs (Ctrl or Shift + click) to see them side by side"));
  delete_->setToolTip(tr("Moves the selected runs to the trash, after asking"));
  for (QPushButton* b : {open_, compare_, rename_, delete_}) buttons->addWidget(b);
  buttons->addStretch(1);
  status_ = new QLabel();
  status_->setObjectName("runsStatus");
  buttons->addWidget(status_);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(table_, 1);
  layout->addLayout(buttons);

  const auto show_folders = [this, folders_label] {
    folders_label->setText(tr("Runs in %1").arg(folders_.join(", ")));
  };
  show_folders();
  connect(add, &QPushButton::clicked, this, [this, show_folders] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Add a folder of runs"));
    if (dir.isEmpty()) return;
    addFolder(dir);
    show_folders();
  });
  connect(refresh_button, &QPushButton::clicked, this, &RunsView::refresh);
  connect(open_, &QPushButton::clicked, this, [this] {
    const QStringList runs = selectedRuns();
    if (runs.size() == 1) emit openRequested(runs.front());
  });
  connect(table_, &QTableView::activated, this, [this](const QModelIndex& index) {
    if (index.column() != RunsTableModel::Note) emit openRequested(index.data(RunsTableModel::DirRole).toString());
  });
  connect(compare_, &QPushButton::clicked, this, [this] {
    QString error;
    if (!compareSelected(&error)) report(error);
  });
  connect(rename_, &QPushButton::clicked, this, [this] {
    const QStringList runs = selectedRuns();
    if (runs.size() != 1) return;
    const QString old_name = QDir(runs.front()).dirName();
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Rename run"), tr("New name for %1:").arg(old_name),
                                               QLineEdit::Normal, old_name, &ok);
    if (!ok || name == old_name) return;
    QString error;
    if (!renameRun(runs.front(), name, &error)) report(error);
  });
  connect(delete_, &QPushButton::clicked, this, [this] {
    QString error;
    if (!deleteRuns(selectedRuns(), &error) && !error.isEmpty()) report(error);
  });
  connect(model_, &RunsTableModel::failed, this, &RunsView::report);
  connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RunsView::updateButtons);
  updateButtons();
}

void RunsView::addFolder(const QString& folder) {
  if (folders_.contains(folder)) return;
  folders_ << folder;
  QStringList added = folders_.mid(1);
  QSettings().setValue("runs/folders", added);
  refresh();
}

void RunsView::refresh() {
  const QStringList selected = selectedRuns();
  QElapsedTimer timer;
  timer.start();
  std::vector<RunSummary> runs;
  QStringList problems;
  for (const QString& folder : folders_) {
    if (!QDir(folder).exists()) continue;  // no run made yet
    try {
      for (RunSummary& s : list_runs(folder.toStdString())) runs.push_back(std::move(s));
    } catch (const std::exception& e) {
      problems << QString::fromUtf8(e.what());
    }
  }
  const int damaged = static_cast<int>(
      std::count_if(runs.begin(), runs.end(), [](const RunSummary& s) { return s.status == RunStatus::Damaged; }));
  model_->setRuns(std::move(runs));
  table_->resizeColumnsToContents();
  selectRuns(selected);
  QString text = model_->rowCount() == 1 ? tr("1 run") : tr("%1 runs").arg(model_->rowCount());
  if (model_->rowCount() == 0) text = tr("No runs here yet: Start an experiment, or Add folder… where runs are");
  if (damaged) text += tr(", %1 damaged (hover over the state for why)").arg(damaged);
  text += tr(" · read in %1 ms").arg(timer.elapsed());
  if (!problems.isEmpty()) text += " · " + problems.join("; ");
  status_->setText(text);
  updateButtons();
}

QStringList RunsView::selectedRuns() const {
  QStringList dirs;
  for (const QModelIndex& row : table_->selectionModel()->selectedRows()) {
    dirs << row.data(RunsTableModel::DirRole).toString();
  }
  return dirs;
}

void RunsView::selectRuns(const QStringList& dirs) {
  QItemSelection selection;
  for (int row = 0; row < proxy_->rowCount(); ++row) {
    const QModelIndex index = proxy_->index(row, 0);
    if (dirs.contains(index.data(RunsTableModel::DirRole).toString())) {
      selection.select(index, proxy_->index(row, RunsTableModel::ColumnCount - 1));
    }
  }
  table_->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
}

bool RunsView::compareSelected(QString* error) {
  const QStringList runs = selectedRuns();
  if (runs.size() < 2) {
    if (error) *error = tr("Select at least two runs to compare (Ctrl + click adds a run to the selection).");
    return false;
  }
  emit compareRequested(oldestFirst(runs));
  return true;
}

QStringList RunsView::oldestFirst(QStringList dirs) const {
  // Compared in the order they were made, whatever the table is sorted by:
  // the earlier run reads as the baseline ("lr: 0.02 | 0.05").
  std::map<QString, std::int64_t> started;
  for (const RunSummary& r : model_->runs()) started[QString::fromStdString(r.dir)] = r.started;
  std::stable_sort(dirs.begin(), dirs.end(), [&started](const QString& a, const QString& b) {
    return started[a] != started[b] ? started[a] < started[b] : a < b;
  });
  return dirs;
}

bool RunsView::renameRun(const QString& dir, const QString& name, QString* error) {
  try {
    const QString renamed = QString::fromStdString(rename_run(dir.toStdString(), name.toStdString()));
    refresh();
    selectRuns({renamed});
    return true;
  } catch (const std::exception& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return false;
  }
}

bool RunsView::deleteRuns(const QStringList& dirs, QString* error) {
  if (dirs.isEmpty()) return false;
  QStringList names;
  for (const QString& d : dirs) names << QDir(d).dirName();
  const QString what = dirs.size() == 1 ? tr("this run") : tr("these %1 runs").arg(dirs.size());
  if (!confirm(tr("Move %1 to the trash?\n\n%2\n\nIt can be restored from the trash.").arg(what, names.join("\n")))) {
    return false;
  }
  QStringList problems;
  for (const QString& d : dirs) {
    try {
      move_run_to_trash(d.toStdString());
    } catch (const std::exception& e) {
      problems << QString::fromUtf8(e.what());
    }
  }
  refresh();
  if (!problems.isEmpty()) {
    if (error) *error = problems.join("\n");
    return false;
  }
  return true;
}

void RunsView::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  refresh();
}

void RunsView::updateButtons() {
  const int n = static_cast<int>(table_->selectionModel()->selectedRows().size());
  open_->setEnabled(n == 1);
  rename_->setEnabled(n == 1);
  delete_->setEnabled(n >= 1);
  compare_->setEnabled(n >= 2);
}

void RunsView::report(const QString& error) {
  status_->setText(error);
  if (isVisible()) QMessageBox::warning(this, tr("Runs"), error);
}

}  // namespace alexnet::ui
