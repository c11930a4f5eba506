// Turns model state into plain values: activation histograms with fixed bin
// edges, dead / nearly-dead / saturated fractions (DESIGN.md), and the
// first-layer filters as an RGB grid.
#pragma once

#include <map>
#include <string>

#include "model/alexnet_model.h"
#include "train/training_events.h"

namespace alexnet {

constexpr int kHistogramBins = 60;
constexpr double kNearlyDeadActivity = 0.01;  // active for under 1% of samples and positions
constexpr double kSaturation = 0.99;          // |tanh| above this counts as saturated

// Bin edges per layer, chosen at a variant's first probe and then kept, so that
// histograms from different iterations line up.
struct LayerEdges {
  std::vector<double> pre_activation;
  std::vector<double> activation;
  std::vector<double> weights;
};
using EdgeBook = std::map<std::string, LayerEdges>;

// Runs the fixed probe images (already prepared) through the model in eval mode,
// in chunks, and measures every layer that has an activation; histograms every
// weighted layer's weights. Fills `edges` for layers it has not seen before.
// `grey_data`: the images are grey replicated to RGB, so filters are drawn grey
// (see render_filter_grid). With `labels` (int64, one per probe image) the
// same forward pass gives the validation loss and accuracy.
ProbeResult probe_model(AlexNetImpl& model, const torch::Tensor& probe_images, EdgeBook& edges, int chunk_size = 250,
                        bool grey_data = false, const torch::Tensor& labels = {});

// Each filter is scaled on its own: 0.5 + 0.5 * w / max|w| over that filter's
// weights, so grey is zero and full colour is the filter's largest weight.
// With `grey_data` each filter is first summed over its input channels: on a
// grey image that sum is the whole filter, while the colour differences left
// over from initialisation never meet a gradient and would only hide it.
FilterGrid render_filter_grid(const torch::Tensor& first_layer_weights, bool grey_data = false);

// "Nice" symmetric edges covering [lo, hi] (rounded out to 1, 2 or 5 x 10^k).
std::vector<double> nice_edges(double lo, double hi, int bins);

}  // namespace alexnet
