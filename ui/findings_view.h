// The Findings tab: what the findings engine concluded about the shown run,
// live while it trains, one row per finding (severity, variant, layer,
// iterations, the sentence with its numbers), the selected one's suggestion
// below, and one line that says so when nothing is wrong.
#pragma once

#include <QWidget>

#include "run_history.h"

class QLabel;
class QPushButton;
class QTableView;

namespace alexnet::ui {

class FindingsTableModel;

class FindingsView : public QWidget {
  Q_OBJECT
 public:
  FindingsView(RunHistory* history, QWidget* parent = nullptr);

  QTableView* table() const { return table_; }
  QString summary() const;  // the line above the table

 signals:
  // A finding was activated: show the view that holds its evidence.
  void showEvidence(const alexnet::Finding& finding);
  // "Try the fix": a new experiment from the run's settings with the finding's first repair.
  void tryFix(const alexnet::Finding& finding);

 public:
  QPushButton* tryFixButton() const { return try_fix_; }
  void setTryFixAllowed(bool allowed);  // not while a run trains

 private:
  void refresh();
  void showDetail();

  RunHistory* history_;
  FindingsTableModel* model_;
  QTableView* table_;
  QLabel* summary_;
  QLabel* detail_;
  QPushButton* try_fix_;
  bool try_fix_allowed_ = true;
};

}  // namespace alexnet::ui
