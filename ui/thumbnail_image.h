// A test image's plain RGB bytes as a QImage, enlarged by whole pixels to at
// least `side` (a 28 x 28 Fashion-MNIST image is unreadable at 1:1).
#pragma once

#include <QImage>

#include "analysis/test_images.h"

namespace alexnet::ui {

QImage thumbnail_image(const Thumbnail& thumbnail, int side);

}  // namespace alexnet::ui
