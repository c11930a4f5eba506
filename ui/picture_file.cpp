#include "picture_file.h"

#include <QFileInfo>
#include <QImage>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <qcustomplot.h>

namespace alexnet::ui {

namespace {

QString suffix_of(const QString& path) { return QFileInfo(path).suffix().toLower(); }

void set_up_svg(QSvgGenerator& svg, const QString& path, QSize size) {
  svg.setFileName(path);
  svg.setSize(size);
  svg.setViewBox(QRect(QPoint(0, 0), size));
  svg.setTitle(QFileInfo(path).completeBaseName());
}

}  // namespace

const QStringList& picture_formats() {
  static const QStringList formats = {"png", "pdf", "svg"};
  return formats;
}

bool is_picture_format(const QString& format) { return picture_formats().contains(format); }

namespace {

bool save_plot_as_is(QCustomPlot* plot, const QString& path, QSize size, double scale) {
  const QString format = suffix_of(path);
  if (format == "pdf") return plot->savePdf(path, size.width(), size.height());
  if (format == "svg") {
    QSvgGenerator svg;
    set_up_svg(svg, path, size);
    QCPPainter painter;  // QCustomPlot draws vectors through its own painter class
    if (!painter.begin(&svg)) return false;
    plot->toPainter(&painter, size.width(), size.height());
    return painter.end() && QFileInfo(path).size() > 0;
  }
  return plot->savePng(path, size.width(), size.height(), scale);
}

}  // namespace

bool save_plot(QCustomPlot* plot, const QString& path, QSize size, double scale, const QString& title) {
  if (title.isEmpty()) return save_plot_as_is(plot, path, size, scale);
  // A picture leaves the window: it says which run and variant it shows.
  plot->plotLayout()->insertRow(0);
  QFont font = plot->font();
  font.setPointSize(13);
  font.setBold(true);
  auto* heading = new QCPTextElement(plot, title, font);
  plot->plotLayout()->addElement(0, 0, heading);
  const bool ok = save_plot_as_is(plot, path, size, scale);
  plot->plotLayout()->remove(heading);
  plot->plotLayout()->simplify();
  plot->replot(QCustomPlot::rpQueuedReplot);
  return ok;
}

bool save_painting(const QString& path, QSize size, double scale, const std::function<void(QPainter&)>& paint) {
  const QString format = suffix_of(path);
  if (format == "pdf") {
    QPdfWriter pdf(path);
    pdf.setResolution(96);  // one logical pixel per point-ish unit, as QCustomPlot's savePdf
    pdf.setPageSize(QPageSize(QSizeF(size), QPageSize::Point));
    pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
    QPainter painter;
    if (!painter.begin(&pdf)) return false;
    const double k = pdf.width() / double(size.width());
    painter.scale(k, k);
    paint(painter);
    return painter.end();
  }
  if (format == "svg") {
    QSvgGenerator svg;
    set_up_svg(svg, path, size);
    QPainter painter;
    if (!painter.begin(&svg)) return false;
    paint(painter);
    return painter.end() && QFileInfo(path).size() > 0;
  }
  QImage image(size * scale, QImage::Format_RGB32);
  image.setDevicePixelRatio(scale);
  image.fill(Qt::white);
  QPainter painter(&image);
  paint(painter);
  painter.end();
  return image.save(path, "PNG");
}

}  // namespace alexnet::ui
