#include "runs_table_model.h"

#include <QDateTime>
#include <QLocale>

namespace alexnet::ui {

void RunsTableModel::setRuns(std::vector<RunSummary> runs) {
  beginResetModel();
  runs_ = std::move(runs);
  endResetModel();
}

const RunSummary* RunsTableModel::runAt(int row) const {
  return row >= 0 && row < static_cast<int>(runs_.size()) ? &runs_[static_cast<std::size_t>(row)] : nullptr;
}

int RunsTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(runs_.size());
}

int RunsTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant RunsTableModel::data(const QModelIndex& index, int role) const {
  const RunSummary* run = runAt(index.row());
  if (!run) return {};
  if (role == DirRole) return QString::fromStdString(run->dir);
  const bool display = role == Qt::DisplayRole || role == Qt::EditRole;
  switch (index.column()) {
    case Name:
      if (display || role == SortRole) return QString::fromStdString(run->name);
      if (role == Qt::ToolTipRole) return QString::fromStdString(run->dir);
      break;
    case Started:
      if (role == SortRole) return static_cast<qlonglong>(run->started);
      if (display && run->started > 0) {
        return QDateTime::fromSecsSinceEpoch(run->started).toString("yyyy-MM-dd HH:mm");
      }
      break;
    case Data:
      if (display || role == SortRole) return QString::fromStdString(run->data);
      break;
    case Variants: {
      QStringList names;
      for (const std::string& v : run->variants) names << QString::fromStdString(v);
      if (display || role == SortRole) return names.join(", ");
      break;
    }
    case Iterations:
      if (role == SortRole) return static_cast<qlonglong>(run->iterations_done);
      if (display) return QStringLiteral("%1 / %2").arg(run->iterations_done).arg(run->iterations_planned);
      if (role == Qt::TextAlignmentRole) return int(Qt::AlignRight | Qt::AlignVCenter);
      break;
    case BestAccuracy:
      if (role == SortRole) return run->best_accuracy;
      if (display && run->best_accuracy >= 0) {
        return QStringLiteral("%1 % (%2)")
            .arg(100.0 * run->best_accuracy, 0, 'f', 2)
            .arg(QString::fromStdString(run->best_variant));
      }
      if (role == Qt::TextAlignmentRole) return int(Qt::AlignRight | Qt::AlignVCenter);
      break;
    case State:
      if (display || role == SortRole) return QString::fromUtf8(run_status_name(run->status));
      if (role == Qt::ToolTipRole && !run->problem.empty()) return QString::fromStdString(run->problem);
      break;
    case Findings:
      if (role == SortRole) return run->problems * 1000 + run->warnings;
      if (display && run->problems >= 0) {
        if (run->problems + run->warnings == 0) return tr("none");
        QStringList parts;
        if (run->problems > 0) parts << tr("%n problem(s)", "", run->problems);
        if (run->warnings > 0) parts << tr("%n warning(s)", "", run->warnings);
        return parts.join(", ");
      }
      if (role == Qt::ToolTipRole) {
        return run->problems >= 0 ? tr("Warnings and problems the findings engine found while the run trained; "
                                       "open the run for the Findings tab")
                                  : tr("A run from before findings: open it, or alexnet-lab diagnose, to see them");
      }
      break;
    case Note:
      if (display || role == SortRole) return QString::fromStdString(run->note);
      if (role == Qt::ToolTipRole) return tr("Double-click to write a note; it is kept in the run folder as note.txt");
      break;
  }
  return {};
}

QVariant RunsTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case Name:
      return tr("Run");
    case Started:
      return tr("Started");
    case Data:
      return tr("Data");
    case Variants:
      return tr("Variants");
    case Iterations:
      return tr("Iterations");
    case BestAccuracy:
      return tr("Best test accuracy");
    case State:
      return tr("State");
    case Findings:
      return tr("Findings");
    case Note:
      return tr("Note");
  }
  return {};
}

Qt::ItemFlags RunsTableModel::flags(const QModelIndex& index) const {
  Qt::ItemFlags f = QAbstractTableModel::flags(index);
  if (index.column() == Note) f |= Qt::ItemIsEditable;
  return f;
}

bool RunsTableModel::setData(const QModelIndex& index, const QVariant& value, int role) {
  if (role != Qt::EditRole || index.column() != Note || !runAt(index.row())) return false;
  RunSummary& run = runs_[static_cast<std::size_t>(index.row())];
  const std::string text = value.toString().toStdString();
  try {
    write_run_note(run.dir, text);
  } catch (const std::exception& e) {
    emit failed(QString::fromUtf8(e.what()));
    return false;
  }
  run.note = text;
  emit dataChanged(index, index);
  return true;
}

}  // namespace alexnet::ui
