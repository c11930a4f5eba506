#include "sweep_table_model.h"

#include <QDir>
#include <algorithm>
#include <cmath>

namespace alexnet::ui {

namespace {

QString value_text(const nlohmann::json& v) {
  return QString::fromStdString(v.is_string() ? v.get<std::string>() : v.dump());
}

}  // namespace

void SweepTableModel::setSweep(const Sweep& sweep) {
  beginResetModel();
  sweep_ = sweep;
  live_iterations_.clear();
  parameters_.clear();
  for (const auto* list : {&sweep_.space.grid, &sweep_.space.random}) {
    for (const SweepDimension& d : *list) parameters_ << QString::fromStdString(d.name);
  }
  endResetModel();
}

void SweepTableModel::setLiveIterations(const std::map<int, std::int64_t>& iterations) {
  live_iterations_ = iterations;
  if (!sweep_.trials.empty()) emit dataChanged(index(0, Iterations), index(rowCount() - 1, Iterations));
}

int SweepTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : int(sweep_.trials.size());
}

int SweepTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : FixedColumns + int(parameters_.size());
}

QVariant SweepTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= int(sweep_.trials.size())) return {};
  const TrialRecord& t = sweep_.trials[std::size_t(index.row())];
  if (role == RunDirRole) return QDir(QString::fromStdString(sweep_.dir)).filePath(QString::fromStdString(t.run));
  const int column = index.column();
  if (role == Qt::ToolTipRole && !t.reason.empty()) return QString::fromStdString(t.reason);
  if (role == Qt::TextAlignmentRole)
    return column == State || column >= FixedColumns ? int(Qt::AlignLeft | Qt::AlignVCenter)
                                                     : int(Qt::AlignRight | Qt::AlignVCenter);
  if (role != Qt::DisplayRole && role != SortRole) return {};
  const bool sort = role == SortRole;
  const auto percent = [&](double v) -> QVariant {
    if (sort) return std::isfinite(v) ? v : -1.0;
    return std::isfinite(v) ? QString::number(100 * v, 'f', 2) + " %" : QString("—");
  };
  switch (column) {
    case Trial:
      return t.trial;
    case State:
      return QString::fromStdString(trial_state_name(t.state)) +
             (t.state == TrialState::Pruned && !sort ? QString(" at %1").arg(t.pruned_at) : QString());
    case Validation:
      return percent(trial_metric(t, sweep_.variant, "validation_accuracy"));
    case Test:
      return percent(trial_metric(t, sweep_.variant, "test_accuracy"));
    case Iterations: {
      const auto live = live_iterations_.find(t.trial);
      return qlonglong(live == live_iterations_.end() ? t.iterations : std::max(t.iterations, live->second));
    }
    case Seconds:
      return sort ? QVariant(t.seconds) : QVariant(QString::number(t.seconds, 'f', 1));
  }
  const std::string name = parameters_.value(column - FixedColumns).toStdString();
  if (!t.settings.contains(name)) return {};
  const nlohmann::json& v = t.settings[name];
  if (sort && v.is_number()) return v.get<double>();
  return value_text(v);
}

QVariant SweepTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (role != Qt::DisplayRole || orientation != Qt::Horizontal) return {};
  static const QStringList fixed = {tr("trial"), tr("state"),      tr("validation"),
                                    tr("test"),  tr("iterations"), tr("seconds")};
  return section < FixedColumns ? fixed.value(section) : parameters_.value(section - FixedColumns);
}

}  // namespace alexnet::ui
