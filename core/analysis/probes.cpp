#include "analysis/probes.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <ATen/Parallel.h>

namespace alexnet {

namespace {

double nice_ceiling(double x) {
  if (!(x > 0) || !std::isfinite(x)) return 1.0;
  const double p = std::pow(10.0, std::floor(std::log10(x)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * p >= x) return m * p;
  }
  return 10.0 * p;
}

// Per unit (channel or neuron): over every axis but the unit axis (1), without
// transposing a copy of the activations first.
torch::Tensor count_per_unit(const torch::Tensor& mask) {
  if (mask.dim() == 2) return mask.sum(0, false, torch::kInt64);
  std::vector<std::int64_t> axes{0};
  for (std::int64_t d = 2; d < mask.dim(); ++d) axes.push_back(d);
  return mask.sum(axes, false, torch::kInt64);
}

// One pass over the values, bins chosen as torch::histc does on doubles (a
// value on the top edge goes into the last bin; values outside the edges into
// the end bins, and are also counted in below/above; NaN is left out). The
// conversion to double and histc it replaces cost a probe ten times as much.
void add_to_histogram(Histogram& h, const torch::Tensor& values) {
  const torch::Tensor v = values.detach().to(torch::kFloat32).contiguous();
  const float* data = v.data_ptr<float>();
  const std::int64_t n = v.numel();
  const double lo = h.edges.front(), hi = h.edges.back();
  const auto bins = static_cast<std::int64_t>(h.counts.size());
  const double scale = double(bins) / (hi - lo);
  const int parts = std::max(1, at::get_num_threads());
  std::vector<std::vector<std::int64_t>> counts(static_cast<std::size_t>(parts),
                                                std::vector<std::int64_t>(bins + 2, 0));
  at::parallel_for(0, parts, 1, [&](std::int64_t first, std::int64_t last) {
    for (std::int64_t part = first; part < last; ++part) {
      std::vector<std::int64_t>& c = counts[static_cast<std::size_t>(part)];
      const std::int64_t begin = n * part / parts, end = n * (part + 1) / parts;
      for (std::int64_t i = begin; i < end; ++i) {
        const double x = data[i];
        if (x < lo) {
          ++c[0];
          ++c[bins];  // below
        } else if (x > hi) {
          ++c[bins - 1];
          ++c[bins + 1];  // above
        } else if (x == x) {
          std::int64_t b = static_cast<std::int64_t>((x - lo) * scale);
          c[std::min(b, bins - 1)] += 1;
        }
      }
    }
  });
  for (const std::vector<std::int64_t>& c : counts) {
    for (std::int64_t b = 0; b < bins; ++b) h.counts[static_cast<std::size_t>(b)] += c[b];
    h.below += c[bins];
    h.above += c[bins + 1];
  }
}

Histogram empty_histogram(const std::vector<double>& edges) {
  Histogram h;
  h.edges = edges;
  h.counts.assign(edges.size() - 1, 0);
  return h;
}

LayerEdges choose_edges(const LayerTrace& t, Activation activation) {
  LayerEdges e;
  // Three times the first probe's range leaves room for what training does later.
  const double pre_max = t.pre_activation.abs().max().item<double>();
  const double pre = nice_ceiling(3.0 * pre_max);
  e.pre_activation = nice_edges(-pre, pre, kHistogramBins);
  if (activation == Activation::Tanh) {
    e.activation = nice_edges(-1.0, 1.0, kHistogramBins);
  } else {
    const double hi = nice_ceiling(3.0 * std::max(1e-6, t.activation.max().item<double>()));
    const double lo = std::min(0.0, -nice_ceiling(-3.0 * t.activation.min().item<double>()));
    e.activation = nice_edges(lo < -1e-12 ? lo : 0.0, hi, kHistogramBins);
  }
  return e;
}

}  // namespace

std::vector<double> nice_edges(double lo, double hi, int bins) {
  if (!(hi > lo)) hi = lo + 1.0;
  std::vector<double> edges(static_cast<std::size_t>(bins) + 1);
  for (int i = 0; i <= bins; ++i) edges[static_cast<std::size_t>(i)] = lo + (hi - lo) * i / bins;
  return edges;
}

ProbeResult probe_model(AlexNetImpl& model, const torch::Tensor& probe_images, EdgeBook& edges, int chunk_size,
                        bool grey_data, const torch::Tensor& labels) {
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  const Activation activation = model.spec().activation;
  ProbeResult result;
  result.activation = activation_name(activation);
  std::vector<torch::Tensor> active_counts, unsaturated_counts;
  std::vector<std::int64_t> positions;  // per unit: samples x spatial positions seen
  const bool validating = labels.defined() && labels.size(0) == probe_images.size(0);
  double loss_sum = 0;
  std::int64_t correct = 0;
  for (std::int64_t start = 0; start < probe_images.size(0); start += chunk_size) {
    const std::int64_t n = std::min<std::int64_t>(chunk_size, probe_images.size(0) - start);
    const std::vector<LayerTrace> traces = model.forward_traced(probe_images.narrow(0, start, n));
    if (validating && !traces.empty()) {
      const torch::Tensor logits = traces.back().pre_activation;  // the classifier's output
      const torch::Tensor truth = labels.narrow(0, start, n);
      loss_sum += torch::nn::functional::cross_entropy(
                      logits, truth, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                      .item<double>();
      correct += logits.argmax(1).eq(truth).sum().item<std::int64_t>();
    }
    std::size_t k = 0;
    for (const LayerTrace& t : traces) {
      if (!t.has_activation) continue;
      if (result.layers.size() <= k) {
        if (!edges.count(t.name)) edges[t.name] = choose_edges(t, activation);
        LayerProbe layer;
        layer.name = t.name;
        layer.units = t.pre_activation.size(1);
        layer.pre_activation = empty_histogram(edges[t.name].pre_activation);
        layer.activation = empty_histogram(edges[t.name].activation);
        result.layers.push_back(layer);
        active_counts.push_back(torch::zeros({layer.units}, torch::kInt64));
        unsaturated_counts.push_back(torch::zeros({layer.units}, torch::kInt64));
        positions.push_back(0);
      }
      LayerProbe& layer = result.layers[k];
      add_to_histogram(layer.pre_activation, t.pre_activation);
      add_to_histogram(layer.activation, t.activation);
      active_counts[k] += count_per_unit(t.pre_activation.gt(0));
      if (activation == Activation::Tanh) unsaturated_counts[k] += count_per_unit(t.activation.abs().le(kSaturation));
      positions[k] += t.pre_activation.numel() / layer.units;
      ++k;
    }
  }
  if (validating && probe_images.size(0) > 0) {
    result.validation_loss = loss_sum / double(probe_images.size(0));
    result.validation_accuracy = double(correct) / double(probe_images.size(0));
  }
  for (std::size_t k = 0; k < result.layers.size(); ++k) {
    LayerProbe& layer = result.layers[k];
    const double units = static_cast<double>(layer.units);
    const torch::Tensor active = active_counts[k];
    const double threshold = kNearlyDeadActivity * static_cast<double>(positions[k]);
    layer.dead_fraction = active.eq(0).sum().item<double>() / units;
    layer.nearly_dead_fraction = (active.gt(0) & active.to(torch::kFloat64).lt(threshold)).sum().item<double>() / units;
    if (activation == Activation::Tanh) {
      layer.saturated_fraction = unsaturated_counts[k].eq(0).sum().item<double>() / units;
    }
  }
  for (const std::string& name : model.layer_names()) {
    const torch::Tensor w = model.layer_weights(name);
    std::vector<double>& e = edges[name].weights;
    if (e.empty()) {
      // Twice the first probe's largest weight: training widens the spread, rarely by more.
      const double m = nice_ceiling(2.0 * std::max(1e-6, w.detach().abs().max().item<double>()));
      e = nice_edges(-m, m, kHistogramBins);
    }
    WeightHistogram h{name, empty_histogram(e)};
    add_to_histogram(h.weights, w);
    result.weights.push_back(std::move(h));
  }
  result.filters = render_filter_grid(model.first_layer_weights(), grey_data);
  if (was_training) model.train();
  return result;
}

FilterGrid render_filter_grid(const torch::Tensor& first_layer_weights, bool grey_data) {
  torch::Tensor w = first_layer_weights.detach().to(torch::kFloat32).contiguous();
  if (grey_data || w.size(1) != 3) w = w.sum(1, true).expand({-1, 3, -1, -1}).contiguous();
  const std::int64_t filters = w.size(0);
  const int k = static_cast<int>(w.size(2));
  const torch::Tensor scale = w.abs().amax({1, 2, 3}, true).clamp_min(1e-12);
  const torch::Tensor colour = (0.5 + 0.5 * w / scale).mul(255.0).round().clamp(0, 255).to(torch::kUInt8);
  FilterGrid g;
  g.filters = static_cast<int>(filters);
  g.tile = k;
  g.columns = static_cast<int>(std::ceil(std::sqrt(double(filters))));
  g.rows = static_cast<int>((filters + g.columns - 1) / g.columns);
  constexpr int gap = 1;
  g.width = g.columns * (k + gap) + gap;
  g.height = g.rows * (k + gap) + gap;
  g.rgb.assign(static_cast<std::size_t>(g.width) * g.height * 3, 40);  // dark grey gaps
  const auto c = colour.accessor<std::uint8_t, 4>();
  for (std::int64_t f = 0; f < filters; ++f) {
    const int x0 = gap + static_cast<int>(f % g.columns) * (k + gap);
    const int y0 = gap + static_cast<int>(f / g.columns) * (k + gap);
    for (int y = 0; y < k; ++y) {
      for (int x = 0; x < k; ++x) {
        const std::size_t p = (static_cast<std::size_t>(y0 + y) * g.width + (x0 + x)) * 3;
        for (int ch = 0; ch < 3; ++ch) g.rgb[p + ch] = c[f][ch][y][x];
      }
    }
  }
  g.normalisation = grey_data
                        ? "grey data, so each filter is shown summed over its RGB channels and scaled on its own: "
                          "mid-grey = 0, white/black = +/- that filter's max |w|"
                        : "each filter scaled on its own: grey = 0, full colour = +/- that filter's max |w|";
  return g;
}

}  // namespace alexnet
