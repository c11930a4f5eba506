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

bool save_plot(QCustomPlot* plot, const QString& path, QSize size, double scale);
// `paint` draws into a size.width() x size.height() logical area.
bool save_painting(const QString& path, QSize size, double scale, const std::function<void(QPainter&)>& paint);

}  // namespace alexnet::ui
