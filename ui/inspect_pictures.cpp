#include "inspect_pictures.h"

#include <algorithm>
#include <cmath>

#include <QColor>

namespace alexnet::ui {

QImage seen_picture(const std::vector<float>& input, const PictureTransform& t) {
  const int s = t.input_size;
  QImage image(s, s, QImage::Format_RGB888);
  for (int y = 0; y < s; ++y) {
    uchar* row = image.scanLine(y);
    for (int x = 0; x < s; ++x) {
      for (int c = 0; c < 3; ++c) {
        const std::size_t from = t.source_channels == 1 ? 0 : static_cast<std::size_t>(c);
        const float v = input[(static_cast<std::size_t>(c) * s + y) * s + x] * t.std[from] + t.mean[from];
        row[x * 3 + c] = static_cast<uchar>(std::lround(255.0f * std::clamp(v, 0.0f, 1.0f)));
      }
    }
  }
  return image;
}

QImage feature_map_grid(const FeatureMaps& maps, int width, int* flat) {
  if (flat) *flat = 0;
  if (maps.channels <= 0 || maps.height <= 0 || maps.width <= 0) return {};
  const int columns = int(std::ceil(std::sqrt(double(maps.channels))));
  const int rows = (maps.channels + columns - 1) / columns;
  // Whole pixels per value, at least the width asked for (maps are 1 x 1 to 15 x 15 at S = 64); the
  // grid is brought down to that width at the end, still without smoothing.
  const int scale = std::max(1, int(std::ceil(double(width) / columns / maps.width)));
  const int tile_w = maps.width * scale, tile_h = maps.height * scale;
  QImage grid(columns * (tile_w + 1) + 1, rows * (tile_h + 1) + 1, QImage::Format_RGB888);
  grid.fill(QColor(90, 90, 110));  // the gaps
  const std::size_t plane = static_cast<std::size_t>(maps.height) * maps.width;
  for (int c = 0; c < maps.channels; ++c) {
    const float* v = maps.values.data() + c * plane;
    const auto [lo, hi] = std::minmax_element(v, v + plane);
    const float range = *hi - *lo;
    if (range <= 0 && flat) ++*flat;
    const int x0 = (c % columns) * (tile_w + 1) + 1, y0 = (c / columns) * (tile_h + 1) + 1;
    for (int y = 0; y < tile_h; ++y) {
      uchar* row = grid.scanLine(y0 + y);
      for (int x = 0; x < tile_w; ++x) {
        const float value = v[(y / scale) * maps.width + x / scale];
        const auto g = static_cast<uchar>(range > 0 ? std::lround(255.0f * (value - *lo) / range) : 0);
        uchar* px = row + (x0 + x) * 3;
        px[0] = px[1] = px[2] = g;
      }
    }
  }
  return grid.width() > width
             ? grid.scaled(width, grid.height() * width / grid.width(), Qt::IgnoreAspectRatio, Qt::FastTransformation)
             : grid;
}

}  // namespace alexnet::ui
