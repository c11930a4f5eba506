#include "thumbnail_image.h"

#include <algorithm>

namespace alexnet::ui {

QImage thumbnail_image(const Thumbnail& t, int side) {
  if (t.width <= 0 || t.height <= 0) return {};
  const QImage image(t.rgb.data(), t.width, t.height, t.width * 3, QImage::Format_RGB888);
  const int scale = std::max(1, side / std::max(t.width, t.height));
  return image.scaled(t.width * scale, t.height * scale);  // a copy: the bytes may go
}

}  // namespace alexnet::ui
