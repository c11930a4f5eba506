// Benchmark (not a test): what the window costs a training run, and how
// responsive it stays. Trains the same short experiment headless and with the
// window attached (offscreen platform), and measures the event loop's latency
// during training: how late a 10 ms timer fires, p50 and p99. Prints figures;
// it checks only that the measurement itself is valid (speed is never asserted).
#include <QtTest>

#include <QApplication>
#include <QElapsedTimer>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <thread>
#include <vector>

#include "main_window.h"
#include "spec/presets.h"
#include "run_history.h"
#include "train/trainer.h"
#include "training_worker.h"

using namespace alexnet;

namespace {

ExperimentConfig bench_config(const QString& out, int iterations) {
  ExperimentConfig c;
  c.variants = {preset("small")};
  c.data = "synthetic";
  c.iterations = iterations;
  c.record_every = 10;
  c.probe_every = 100;
  c.probe_size = 500;
  c.checkpoint_every = 0;
  c.out_dir = out.toStdString();
  return c;
}

double images_per_second(const VariantResult& r, int batch) { return double(r.iterations) * batch / r.seconds; }

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::size_t(p * double(v.size() - 1))];
}

}  // namespace

class BenchWindow : public QObject {
  Q_OBJECT
 private slots:
  void trainingWithTheWindowAndEventLoopLatency() {
    QStandardPaths::setTestModeEnabled(true);
    const int iterations =
        qEnvironmentVariableIntValue("BENCH_ITERATIONS") > 0 ? qEnvironmentVariableIntValue("BENCH_ITERATIONS") : 300;
    QTemporaryDir tmp;
    QCoreApplication& app = *QCoreApplication::instance();

    TrainingObserver quiet;
    // Warm-up: the first run pays for first-touch memory and library start-up.
    Trainer(bench_config(tmp.filePath("warm-up"), 30), quiet).run();
    Trainer headless(bench_config(tmp.filePath("headless"), iterations), quiet);
    // On a thread of its own, as in the window, so the two differ only by the window.
    RunState headless_state = RunState::Failed;
    std::thread([&] { headless_state = headless.run(); }).join();
    QCOMPARE(headless_state, RunState::Finished);
    const double headless_rate = images_per_second(headless.results().at(0), 64);

    ui::MainWindow window;
    window.show();
    std::vector<double> lateness_ms;
    QElapsedTimer clock;
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    tick.setInterval(10);
    QObject::connect(&tick, &QTimer::timeout, [&] {
      if (clock.isValid()) lateness_ms.push_back(std::max(0.0, clock.nsecsElapsed() / 1e6 - 10.0));
      clock.restart();
    });
    QObject::connect(window.worker(), &ui::TrainingWorker::finished, &app, [&] {
      tick.stop();
      app.quit();
    });
    const ExperimentConfig config = bench_config(tmp.filePath("window"), iterations);
    window.history()->reset({"small"}, {});
    window.worker()->start(config);
    tick.start();
    app.exec();
    QCOMPARE(int(window.history()->results().size()), 1);
    QVERIFY(lateness_ms.size() > 10);  // the timer did run while training
    const double window_rate = images_per_second(window.history()->results().at(0), 64);

    std::printf("window benchmark: small, S=64, batch 64, %d iterations on synthetic data\n", iterations);
    std::printf("  training headless        %8.1f images/s\n", headless_rate);
    std::printf("  training, window attached %7.1f images/s  (%.1f %% of headless)\n", window_rate,
                100.0 * window_rate / headless_rate);
    std::printf("  event-loop latency while training: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%zu samples)\n",
                percentile(lateness_ms, 0.5), percentile(lateness_ms, 0.99), percentile(lateness_ms, 1.0),
                lateness_ms.size());
  }
};

QTEST_MAIN(BenchWindow)
#include "bench_window.moc"
