// Renders the scalable icon into the hicolor PNG sizes the .deb installs
// (run at build time, so only the SVG is kept in the repository).
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QSvgRenderer>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: render_icons ICON.svg OUT_DIR\n");
    return 2;
  }
  qputenv("QT_QPA_PLATFORM", "offscreen");
  QGuiApplication app(argc, argv);
  QSvgRenderer svg(QString::fromLocal8Bit(argv[1]));
  if (!svg.isValid()) {
    std::fprintf(stderr, "render_icons: %s is not a valid SVG\n", argv[1]);
    return 1;
  }
  for (int size : {16, 24, 32, 48, 64, 128, 256, 512}) {
    QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    svg.render(&painter);
    painter.end();
    const QString path = QString("%1/%2x%2.png").arg(QString::fromLocal8Bit(argv[2])).arg(size);
    if (!image.save(path, "PNG")) {
      std::fprintf(stderr, "render_icons: cannot write %s\n", qPrintable(path));
      return 1;
    }
  }
  return 0;
}
