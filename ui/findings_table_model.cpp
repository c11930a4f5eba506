#include "findings_table_model.h"

#include <QApplication>
#include <QStyle>

#include <algorithm>

namespace alexnet::ui {

QString severity_text(Severity severity) {
  switch (severity) {
    case Severity::Problem:
      return QObject::tr("problem");
    case Severity::Warning:
      return QObject::tr("warning");
    case Severity::Info:
      return QObject::tr("note");
  }
  return {};
}

void FindingsTableModel::setFindings(std::vector<Finding> findings) {
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return int(a.severity) > int(b.severity); });
  beginResetModel();
  findings_ = std::move(findings);
  endResetModel();
}

const Finding* FindingsTableModel::findingAt(int row) const {
  return row >= 0 && row < int(findings_.size()) ? &findings_[std::size_t(row)] : nullptr;
}

int FindingsTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : int(findings_.size());
}

int FindingsTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant FindingsTableModel::data(const QModelIndex& index, int role) const {
  const Finding* f = findingAt(index.row());
  if (!f) return {};
  const auto column = Column(index.column());
  if (role == Qt::DecorationRole && column == SeverityColumn) {
    const QStyle::StandardPixmap icon = f->severity == Severity::Problem   ? QStyle::SP_MessageBoxCritical
                                        : f->severity == Severity::Warning ? QStyle::SP_MessageBoxWarning
                                                                           : QStyle::SP_MessageBoxInformation;
    return QApplication::style()->standardIcon(icon);
  }
  if (role == Qt::ToolTipRole) {
    return QString::fromStdString(f->evidence) +
           (f->suggestion.empty() ? QString() : QObject::tr("\n\nTry: %1").arg(QString::fromStdString(f->suggestion)));
  }
  if (role == SortRole) {
    switch (column) {
      case SeverityColumn:
        return int(f->severity);
      case Iterations:
        return qlonglong(f->first_iteration);
      default:
        break;
    }
  }
  if (role != Qt::DisplayRole && role != SortRole) return {};
  switch (column) {
    case SeverityColumn:
      return severity_text(f->severity);
    case Variant:
      return QString::fromStdString(f->variant.empty() ? "(the run)" : f->variant);
    case Layer:
      return QString::fromStdString(f->layer);
    case Iterations:
      return f->first_iteration == f->last_iteration ? QString::number(f->first_iteration)
                                                     : QString("%1–%2").arg(f->first_iteration).arg(f->last_iteration);
    case Evidence:
      return QString::fromStdString(f->evidence);
    default:
      return {};
  }
}

QVariant FindingsTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (Column(section)) {
    case SeverityColumn:
      return tr("Severity");
    case Variant:
      return tr("Variant");
    case Layer:
      return tr("Layer");
    case Iterations:
      return tr("Iterations");
    case Evidence:
      return tr("Finding");
    default:
      return {};
  }
}

}  // namespace alexnet::ui
