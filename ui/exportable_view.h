// A view that can write itself as a picture (PNG, PDF or SVG) of a chosen size: the window's
// "Export…" buttons, File ▸ Export all plots, `train --png` and
// `export` all go through it.
#pragma once

#include <QSize>
#include <QString>
#include <QWidget>

namespace alexnet::ui {

// 1280 x 720 logical pixels at 1.5x: 1920 x 1080, readable on a slide.
constexpr int kDefaultExportWidth = 1280;
constexpr int kDefaultExportHeight = 720;
constexpr double kDefaultExportScale = 1.5;

class ExportableView : public QWidget {
  Q_OBJECT
 public:
  using QWidget::QWidget;
  // File names for "export all": one per picture this view can make.
  virtual QStringList exportNames() const = 0;
  // Writes picture `index` of exportNames() as PNG, PDF or SVG (by the path's
  // suffix); size in logical pixels, scale = device pixels per logical (PNG).
  virtual bool exportPicture(int index, const QString& path, QSize size, double scale) = 0;

 protected:
  // Asks for size and scale, then a file name, then exports picture `index`.
  void askAndExport(int index);
};

}  // namespace alexnet::ui
