#include "analysis/test_images.h"

#include "data/batch_stream.h"
#include "data/dataset.h"
#include "data/load_options.h"

namespace alexnet {

struct TestImageSource::Impl {
  ImageSet test;
};

TestImageSource::TestImageSource(const ExperimentConfig& config) : impl_(std::make_unique<Impl>()) {
  impl_->test = load_dataset(config.data, load_options_for(config)).test;
}

TestImageSource::~TestImageSource() = default;

std::int64_t TestImageSource::size() const { return impl_->test.size(); }

Thumbnail TestImageSource::thumbnail(std::int64_t index) const {
  Thumbnail t;
  if (index < 0 || index >= impl_->test.size()) return t;
  torch::Tensor pixels = impl_->test.pixels({index})[0];  // uint8 [C, H, W]
  if (pixels.size(0) == 1) pixels = pixels.expand({3, -1, -1});
  const torch::Tensor hwc = pixels.permute({1, 2, 0}).contiguous();
  t.height = static_cast<int>(hwc.size(0));
  t.width = static_cast<int>(hwc.size(1));
  t.rgb.assign(hwc.data_ptr<std::uint8_t>(), hwc.data_ptr<std::uint8_t>() + hwc.numel());
  return t;
}

int TestImageSource::label(std::int64_t index) const {
  if (index < 0 || index >= impl_->test.size()) return -1;
  return static_cast<int>(impl_->test.labels[index].item<std::int64_t>());
}

std::vector<float> TestImageSource::network_input(std::int64_t index, const PictureTransform& transform) const {
  if (index < 0 || index >= impl_->test.size()) return {};
  TransformOptions options;
  options.input_size = transform.input_size;
  options.normalisation = {transform.mean, transform.std};
  const torch::Tensor x = prepare_images(impl_->test.pixels({index}), options, nullptr).contiguous();
  return std::vector<float>(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
}

}  // namespace alexnet
