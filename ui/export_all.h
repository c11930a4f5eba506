// Writes every picture of a run (loss, filters, activations and dead units per
// variant, confusion matrices) into a folder, through the same views the
// window shows. Used by File ▸ Export all plots and by `train --png`/`export`.
#pragma once

#include <QSize>
#include <QString>
#include <QStringList>

#include "exportable_view.h"
#include "run_history.h"

namespace alexnet::ui {

// Returns the files written; on failure fills `error` (naming the file) and stops.
// `format`: png, pdf or svg. When the history has a run folder, its
// metrics.csv and results.json are copied along, so the folder is complete.
QStringList export_all_views(RunHistory* history, const QString& dir, QString* error, const QString& format = "png",
                             QSize size = {kDefaultExportWidth, kDefaultExportHeight},
                             double scale = kDefaultExportScale);

}  // namespace alexnet::ui
