// Streaming an image folder larger than memory: generates (once) a folder of
// PNG and JPEG pictures, then loads it as training does at S = 227 and prints
// the seconds to the first batch, the loader's rate against the training rate
// of `original` at S = 227, and the peak resident memory.
//
// usage: bench_stream [FOLDER] [PICTURES]   (default build/bench-pictures, 100000)
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <opencv2/imgcodecs.hpp>

#include "benchmark.h"
#include "caching_cpu_allocator.h"
#include "data/batch_stream.h"
#include "presets.h"
#include "system_info.h"

namespace fs = std::filesystem;
using namespace alexnet;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Ten classes of noisy stripes, 160 x 120, every other picture a JPEG.
void generate(const fs::path& folder, int pictures) {
  const fs::path done = folder / ".complete";
  if (fs::exists(done)) return;
  std::printf("generating %d pictures in %s (once)...\n", pictures, folder.c_str());
  std::fflush(stdout);
  const auto start = std::chrono::steady_clock::now();
  const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto work = [&](int first, int last) {
    cv::RNG rng(static_cast<std::uint64_t>(first) + 1);
    for (int i = first; i < last; ++i) {
      const int c = i % 10;
      cv::Mat img(120, 160, CV_8UC3);
      rng.fill(img, cv::RNG::UNIFORM, 0, 64);
      for (int y = 0; y < img.rows; ++y) {
        for (int x = 0; x < img.cols; ++x) {
          if (((x + y * c) / (4 + c)) % 2 == 0) img.at<cv::Vec3b>(y, x) += cv::Vec3b(150, 120, 90);
        }
      }
      const fs::path dir = folder / ("class" + std::to_string(c));
      cv::imwrite((dir / ("p" + std::to_string(i) + (i % 2 ? ".jpg" : ".png"))).string(), img);
    }
  };
  for (int c = 0; c < 10; ++c) fs::create_directories(folder / ("class" + std::to_string(c)));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work, pictures * t / threads, pictures * (t + 1) / threads);
  for (std::thread& t : pool) t.join();
  std::ofstream(done) << pictures << "\n";
  std::printf("generated in %.0f s\n", seconds_since(start));
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path folder = argc > 1 ? argv[1] : "build/bench-pictures";
  const int pictures = argc > 2 ? std::stoi(argv[2]) : 100000;
  generate(folder, pictures);
  install_caching_cpu_allocator();
  const int threads = configure_threads(0);
  const int size = 227, batch = 64;

  const auto start = std::chrono::steady_clock::now();
  LoadOptions options;
  options.image_size = size;
  const Dataset data = load_dataset(folder.string(), options);
  const double listed = seconds_since(start);
  TransformOptions transform;
  transform.input_size = size;
  transform.random_crop = true;
  transform.horizontal_flip = true;
  transform.normalisation = compute_normalisation(data.train);
  // The figures below are only worth printing for a folder that really streamed
  // into whole, normalised batches of the right shape.
  if (!data.train.streamed() || data.train.size() + data.test.size() < pictures * 9 / 10) {
    std::fprintf(stderr, "bench_stream: the folder was not streamed whole (%lld pictures, %s)\n",
                 static_cast<long long>(data.train.size() + data.test.size()), data.train.streamed() ? "streamed" : "in memory");
    return 1;
  }
  BatchStream stream(data.train, batch, transform, 0);
  const Batch first = stream.next();
  if (first.images.sizes() != torch::IntArrayRef({batch, 3, size, size}) || !first.images.isfinite().all().item<bool>() ||
      first.images.abs().sum().item<double>() == 0) {
    std::fprintf(stderr, "bench_stream: the first batch is not %d normalised 3 x %d x %d pictures\n", batch, size, size);
    return 1;
  }
  const double first_batch = seconds_since(start);
  const int batches = 150;
  const auto timed = std::chrono::steady_clock::now();
  for (int i = 0; i < batches; ++i) {
    if (stream.next().labels.size(0) != batch) {
      std::fprintf(stderr, "bench_stream: a batch came short\n");
      return 1;
    }
  }
  if (data.train.pictures->decode_failures > 0) {
    std::fprintf(stderr, "bench_stream: %lld pictures failed to decode\n",
                 static_cast<long long>(data.train.pictures->decode_failures.load()));
    return 1;
  }
  const double loader_rate = batches * batch / seconds_since(timed);
  const double loader_peak = peak_rss_mib();

  const StepTiming original = time_training_steps(resolve_variant("original", size, data.classes()), batch, 3, 1);
  std::printf("streaming %lld pictures (%s, %s) at S = %d, batch %d, %d threads\n",
              static_cast<long long>(data.train.size() + data.test.size()), data.train.streamed() ? "streamed" : "in memory",
              folder.c_str(), size, batch, threads);
  std::printf("  listed and header-checked in %.1f s; first batch after %.1f s\n", listed, first_batch);
  std::printf("  loader: %.0f images/s (decode, resize, crop, flip, normalise); original trains %.0f images/s: %.1fx\n",
              loader_rate, original.images_per_second, loader_rate / original.images_per_second);
  std::printf("  peak resident memory: %.0f MiB streaming, %.0f MiB with original training at S = %d (decoded, the set would take %lld MiB)\n",
              loader_peak, peak_rss_mib(), size,
              static_cast<long long>((data.train.size() + data.test.size()) * 3LL * size * size >> 20));
  return 0;
}
