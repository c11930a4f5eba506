// Writes a picture as PNG, PDF or SVG, chosen by the file's suffix: plots stay
// vectors in PDF and SVG (for papers), PNG is rendered at `scale` device pixels
// per logical pixel.
#pragma once

#include <QSize>
#include <QString>
#include <QStringList>
#include <functional>

class QCustomPlot;
class QPainter;

namespace alexnet::ui {

// "png", "pdf", "svg"
const QStringList& picture_formats();
bool is_picture_format(const QString& format);

// With a `title`, the picture gets it as a heading above the plot (the plot on
// screen is left as it was).
bool save_plot(QCustomPlot* plot, const QString& path, QSize size, double scale, const QString& title = {});
// `paint` draws into a size.width() x size.height() logical area.
bool save_painting(const QString& path, QSize size, double scale, const std::function<void(QPainter&)>& paint);

}  // namespace alexnet::ui
