#include "export_all.h"

#include <QDir>
#include <memory>

#include "activation_view.h"
#include "filter_view.h"
#include "loss_view.h"
#include "results_view.h"

namespace alexnet::ui {

QStringList export_all_views(RunHistory* history, const QString& dir, QString* error, QSize size, double scale) {
  QStringList written;
  if (!QDir().mkpath(dir)) {
    if (error) *error = QObject::tr("cannot create the folder %1").arg(dir);
    return written;
  }
  std::vector<std::unique_ptr<ExportableView>> views;
  views.emplace_back(new LossView(history));
  views.emplace_back(new FilterView(history));
  views.emplace_back(new ActivationView(history));
  views.emplace_back(new ResultsView(history));
  for (auto& view : views) {
    view->resize(size);  // lays out off screen as it would on screen
    const QStringList names = view->exportNames();
    for (int i = 0; i < names.size(); ++i) {
      const QString path = QDir(dir).filePath(names[i] + ".png");
      if (!view->exportPng(i, path, size, scale)) {
        if (error) *error = QObject::tr("cannot write %1").arg(path);
        return written;
      }
      written << path;
    }
  }
  return written;
}

}  // namespace alexnet::ui
