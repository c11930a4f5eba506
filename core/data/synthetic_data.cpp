// A generated 10-class data set that a small convnet learns in seconds: class c
// is a sinusoidal grating at orientation c * 18 degrees in a class-specific tint,
// with a random phase, frequency, contrast and pixel noise per image.
#include <algorithm>
#include <cmath>
#include <random>

#include "data/dataset.h"

namespace alexnet {

namespace {

constexpr int kSyntheticSide = 32;
constexpr int kSyntheticClasses = 10;

ImageSet generate(std::int64_t n, std::mt19937_64& rng) {
  std::uniform_real_distribution<float> phase(0.0f, 6.2832f), frequency(0.25f, 0.45f), contrast(0.5f, 1.0f);
  std::normal_distribution<float> noise(0.0f, 18.0f);
  ImageSet set;
  set.images = torch::empty({n, 3, kSyntheticSide, kSyntheticSide}, torch::kUInt8);
  set.labels = torch::empty({n}, torch::kInt64);
  auto images = set.images.accessor<std::uint8_t, 4>();
  auto labels = set.labels.accessor<std::int64_t, 1>();
  for (std::int64_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(i % kSyntheticClasses);
    labels[i] = c;
    const float angle = 3.14159265f * c / kSyntheticClasses;
    const float dx = std::cos(angle), dy = std::sin(angle);
    const float p = phase(rng), f = frequency(rng), k = contrast(rng);
    const float tint[3] = {0.6f + 0.4f * std::cos(angle * 2), 0.6f + 0.4f * std::sin(angle * 2), 0.8f};
    for (int y = 0; y < kSyntheticSide; ++y) {
      for (int x = 0; x < kSyntheticSide; ++x) {
        const float wave = std::sin(f * (dx * x + dy * y) + p);
        for (int ch = 0; ch < 3; ++ch) {
          const float v = 128.0f + 110.0f * k * wave * tint[ch] + noise(rng);
          images[i][ch][y][x] = static_cast<std::uint8_t>(std::clamp(v, 0.0f, 255.0f));
        }
      }
    }
  }
  return set;
}

}  // namespace

Dataset make_synthetic(const LoadOptions& options) {
  std::mt19937_64 rng(options.seed * 0x9E3779B97F4A7C15ULL + 1);
  Dataset d;
  d.name = "synthetic";
  d.source = "generated";
  for (int c = 0; c < kSyntheticClasses; ++c) d.class_names.push_back("grating " + std::to_string(c * 18) + "°");
  d.train = generate(options.synthetic_train, rng);
  d.test = generate(options.synthetic_test, rng);
  return d;
}

}  // namespace alexnet
