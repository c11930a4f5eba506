// Every run in the runs folder (and the folders the user adds), in a sortable
// table: name, start, data, variants, iterations, best test accuracy, state
// and the user's note. From here a run is opened, renamed or moved to the
// trash, and two or more are compared.
#pragma once

#include <QStringList>
#include <QWidget>
#include <functional>

class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace alexnet::ui {

class RunsTableModel;

class RunsView : public QWidget {
  Q_OBJECT
 public:
  explicit RunsView(QWidget* parent = nullptr);

  // The folders listed: the default runs folder first, then those added (kept in the settings).
  QStringList folders() const { return folders_; }
  void addFolder(const QString& folder);
  void refresh();  // reads every folder again

  RunsTableModel* model() const { return model_; }
  QTableView* table() const { return table_; }
  QStringList selectedRuns() const;  // run folders, in the table's order
  void selectRuns(const QStringList& dirs);

  // What a user does from the buttons; each says what went wrong in `error`.
  bool compareSelected(QString* error = nullptr);
  bool renameRun(const QString& dir, const QString& name, QString* error = nullptr);
  bool deleteRuns(const QStringList& dirs, QString* error = nullptr);  // after confirm_
  // Asked before deleting (a dialog; tests answer it themselves).
  std::function<bool(const QString& question)> confirm;

 signals:
  void openRequested(const QString& dir);
  void compareRequested(const QStringList& dirs);

 protected:
  void showEvent(QShowEvent* event) override;  // listed afresh whenever looked at

 private:
  void updateButtons();
  QStringList oldestFirst(QStringList dirs) const;
  void report(const QString& error);

  QStringList folders_;
  RunsTableModel* model_;
  QSortFilterProxyModel* proxy_;
  QTableView* table_;
  QLabel* status_;
  QPushButton* open_;
  QPushButton* compare_;
  QPushButton* rename_;
  QPushButton* delete_;
};

}  // namespace alexnet::ui
