// Streaming an image folder larger than memory: generates (once) a folder of
// PNG and JPEG pictures, then loads it as training does at S = 227 and prints
// the seconds to the first batch, the loader's rate against the training rate
// of `original` at S = 227, and the peak resident memory.
//
// usage: bench_stream [FOLDER] [PICTURES]   (default build/bench-pictures, 100000)
#include <QtTest>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <opencv2/imgcodecs.hpp>

#include "bench/benchmark.h"
#include "platform/caching_cpu_allocator.h"
#include "data/batch_stream.h"
#include "spec/presets.h"
#include "platform/seconds_since.h"
#include "platform/system_info.h"
#include "bench_main.h"

namespace fs = std::filesystem;
using namespace alexnet;

namespace {

// Ten classes of noisy stripes, 160 x 120, every other picture a JPEG.
void generate(const fs::path& folder, int pictures) {
  const fs::path done = folder / ".complete";
  if (fs::exists(done)) return;
  std::printf("generating %d pictures in %s (once)...\n", pictures, folder.c_str());
  std::fflush(stdout);
  const auto start = std::chrono::steady_clock::now();
  const int threads = core_count();
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

// The figures are only printed for a folder that really streamed into whole,
// normalised batches of the right shape: anything else fails the run.
class BenchStream : public QObject {
  Q_OBJECT
 public:
  BenchStream(fs::path folder, int pictures) : folder_(std::move(folder)), pictures_(pictures) {}

 private slots:
  void streamAFolderLargerThanMemory() {
    const fs::path& folder = folder_;
    const int pictures = pictures_;
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
    const long long listed_pictures = static_cast<long long>(data.train.size() + data.test.size());
    QVERIFY2(data.train.streamed() && listed_pictures >= pictures * 9 / 10,
             qPrintable(QString("the folder was not streamed whole (%1 pictures, %2)")
                            .arg(listed_pictures)
                            .arg(data.train.streamed() ? "streamed" : "in memory")));
    BatchStream stream(data.train, batch, transform, 0);
    const Batch first = stream.next();
    QVERIFY2(first.images.sizes() == torch::IntArrayRef({batch, 3, size, size}) &&
                 first.images.isfinite().all().item<bool>() && first.images.abs().sum().item<double>() != 0,
             "the first batch is not 64 normalised 3 x 227 x 227 pictures");
    const double first_batch = seconds_since(start);
    const int batches = 150;
    const auto timed = std::chrono::steady_clock::now();
    for (int i = 0; i < batches; ++i) QVERIFY2(stream.next().labels.size(0) == batch, "a batch came short");
    QCOMPARE(static_cast<long long>(data.train.pictures->decode_failures.load()),
             0LL);  // pictures that failed to decode
    const double loader_rate = batches * batch / seconds_since(timed);
    const double loader_peak = peak_rss_mib();

    const StepTiming original = time_training_steps(resolve_variant("original", size, data.classes()), batch, 3, 1);
    std::printf("streaming %lld pictures (%s, %s) at S = %d, batch %d, %d threads\n", listed_pictures,
                data.train.streamed() ? "streamed" : "in memory", folder.c_str(), size, batch, threads);
    std::printf("  listed and header-checked in %.1f s; first batch after %.1f s\n", listed, first_batch);
    std::printf(
        "  loader: %.0f images/s (decode, resize, crop, flip, normalise); original trains %.0f images/s: %.1fx\n",
        loader_rate, original.images_per_second, loader_rate / original.images_per_second);
    std::printf(
        "  peak resident memory: %.0f MiB streaming, %.0f MiB with original training at S = %d (decoded, the set would "
        "take %lld MiB)\n",
        loader_peak, peak_rss_mib(), size, listed_pictures * 3LL * size * size >> 20);
  }

 private:
  fs::path folder_;
  int pictures_;
};

int main(int argc, char** argv) {
  BenchStream bench(argc > 1 ? argv[1] : "build/bench-pictures", argc > 2 ? std::stoi(argv[2]) : 100000);
  return run_benchmark(bench, argv[0]);
}

#include "bench_stream.moc"
