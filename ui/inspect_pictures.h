// The pictures Inspect draws from plain values: what the network sees of a
// prepared input, and a conv layer's feature maps as one grid.
#pragma once

#include <QImage>
#include <vector>

#include "export/picture_input.h"
#include "inference/run_classifier.h"

namespace alexnet::ui {

// The network's input (float [3, S, S], normalised) back in [0, 1] colours.
QImage seen_picture(const std::vector<float>& input, const PictureTransform& t);

// A conv layer's maps as one grid picture: each map scaled to its own range
// (a map that is the same everywhere, e.g. a dead ReLU channel, is black), at
// about `width` pixels wide. `flat` gets the number of such maps.
QImage feature_map_grid(const FeatureMaps& maps, int width, int* flat = nullptr);

}  // namespace alexnet::ui
