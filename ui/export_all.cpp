#include "export_all.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <memory>

#include "activation_view.h"
#include "filter_view.h"
#include "gradient_view.h"
#include "loss_view.h"
#include "results_view.h"

namespace alexnet::ui {

QStringList export_all_views(RunHistory* history, const QString& dir, QString* error, const QString& format, QSize size,
                             double scale) {
  QStringList written;
  if (!QDir().mkpath(dir)) {
    if (error) *error = QObject::tr("cannot create the folder %1").arg(dir);
    return written;
  }
  std::vector<std::unique_ptr<ExportableView>> views;
  views.emplace_back(new LossView(history));
  views.emplace_back(new FilterView(history));
  views.emplace_back(new ActivationView(history));
  views.emplace_back(new GradientView(history));
  views.emplace_back(new ResultsView(history));
  for (auto& view : views) {
    view->resize(size);  // lays out off screen as it would on screen
    const QStringList names = view->exportNames();
    for (int i = 0; i < names.size(); ++i) {
      const QString path = QDir(dir).filePath(names[i] + "." + format);
      if (!view->exportPicture(i, path, size, scale)) {
        if (error) *error = QObject::tr("cannot write %1").arg(path);
        return written;
      }
      written << path;
    }
  }
  // The numbers behind the plots, for spreadsheets and papers.
  if (!history->dir().isEmpty()) {
    for (const QString& name : {QStringLiteral("metrics.csv"), QStringLiteral("results.json")}) {
      const QString from = QDir(history->dir()).filePath(name);
      const QString to = QDir(dir).filePath(name);
      if (!QFile::exists(from) || QFileInfo(from).canonicalFilePath() == QFileInfo(to).canonicalFilePath()) continue;
      QFile::remove(to);
      if (!QFile::copy(from, to)) {
        if (error) *error = QObject::tr("cannot write %1").arg(to);
        return written;
      }
      written << to;
    }
  }
  return written;
}

}  // namespace alexnet::ui
