#include "findings_view.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

#include <optional>

#include "analysis/repair.h"
#include "findings_table_model.h"

namespace alexnet::ui {

FindingsView::FindingsView(RunHistory* history, QWidget* parent) : QWidget(parent), history_(history) {
  auto* layout = new QVBoxLayout(this);
  summary_ = new QLabel();
  summary_->setObjectName("findingsSummary");
  summary_->setWordWrap(true);
  QFont bold = summary_->font();
  bold.setBold(true);
  summary_->setFont(bold);
  layout->addWidget(summary_);
  model_ = new FindingsTableModel(this);
  table_ = new QTableView();
  table_->setObjectName("findingsTable");
  table_->setModel(model_);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setWordWrap(true);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setToolTip(tr("Double-click a finding to see the plot that holds its evidence"));
  layout->addWidget(table_, 1);
  detail_ = new QLabel();
  detail_->setObjectName("findingDetail");
  detail_->setWordWrap(true);
  detail_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  detail_->setMinimumHeight(60);
  detail_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  auto* actions = new QHBoxLayout();
  actions->addWidget(detail_, 1);
  try_fix_ = new QPushButton(tr("Try the fix"));
  try_fix_->setObjectName("tryFix");
  try_fix_->setToolTip(
      tr("Start a new experiment from this run's settings with the finding's first suggestion "
         "applied; when it ends, both runs open side by side in Compare"));
  try_fix_->setEnabled(false);
  actions->addWidget(try_fix_, 0, Qt::AlignTop);
  layout->addLayout(actions);
  connect(try_fix_, &QPushButton::clicked, this, [this] {
    if (const Finding* f = model_->findingAt(table_->currentIndex().row())) emit tryFix(*f);
  });

  connect(history_, &RunHistory::changed, this, &FindingsView::refresh);
  connect(history_, &RunHistory::findingsChanged, this, &FindingsView::refresh);
  connect(history_, &RunHistory::resultsChanged, this, &FindingsView::refresh);
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &FindingsView::showDetail);
  connect(table_, &QTableView::activated, this, [this](const QModelIndex& index) {
    if (const Finding* f = model_->findingAt(index.row())) emit showEvidence(*f);
  });
  refresh();
}

QString FindingsView::summary() const { return summary_->text(); }

void FindingsView::setTryFixAllowed(bool allowed) {
  try_fix_allowed_ = allowed;
  showDetail();
}

void FindingsView::refresh() {
  const std::vector<Finding>& findings = history_->findings();
  // The model is rebuilt on every update: the selected finding stays selected (the first one when none was).
  const Finding* was = model_->findingAt(table_->currentIndex().row());
  const std::optional<Finding> selected = was ? std::optional<Finding>(*was) : std::nullopt;
  model_->setFindings(findings);
  int row = model_->rowCount() > 0 ? 0 : -1;
  for (int r = 0; selected && r < model_->rowCount(); ++r) {
    if (same_finding(*model_->findingAt(r), *selected)) row = r;
  }
  if (row >= 0) table_->setCurrentIndex(model_->index(row, 0));
  table_->resizeColumnsToContents();
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->resizeRowsToContents();
  int problems = 0, warnings = 0, notes = 0;
  for (const Finding& f : findings) {
    if (f.severity == Severity::Problem) ++problems;
    else if (f.severity == Severity::Warning) ++warnings;
    else ++notes;
  }
  const bool started = !history_->variants().isEmpty();
  if (!started) {
    summary_->setText(tr("No run yet: findings appear here while a run trains, and for every run you open."));
  } else if (problems + warnings == 0) {
    summary_->setText(history_->results().empty()
                          ? tr("No problems found so far.")
                          : tr("No problems found: every variant learned without a warning sign."));
  } else {
    summary_->setText(tr("%n problem(s)", "", problems) + ", " + tr("%n warning(s)", "", warnings) + ", " +
                      tr("%n note(s)", "", notes) + tr(" — most severe first; double-click one to see its evidence"));
  }
  showDetail();
}

void FindingsView::showDetail() {
  const Finding* f = model_->findingAt(table_->currentIndex().row());
  try_fix_->setEnabled(false);
  if (!f) {
    detail_->setText(model_->rowCount() > 0 ? tr("Select a finding to see what to try.") : QString());
    return;
  }
  try {
    try_fix_->setText(tr("Try the fix: %1").arg(QString::fromStdString(describe_repair(f->settings))));
    try_fix_->setEnabled(try_fix_allowed_);
  } catch (const std::exception&) {
    try_fix_->setText(tr("Try the fix"));  // nothing to change
  }
  QString text = QString("<b>%1</b> (%2): %3")
                     .arg(QString::fromStdString(f->kind).toHtmlEscaped(), severity_text(f->severity),
                          QString::fromStdString(f->evidence).toHtmlEscaped());
  if (!f->suggestion.empty()) {
    text += "<br><b>" + tr("Try") + ":</b> " + QString::fromStdString(f->suggestion).toHtmlEscaped();
  }
  detail_->setText(text);
}

}  // namespace alexnet::ui
