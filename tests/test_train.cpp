// The training engine end to end on synthetic data: the run folder, records,
// probes and their metrics, control from another thread, divergence, and
// reproducibility.
#include <QtTest>

#include <array>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "platform/caching_cpu_allocator.h"
#include "model/alexnet_model.h"
#include "analysis/probes.h"
#include "run/run_store.h"
#include "train/fused_optimizers.h"
#include "train/subnormal_flush.h"
#include "train/variant_lanes.h"
#include "train/trainer.h"
#include "run/checkpoint.h"
#include "run/predictions.h"
#include "run/run_reader.h"
#include "run/run_store.h"
#include "tensorboard_reader.h"
#include "training_support.h"

using namespace alexnet;
using namespace testsupport;

class TestTrain : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  bool e2e_done_ = false;  // the run aRunTrainsEveryVariantFarAboveChance makes

  QString dir(const QString& name) const { return tmp_.filePath(name); }

 private slots:
  // The trainer's allocator gives a freed large buffer back to the next
  // request of its size, and starts large buffers on a huge-page boundary.
  void largeBuffersAreReusedAndHugePageAligned() {
    install_caching_cpu_allocator();
    const std::int64_t floats = 16 << 20;  // 64 MB, fc7's weight gradient
    void* first = nullptr;
    const std::size_t cached_before = cached_cpu_bytes();
    {
      const torch::Tensor t = torch::empty({floats});
      first = t.data_ptr();
      QCOMPARE(reinterpret_cast<std::uintptr_t>(first) % (std::uintptr_t(2) << 20), std::uintptr_t(0));
    }
    QCOMPARE(cached_cpu_bytes(), cached_before + floats * sizeof(float));
    const torch::Tensor again = torch::empty({floats});
    QCOMPARE(again.data_ptr(), first);
    QCOMPARE(cached_cpu_bytes(), cached_before);
  }

  // One run of two tiny nets and the small preset (120 iterations, synthetic
  // data): every variant learns far above chance (10 %). The cases after it
  // look at the run folder it leaves.
  void aRunTrainsEveryVariantFarAboveChance() {
    ExperimentConfig c = quick_config(dir("e2e").toStdString(), 120);
    c.variants.push_back(preset("small"));  // a real preset too, at its smallest working size
    c.input_size = 64;
    c.probe_every = 60;
    c.checkpoint_every = 60;
    RecordingObserver observer;
    Trainer trainer(c, observer);
    QCOMPARE(trainer.run(), RunState::Finished);
    QVERIFY(observer.said("BLAS: "));
    QVERIFY(observer.said("5500 training, 500 validation and 1000 test images"));
    QCOMPARE(int(observer.results.size()), 3);

    // results.json: far above chance (10%) for every variant.
    const nlohmann::json results = read_json(dir("e2e/results.json"));
    QCOMPARE(results["variants"].size(), size_t(3));
    for (const auto& r : results["variants"]) {
      const double accuracy = r["test_accuracy"].get<double>();
      QVERIFY2(accuracy > 0.6, qPrintable(QString::fromStdString(r.dump())));
      // Measured on the whole split at the end, near the test figure.
      const double validation = r["validation_accuracy"].get<double>();
      QVERIFY2(validation > 0.6 && std::abs(validation - accuracy) < 0.1, qPrintable(QString::fromStdString(r.dump())));
      QCOMPARE(r["iterations"].get<int>(), 120);
      QVERIFY(!r["diverged"].get<bool>());
      std::int64_t confusion_total = 0;
      for (const auto& row : r["confusion"]) {
        for (const auto& n : row) confusion_total += n.get<std::int64_t>();
      }
      QCOMPARE(confusion_total, int64_t(1000));
    }
    QCOMPARE(results["variants"][2]["parameters"].get<std::int64_t>(), int64_t(2644234));

    e2e_done_ = true;
  }

  // config.json is enough to repeat the run, and says what was held out.
  void itsConfigIsEnoughToRepeatIt() {
    if (!e2e_done_) QSKIP("needs the run aRunTrainsEveryVariantFarAboveChance made");
    // config.json: enough to repeat the run.
    const nlohmann::json config = read_json(dir("e2e/config.json"));
    QVERIFY(config.is_object());
    const ExperimentConfig again = config_from_json(config);
    QCOMPARE(int(again.variants.size()), 3);
    QCOMPARE(QString::fromStdString(again.variants[2].name), QString("small"));
    QCOMPARE(again.variants[2].convs[1].filters, 192);
    QCOMPARE(again.iterations, int64_t(120));
    QCOMPARE(config["data_summary"]["class_names"].size(), size_t(10));
    // The validation split (1/12 of the synthetic set's 6,000 training images) is out of training.
    QCOMPARE(config["validation"].get<std::string>(), std::string("auto"));
    QCOMPARE(config["data_summary"]["validation_images"].get<int>(), 500);
    QCOMPARE(config["data_summary"]["train_images"].get<int>(), 5500);
    QCOMPARE(config["data_summary"]["probe_set"].get<std::string>(), std::string("validation"));
  }

  // metrics.csv: a row per variant every 10 iterations, the loss falling,
  // validation figures where a probe fell.
  void itsMetricsAreRecordedEveryTenIterations() {
    if (!e2e_done_) QSKIP("needs the run aRunTrainsEveryVariantFarAboveChance made");
    // metrics.csv: header, then a row per variant every 10 iterations, loss falling.
    const QStringList metrics = read_lines(dir("e2e/metrics.csv"));
    QCOMPARE(metrics[0], QString(kMetricsHeader));
    QCOMPARE(metrics.size(), 1 + 12 * 3);
    for (const QString& name : {"relu-net", "tanh-net", "small"}) {
      QStringList rows;
      for (const QString& line : metrics) {
        if (line.startsWith(name + ",")) rows << line;
      }
      QCOMPARE(rows.size(), 12);
      const double first = rows.first().split(',')[2].toDouble();
      const double last = rows.last().split(',')[2].toDouble();
      QVERIFY2(last < 0.7 * first, qPrintable(QString("%1: loss %2 -> %3").arg(name).arg(first).arg(last)));
      // Validation figures in the rows a probe fell on (60, 120), empty in the others.
      for (const QString& row : rows) {
        const QStringList f = row.split(',');
        QCOMPARE(f.size(), 8);
        const bool probed = f[1] == "60" || f[1] == "120";
        QCOMPARE(!f[6].isEmpty(), probed);
        QCOMPARE(!f[7].isEmpty(), probed);
      }
      const QStringList closing = rows.last().split(',');
      QVERIFY2(closing[6].toDouble() > 0 && closing[6].toDouble() < 1.5, qPrintable(rows.last()));
      QVERIFY2(closing[7].toDouble() > 0.6 && closing[7].toDouble() <= 1, qPrintable(rows.last()));
    }
  }

  // probes.jsonl and gradients.jsonl hold every probe and record, and add up.
  void itsProbesAndGradientsAreComplete() {
    if (!e2e_done_) QSKIP("needs the run aRunTrainsEveryVariantFarAboveChance made");
    // probes.jsonl: iterations 0, 60, 120 for each variant, histograms that add up.
    const QStringList probes = read_lines(dir("e2e/probes.jsonl"));
    QCOMPARE(probes.size(), 3 * 3);
    for (const QString& line : probes) {
      const nlohmann::json p = nlohmann::json::parse(line.toStdString());
      QVERIFY(QFile::exists(dir("e2e/") + QString::fromStdString(p["filters"]["file"].get<std::string>())));
      for (const auto& layer : p["layers"]) {
        const auto& h = layer["activation"];
        QCOMPARE(h["edges"].size(), h["counts"].size() + 1);
        std::int64_t total = 0;
        for (const auto& n : h["counts"]) total += n.get<std::int64_t>();
        QVERIFY(total > 0 && total % (200 * layer["units"].get<std::int64_t>()) == 0);
        const double dead = layer["dead_fraction"].get<double>();
        QVERIFY(dead >= 0 && dead <= 1);
      }
      const double accuracy = p["validation_accuracy"].get<double>();
      QVERIFY2(accuracy >= 0 && accuracy <= 1 && p["validation_loss"].get<double>() > 0, qPrintable(line));
      if (p["iteration"] == 120) QVERIFY2(accuracy > 0.6, qPrintable(line));
    }

    // gradients.jsonl: a line per variant and record, every weighted layer measured on the step before it.
    const QStringList gradient_lines = read_lines(dir("e2e/gradients.jsonl"));
    QCOMPARE(gradient_lines.size(), 12 * 3);
    for (const QString& line : gradient_lines) {
      const nlohmann::json g = nlohmann::json::parse(line.toStdString());
      QCOMPARE(g["iteration"].get<int>() % 10, 0);
      const std::string variant = g["variant"].get<std::string>();
      QCOMPARE(g["layers"].size(), variant == "small" ? std::size_t(8) : std::size_t(4));
      for (const auto& l : g["layers"]) {
        // A learning network: every layer has a gradient, and a step moves it by a small share of its size.
        QVERIFY2(l["gradient_norm"].get<double>() > 0, qPrintable(line));
        QVERIFY2(l["weight_norm"].get<double>() > 0, qPrintable(line));
        const double ratio = l["update_ratio"].get<double>();
        QVERIFY2(ratio > 1e-6 && ratio < 0.1, qPrintable(line));
      }
    }
  }

  // The last checkpoint holds every variant; the one before was replaced.
  void itsLastCheckpointHoldsEveryVariant() {
    if (!e2e_done_) QSKIP("needs the run aRunTrainsEveryVariantFarAboveChance made");
    // The last checkpoint, for every variant; the one at 60 was replaced by it.
    QCOMPARE(read_json(dir("e2e/checkpoints/latest.json"))["iteration"].get<int>(), 120);
    QVERIFY(!QFile::exists(dir("e2e/checkpoints/0000060")));
    const QString checkpoint = dir("e2e/checkpoints/0000120/");
    QVERIFY(QFile::exists(checkpoint + "rng.pt"));
    const nlohmann::json state = read_json(checkpoint + "state.json");
    QCOMPARE(state["iteration"].get<int>(), 120);
    for (const QString& name : {"relu-net", "tanh-net", "small"}) {
      for (const QString& file : {"model.pt", "optimizer.pt"}) {
        QVERIFY2(QFile::exists(checkpoint + name + "/" + file), qPrintable(name + "/" + file));
      }
      QCOMPARE(state["variants"][name.toStdString()]["steps"].get<int>(), 120);
    }
  }

  // The run's tb/ folder, decoded without the writer's code: every CRC holds,
  // the loss scalars are metrics.csv, histograms count every probed value, and
  // the filter grids are PNGs of the stated size.
  void tensorboardEventsDecodeIndependently() {
    if (!QFile::exists(dir("e2e/results.json"))) QSKIP("reads the end-to-end run of the test before");
    const QStringList files = QDir(dir("e2e/tb")).entryList({"events.out.tfevents.*"}, QDir::Files);
    QCOMPARE(files.size(), 1);
    std::vector<std::string> records;
    try {
      records = tbread::read_records(dir("e2e/tb/") + files[0]);
    } catch (const std::exception& e) {
      QFAIL(e.what());
    }
    QVERIFY(records.size() > 20);
    const tbread::Message first = tbread::parse(records[0]);
    QCOMPARE(QString::fromStdString(first.find(3)->second.bytes), QString("brain.Event:2"));
    std::map<std::pair<std::string, std::int64_t>, float> losses, validation_accuracies;
    int histograms = 0, images = 0;
    std::map<std::string, int> gradient_scalars;  // "gradients" / "update_ratio" -> how many
    std::map<std::string, double> weight_totals;  // "weights/VARIANT/LAYER" -> weights counted at the last probe
    for (std::size_t i = 1; i < records.size(); ++i) {
      const tbread::Message event = tbread::parse(records[i]);
      QVERIFY(event.count(1) && event.find(1)->second.as_double() > 1.7e9);  // wall time
      const std::int64_t step = std::int64_t(event.find(2)->second.varint);
      const tbread::Message summary = tbread::parse(event.find(5)->second.bytes);
      const tbread::Message value = tbread::parse(summary.find(1)->second.bytes);
      const std::string tag = value.find(1)->second.bytes;
      if (value.count(2) && tag.rfind("loss/", 0) == 0)
        losses[{tag.substr(5), step}] = value.find(2)->second.as_float();
      if (value.count(2) && (tag.rfind("gradients/", 0) == 0 || tag.rfind("update_ratio/", 0) == 0))
        ++gradient_scalars[tag.substr(0, tag.find('/'))];
      if (value.count(2) && tag.rfind("validation/accuracy/", 0) == 0) {
        validation_accuracies[{tag.substr(20), step}] = value.find(2)->second.as_float();
      }
      if (value.count(5)) {
        const tbread::Message h = tbread::parse(value.find(5)->second.bytes);
        const std::vector<double> limits = tbread::packed_doubles(h.find(6)->second.bytes);
        const std::vector<double> buckets = tbread::packed_doubles(h.find(7)->second.bytes);
        QCOMPARE(limits.size(), buckets.size());
        QCOMPARE(int(limits.size()), 62);  // 60 bins and the two open ends
        double total = 0;
        for (double b : buckets) total += b;
        QCOMPARE(total, h.find(3)->second.as_double());
        QVERIFY(total >= 200);  // at least one value per probe image
        if (tag.rfind("weights/", 0) == 0) weight_totals[tag] = total;
        ++histograms;
      }
      if (value.count(4)) {
        const tbread::Message img = tbread::parse(value.find(4)->second.bytes);
        const QImage png = QImage::fromData(QByteArray::fromStdString(img.find(4)->second.bytes), "PNG");
        QVERIFY(!png.isNull());
        QCOMPARE(png.height(), int(img.find(1)->second.varint));
        QCOMPARE(png.width(), int(img.find(2)->second.varint));
        ++images;
      }
    }
    // Every metrics.csv row is a loss scalar with the same step and value.
    const QStringList rows = read_lines(dir("e2e/metrics.csv")).mid(1);
    QCOMPARE(int(losses.size()), rows.size());
    for (const QString& row : rows) {
      const QStringList f = row.split(',');
      const auto it = losses.find({f[0].toStdString(), f[1].toLongLong()});
      QVERIFY2(it != losses.end(), qPrintable(row));
      QCOMPARE(it->second, float(f[2].toDouble()));
    }
    const int probe_lines = read_lines(dir("e2e/probes.jsonl")).size();
    QCOMPARE(images, probe_lines);
    // validation/accuracy/VARIANT at every probe, as probes.jsonl says.
    QCOMPARE(int(validation_accuracies.size()), probe_lines);
    for (const QString& line : read_lines(dir("e2e/probes.jsonl"))) {
      const nlohmann::json p = nlohmann::json::parse(line.toStdString());
      const auto it = validation_accuracies.find({p["variant"].get<std::string>(), p["iteration"].get<std::int64_t>()});
      QVERIFY2(it != validation_accuracies.end(), qPrintable(line));
      QCOMPARE(it->second, float(p["validation_accuracy"].get<double>()));
    }
    QVERIFY(histograms >= 2 * probe_lines);
    // gradients/VARIANT/LAYER and update_ratio/VARIANT/LAYER: one of each per layer in gradients.jsonl.
    int measured_layers = 0;
    for (const QString& line : read_lines(dir("e2e/gradients.jsonl")))
      measured_layers += int(nlohmann::json::parse(line.toStdString())["layers"].size());
    QCOMPARE(gradient_scalars["gradients"], measured_layers);
    QCOMPARE(gradient_scalars["update_ratio"], measured_layers);
    // weights/VARIANT/LAYER for every weighted layer, adding up to its weight count.
    for (const char* variant : {"relu-net", "tanh-net"}) {
      VariantSpec spec = tiny_spec(variant, std::string(variant) == "tanh-net" ? "tanh" : "relu");
      spec.classes = 10;
      spec.input_size = read_json(dir("e2e/config.json"))["input_size"].get<int>();
      AlexNet model(spec);
      for (const std::string& layer : model->layer_names()) {
        const std::string tag = std::string("weights/") + variant + "/" + layer;
        QVERIFY2(weight_totals.count(tag), tag.c_str());
        QCOMPARE(weight_totals[tag], double(model->layer_weights(layer).numel()));
      }
    }
  }

  // The stored test predictions give exactly the confusion matrix and the
  // accuracy of results.json; damaged files are refused by name.
  void storedPredictionsReproduceTheResults() {
    if (!QFile::exists(dir("e2e/results.json"))) QSKIP("reads the end-to-end run of the first test");
    const nlohmann::json results = read_json(dir("e2e/results.json"));
    for (const auto& r : results["variants"]) {
      const std::string variant = r["variant"].get<std::string>();
      const auto confusion = r["confusion"].get<std::vector<std::vector<std::int64_t>>>();
      const int classes = int(confusion.size());
      const std::vector<Prediction> predictions = read_predictions(dir("e2e").toStdString(), variant, classes);
      std::int64_t images = 0, correct = 0;
      for (std::size_t t = 0; t < confusion.size(); ++t) {
        for (std::size_t p = 0; p < confusion.size(); ++p) images += confusion[t][p];
        correct += confusion[t][t];
      }
      QCOMPARE(std::int64_t(predictions.size()), images);
      QCOMPARE(confusion_of(predictions, classes), confusion);
      QCOMPARE(double(correct) / double(images), r["test_accuracy"].get<double>());
      for (const Prediction& p : predictions) QVERIFY(p.confidence >= 1.0 / classes - 1e-9 && p.confidence <= 1.0);
    }
    const std::string header = "index,true,predicted,confidence\n";
    for (const auto& [text, why] : std::vector<std::pair<std::string, std::string>>{
             {"index,true\n", "does not start with the header"},
             {header + "0,1,2,0.5\n2,1,1,0.9\n", "line 3 is out of order"},
             {header + "0,1,12,0.5\n", "names a class beyond the run's 10"},
             {header + "0,1,2,1.5\n", "confidence outside [0, 1]"},
             {header + "0,1,2,nan\n", "confidence outside [0, 1]"},
             {header + "0,1,2,0.5,7\n", "is not index,true,predicted,confidence"},
             {header + "0,-1,2,0.5\n", "is not index,true,predicted,confidence"}}) {
      try {
        (void)parse_predictions(text, "p.csv", 10);
        QFAIL(qPrintable("accepted: " + QString::fromStdString(text)));
      } catch (const StoreError& e) {
        QVERIFY2(QString(e.what()).contains(QString::fromStdString(why)) && QString(e.what()).startsWith("p.csv"),
                 e.what());
      }
    }
    try {
      (void)read_predictions(dir("e2e").toStdString(), "no-such-variant", 10);
      QFAIL("predictions of a variant the run lacks");
    } catch (const StoreError& e) {
      QVERIFY2(QString(e.what()).contains("no stored test predictions for no-such-variant"), e.what());
    }
  }

  // Every run keeps each variant's best weights by validation accuracy beside
  // the last; --early-stop stops a variant that stopped improving (the others
  // go on) and measures its best weights on the test set.
  void bestWeightsAreKeptAndEarlyStopStopsOneVariant() {
    const std::string run = dir("early-stop").toStdString();
    ExperimentConfig c = quick_config(run, 200);
    c.early_stop = 40;
    c.learning_rate_scales = {{"relu-net", 1e-9}};  // its weights cannot move: its accuracy never improves
    RecordingObserver observer;
    QCOMPARE(Trainer(c, observer).run(), RunState::Finished);
    const RunContents contents = read_run(run);
    QCOMPARE(int(contents.results.size()), 2);
    const VariantResult& stuck = contents.results[0];
    const VariantResult& learner = contents.results[1];
    // Its best is the probe at 0; two probes later (40 iterations) it stops.
    QCOMPARE(stuck.iterations, std::int64_t(40));
    QVERIFY2(QString::fromStdString(stuck.note).startsWith("stopped early at iteration 40"), stuck.note.c_str());
    QCOMPARE(stuck.best_iteration, std::int64_t(0));
    // The other went on learning after it, until it stopped improving too (its probe set is small and learnt).
    QVERIFY(learner.iterations > 40);
    QVERIFY(learner.best_iteration > 0);
    QCOMPARE(learner.iterations - learner.best_iteration, std::int64_t(40));
    QVERIFY(learner.best_validation_accuracy > 0.6);
    // With --early-stop the best weights are measured on the test set too, their predictions kept.
    QVERIFY(std::isfinite(learner.best_test_accuracy) && learner.best_test_accuracy > 0.6);
    QCOMPARE(read_predictions(run, "tanh-net", 10, Weights::Best).size(), std::size_t(1000));
    // The last and the best weights load by name, each from its own iteration.
    std::vector<TrainedModel> last = models_named(contents.config.variants, {"tanh-net"}, run);
    std::vector<TrainedModel> best = last;
    QCOMPARE(load_checkpoint_models(run, last, Weights::Last).iteration, learner.iterations);
    QCOMPARE(last[0].iteration, learner.iterations);
    load_checkpoint_models(run, best, Weights::Best);
    QCOMPARE(best[0].iteration, learner.best_iteration);
    // Without a validation split there is nothing to be best by, and early stop is refused.
    c.validation = 0;
    try {
      c.validate();
      QFAIL("early-stop without a validation split");
    } catch (const std::invalid_argument& e) {
      QVERIFY2(QString(e.what()).contains("needs a validation split"), e.what());
    }
    c.early_stop = 0;
    c.out_dir = dir("no-best").toStdString();
    c.iterations = 20;
    QCOMPARE(Trainer(c, observer).run(), RunState::Finished);
    std::vector<TrainedModel> none = models_named(c.variants, {}, c.out_dir);
    try {
      load_checkpoint_models(c.out_dir, none, Weights::Best);
      QFAIL("best weights of a run without a validation split");
    } catch (const StoreError& e) {
      QVERIFY2(QString(e.what()).contains("keeps no best weights of relu-net"), e.what());
    }
  }

  void recordsExactlyEveryNIterations() {
    ExperimentConfig c = quick_config(dir("every-n").toStdString(), 25);
    c.record_every = 7;
    c.probe_every = 0;
    RecordingObserver observer;
    QCOMPARE(Trainer(c, observer).run(), RunState::Finished);
    QStringList iterations;
    for (const QString& line : read_lines(dir("every-n/metrics.csv")).mid(1)) {
      if (line.startsWith("relu-net,")) iterations << line.split(',')[1];
    }
    // Every 7, and the four iterations after the last of them in a closing row.
    QCOMPARE(iterations, (QStringList{"7", "14", "21", "25"}));
    QCOMPARE(int(observer.records.size()), 8);
    QVERIFY(read_lines(dir("every-n/probes.jsonl")).isEmpty());
  }

  // --validation 0: every training image is trained on, the probe set comes
  // from the test split and no validation figure is claimed anywhere.
  void withoutValidationNothingIsHeldOutOrMeasured() {
    ExperimentConfig c = quick_config(dir("no-validation").toStdString(), 20);
    c.variants.resize(1);
    c.validation = 0;
    RecordingObserver observer;
    QCOMPARE(Trainer(c, observer).run(), RunState::Finished);
    const nlohmann::json config = read_json(dir("no-validation/config.json"));
    QCOMPARE(config["validation"].get<double>(), 0.0);
    QCOMPARE(config["data_summary"]["train_images"].get<int>(), 6000);
    QCOMPARE(config["data_summary"]["probe_set"].get<std::string>(), std::string("test"));
    for (const QString& row : read_lines(dir("no-validation/metrics.csv")).mid(1))
      QVERIFY2(row.endsWith(",,"), qPrintable(row));
    QVERIFY(!observer.probes.empty());
    for (const ProbeResult& p : observer.probes) QVERIFY(std::isnan(p.validation_accuracy));
    QVERIFY(read_json(dir("no-validation/results.json"))["variants"][0]["validation_accuracy"].is_null());
    // Read back, the empty fields are "not measured", not zero.
    const RunContents run = read_run(dir("no-validation").toStdString());
    QVERIFY(run.warnings.empty());
    QCOMPARE(int(run.records.size()), 2);
    QVERIFY(std::isnan(run.records[0].validation_loss));
    QVERIFY(std::isnan(run.results[0].validation_accuracy));
  }

  // Without a chosen interval a run probes about 20 times, whatever its
  // length, and its folder records the interval it probed at (a resume keeps it).
  void automaticProbesComeTwentyTimesARun() {
    ExperimentConfig c = quick_config(dir("auto-probes").toStdString(), 50);
    c.variants.resize(1);
    c.probe_every = kAutomaticProbes;
    c.probe_size = 32;
    RecordingObserver observer;
    QCOMPARE(Trainer(c, observer).run(), RunState::Finished);
    QStringList iterations;
    for (const QString& line : read_lines(dir("auto-probes/probes.jsonl"))) {
      iterations << QString::number(nlohmann::json::parse(line.toStdString())["iteration"].get<int>());
    }
    QStringList expected;
    for (int i = 0; i <= 50; i += 2) expected << QString::number(i);  // 50 / 20 = every 2, and the end
    QCOMPARE(iterations, expected);
    QCOMPARE(read_json(dir("auto-probes/config.json"))["probe_every"].get<int>(), 2);
    QVERIFY(observer.said("probing every 2 iterations"));
  }

  void deadAndSaturatedFractionsOnHandBuiltModels() {
    torch::manual_seed(1);
    const torch::Tensor images = torch::randn({64, 3, 32, 32});
    {
      AlexNet relu(tiny_spec("dead"));
      torch::NoGradGuard no_grad;
      auto& conv1 = relu->layer("conv1").as<torch::nn::Conv2d>()->bias;
      conv1.narrow(0, 0, 2).fill_(-1e4);  // 2 of 16 channels can never fire
      auto* fc3 = relu->layer("fc3").as<torch::nn::Linear>();
      fc3->weight.zero_();
      fc3->bias.fill_(1.0);                   // always on ...
      fc3->bias.narrow(0, 0, 8).fill_(-1.0);  // ... but 8 of 64 units, which never fire
      EdgeBook edges;
      const ProbeResult p = probe_model(*relu, images, edges, 20);
      QCOMPARE(int(p.layers.size()), 3);  // conv1, conv2, fc3; the classifier has no activation
      QCOMPARE(QString::fromStdString(p.layers[0].name), QString("conv1"));
      QCOMPARE(p.layers[0].dead_fraction, 2.0 / 16.0);
      QCOMPARE(p.layers[2].dead_fraction, 8.0 / 64.0);
      QCOMPARE(p.layers[2].saturated_fraction, 0.0);
    }
    {
      // conv1 channel 0 reads one pixel and fires only above 2.8 standard deviations:
      // ~0.26% of the samples and positions, so nearly dead but not dead. Channel 1
      // fires above 1.0 (~16%): neither. Channel 2 never fires: dead, not "nearly".
      AlexNet relu(tiny_spec("nearly"));
      torch::NoGradGuard no_grad;
      auto* conv1 = relu->layer("conv1").as<torch::nn::Conv2d>();
      for (int channel : {0, 1}) {
        conv1->weight[channel].zero_();
        conv1->weight[channel][0][2][2] = 1.0;
      }
      conv1->bias[0] = -2.8;
      conv1->bias[1] = -1.0;
      conv1->bias[2] = -1e4;
      const torch::Tensor many = torch::randn({200, 3, 32, 32});
      EdgeBook edges;
      const ProbeResult p = probe_model(*relu, many, edges, 50);
      QCOMPARE(p.layers[0].dead_fraction, 1.0 / 16.0);
      QCOMPARE(p.layers[0].nearly_dead_fraction, 1.0 / 16.0);
    }
    {
      AlexNet tanh(tiny_spec("saturated", "tanh"));
      torch::NoGradGuard no_grad;
      auto* fc3 = tanh->layer("fc3").as<torch::nn::Linear>();
      fc3->weight.narrow(0, 0, 4).zero_();
      fc3->bias.narrow(0, 0, 4).fill_(10.0);  // tanh(10) > 0.99 always
      EdgeBook edges;
      const ProbeResult p = probe_model(*tanh, images, edges, 64);
      QCOMPARE(p.layers[2].saturated_fraction, 4.0 / 64.0);
      QCOMPARE(p.activation, std::string("tanh"));
      QCOMPARE(p.layers[2].activation.edges.front(), -1.0);
      QCOMPARE(p.layers[2].activation.edges.back(), 1.0);
    }
  }

  void histogramBinsStayFixedAcrossProbes() {
    AlexNet model(tiny_spec("bins"));
    const torch::Tensor images = torch::randn({50, 3, 32, 32});
    EdgeBook edges;
    const ProbeResult first = probe_model(*model, images, edges);
    {
      torch::NoGradGuard no_grad;
      for (auto& p : model->parameters()) p.mul_(5.0);  // activations now far larger
    }
    const ProbeResult second = probe_model(*model, images, edges);
    for (std::size_t i = 0; i < first.layers.size(); ++i) {
      QCOMPARE(second.layers[i].pre_activation.edges, first.layers[i].pre_activation.edges);
      QCOMPARE(second.layers[i].activation.edges, first.layers[i].activation.edges);
      std::int64_t a = 0, b = 0;
      for (auto n : first.layers[i].activation.counts) a += n;
      for (auto n : second.layers[i].activation.counts) b += n;
      QCOMPARE(a, b);  // values beyond the edges are kept in the end bins
    }
    QVERIFY(second.layers[2].activation.above > 0);
    // Weights: every weighted layer, the classifier too, each weight counted once, on fixed edges.
    QCOMPARE(int(first.weights.size()), int(model->layer_names().size()));
    for (std::size_t i = 0; i < first.weights.size(); ++i) {
      QCOMPARE(first.weights[i].layer, model->layer_names()[i]);
      QCOMPARE(second.weights[i].weights.edges, first.weights[i].weights.edges);
      for (const ProbeResult* p : {&first, &second}) {
        std::int64_t total = 0;
        for (auto n : p->weights[i].weights.counts) total += n;
        QCOMPARE(total, model->layer_weights(first.weights[i].layer).numel());
      }
      QVERIFY(second.weights[i].weights.above + second.weights[i].weights.below > 0);  // five times wider now
    }
  }

  void pauseResumeStopFromAnotherThread() {
    ExperimentConfig c = quick_config(dir("control").toStdString(), 100000);
    c.probe_every = 0;
    c.schedule = Schedule::Constant;
    RecordingObserver observer;
    Trainer trainer(c, observer);
    RunState final_state = RunState::Preparing;
    std::thread worker([&] { final_state = trainer.run(); });
    QTRY_VERIFY_WITH_TIMEOUT(observer.progress_count() > 10, 60000);

    trainer.pause();
    QTRY_VERIFY_WITH_TIMEOUT(trainer.paused(), 1000);
    QTest::qWait(300);  // let the iteration in flight finish
    const std::size_t at_pause = observer.progress_count();
    QTest::qWait(500);
    QCOMPARE(observer.progress_count(), at_pause);
    {
      std::lock_guard<std::mutex> lock(observer.mutex);
      QVERIFY(std::find(observer.states.begin(), observer.states.end(), RunState::Paused) != observer.states.end());
    }

    trainer.set_learning_rate(0.001);
    trainer.resume();
    QTRY_VERIFY_WITH_TIMEOUT(observer.progress_count() > at_pause + 40, 60000);
    trainer.stop();
    worker.join();
    QCOMPARE(final_state, RunState::Stopped);

    // The run folder is complete after a stop, and the new rate was used.
    const nlohmann::json results = read_json(dir("control/results.json"));
    QCOMPARE(results["variants"].size(), size_t(2));
    QVERIFY(QString::fromStdString(results["variants"][0]["note"].get<std::string>()).contains("stopped"));
    const int stopped_at = read_json(dir("control/checkpoints/latest.json"))["iteration"].get<int>();
    QVERIFY(QFile::exists(dir("control/checkpoints/%1/relu-net/model.pt").arg(stopped_at, 7, 10, QChar('0'))));
    const QStringList metrics = read_lines(dir("control/metrics.csv"));
    QVERIFY(metrics.size() > 3);
    QCOMPARE(metrics.last().split(',')[3].toDouble(), 0.001);
  }

  void aDivergingVariantIsStoppedAndTheOthersCarryOn() {
    ExperimentConfig c = quick_config(dir("diverge").toStdString(), 60);
    c.learning_rate_scales["tanh-net"] = 1e12;  // a learning rate no net survives
    c.variants[1] = tiny_spec("tanh-net", "relu");
    RecordingObserver observer;
    QCOMPARE(Trainer(c, observer).run(), RunState::Finished);
    QVERIFY(observer.said("tanh-net diverged"));
    const nlohmann::json results = read_json(dir("diverge/results.json"));
    QVERIFY(results["variants"][1]["diverged"].get<bool>());
    QVERIFY(results["variants"][1]["iterations"].get<int>() < 60);
    // The step whose loss was not finite: the one after the last it completed.
    QCOMPARE(results["variants"][1]["diverged_at"].get<int>(), results["variants"][1]["iterations"].get<int>() + 1);
    QVERIFY(results["variants"][0]["diverged_at"].is_null());
    QVERIFY(!results["variants"][0]["diverged"].get<bool>());
    QCOMPARE(results["variants"][0]["iterations"].get<int>(), 60);
    QVERIFY(results["variants"][0]["test_accuracy"].get<double>() > 0.3);
  }

  void sameSeedSameMetrics() {
    auto losses = [&](const QString& name, std::uint64_t seed) {
      ExperimentConfig c = quick_config(dir(name).toStdString(), 30);
      c.seed = seed;
      c.probe_every = 0;
      c.augment = true;
      RecordingObserver observer;
      Trainer(c, observer).run();
      // Timing columns differ from run to run; everything else must not.
      QStringList rows;
      for (const QString& line : read_lines(dir(name) + "/metrics.csv")) rows << line.section(',', 0, 3);
      return rows;
    };
    const QStringList a = losses("seed-a", 5), b = losses("seed-b", 5), other = losses("seed-c", 6);
    QCOMPARE(a.size(), 7);
    QCOMPARE(a, b);
    QVERIFY(a != other);
  }

  // bf16 (the default): where the CPU has AVX512-BF16 a large FC layer
  // multiplies in bf16 and the nets still learn; elsewhere the run says it is
  // float32. config.json keeps the setting either way.
  void bf16TrainsOrSaysWhyNot() {
    ExperimentConfig c = quick_config(dir("bf16").toStdString(), 120);
    QVERIFY(c.bf16);  // the default
    VariantSpec wide = tiny_spec("wide-net");
    // 2048 x 2048 weights: large enough for the bf16 products.
    wide.hidden_fc = {{"wide1", 2048}, {"wide2", 2048}};
    c.variants = {wide};
    c.optimizer = OptimizerKind::Adam;  // SGD at the tiny nets' rate leaves this one at chance
    c.learning_rate = 5e-4;
    c.probe_every = 0;
    RecordingObserver observer;
    QCOMPARE(Trainer(c, observer).run(), RunState::Finished);
    QVERIFY(observer.said("multiply in bf16") || observer.said("no AVX512-BF16"));
    QVERIFY(read_json(dir("bf16/config.json"))["bf16"].get<bool>());
    QCOMPARE(observer.results.size(), std::size_t(1));
    QVERIFY2(observer.results[0].test_accuracy > 0.5, qPrintable(QString::number(observer.results[0].test_accuracy)));

    c.out_dir = dir("float32").toStdString();
    c.bf16 = false;
    RecordingObserver float32;
    QCOMPARE(Trainer(c, float32).run(), RunState::Finished);
    QVERIFY(!float32.said("bfloat16"));
    QVERIFY(!read_json(dir("float32/config.json"))["bf16"].get<bool>());
    QVERIFY2(float32.results[0].test_accuracy > 0.5, qPrintable(QString::number(float32.results[0].test_accuracy)));
  }

  // The fused SGD and Adam the trainer uses: torch's arithmetic to float
  // rounding, torch's state (a step of either kind continues the other's
  // buffers), checkpoints that load into torch's optimizers, and torch's own
  // step for the settings the fused loop does not cover.
  void fusedOptimizersFollowTorchsAndShareItsState() {
    torch::manual_seed(7);
    // A 4096-element matrix spreads over both threads (grain 32768 is per tensor: make one larger).
    const std::vector<torch::Tensor> start = {torch::randn({300, 200}), torch::randn({200}), torch::randn({50000})};
    auto params_from = [&] {
      std::vector<torch::Tensor> ps;
      for (const auto& t : start) ps.push_back(t.clone().requires_grad_());
      return ps;
    };
    // The same gradients for both, from the parameters themselves.
    auto set_gradients = [](std::vector<torch::Tensor>& ps, int step) {
      for (auto& p : ps) p.mutable_grad() = (p.detach() * 0.3 + std::sin(step + 1.0)).sin();
    };
    auto max_difference = [](const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
      double worst = 0;
      for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, (a[i] - b[i]).abs().max().item<double>());
      return worst;
    };
    auto distance_moved = [&](const std::vector<torch::Tensor>& a) {
      double moved = 0;
      for (std::size_t i = 0; i < a.size(); ++i) moved = std::max(moved, (a[i] - start[i]).abs().max().item<double>());
      return moved;
    };
    const auto sgd_options = torch::optim::SGDOptions(0.05).momentum(0.9).weight_decay(5e-4);
    const auto adam_options = torch::optim::AdamOptions(1e-2).weight_decay(5e-4);

    auto check = [&](auto make_torch, auto make_fused, auto torch_step_of_fused, const char* name) {
      std::vector<torch::Tensor> reference = params_from(), fused = params_from();
      auto torch_opt = make_torch(reference);
      auto fused_opt = make_fused(fused);
      for (int step = 0; step < 6; ++step) {
        set_gradients(reference, step);
        set_gradients(fused, step);
        torch_opt->step();
        // Steps 3 and 4 by torch's own code on the fused optimizer's state.
        if (step == 3 || step == 4) torch_step_of_fused(*fused_opt);
        else fused_opt->step();
      }
      const double moved = distance_moved(reference);
      const double difference = max_difference(reference, fused);
      QVERIFY2(moved > 0.05, qPrintable(QString("%1 moved %2").arg(name).arg(moved)));
      QVERIFY2(difference < 1e-5, qPrintable(QString("%1: %2 from torch's").arg(name).arg(difference)));

      // A checkpoint of the fused optimizer loads into torch's, and the next steps agree.
      std::stringstream saved;
      torch::save(*fused_opt, saved);
      std::vector<torch::Tensor> resumed = params_from();
      for (std::size_t i = 0; i < resumed.size(); ++i) resumed[i].detach().copy_(fused[i].detach());
      auto resumed_opt = make_torch(resumed);
      torch::load(*resumed_opt, saved);
      set_gradients(fused, 6);
      set_gradients(resumed, 6);
      fused_opt->step();
      resumed_opt->step();
      QVERIFY2(max_difference(fused, resumed) < 1e-6, name);
    };
    check([&](auto& ps) { return std::make_unique<torch::optim::SGD>(ps, sgd_options); },
          [&](auto& ps) { return std::make_unique<FusedSGD>(ps, sgd_options); },
          [](FusedSGD& o) { o.torch::optim::SGD::step(); }, "SGD");
    check([&](auto& ps) { return std::make_unique<torch::optim::Adam>(ps, adam_options); },
          [&](auto& ps) { return std::make_unique<FusedAdam>(ps, adam_options); },
          [](FusedAdam& o) { o.torch::optim::Adam::step(); }, "Adam");
    // Nesterov is not fused: torch's step, exactly.
    auto nesterov = torch::optim::SGDOptions(0.05).momentum(0.9).nesterov(true);
    check([&](auto& ps) { return std::make_unique<torch::optim::SGD>(ps, nesterov); },
          [&](auto& ps) { return std::make_unique<FusedSGD>(ps, nesterov); },
          [](FusedSGD& o) { o.torch::optim::SGD::step(); }, "SGD with Nesterov");

    // release_gradients: backward then leaves exactly the new gradient (not one added to an old).
    std::vector<torch::Tensor> ps = params_from();
    FusedSGD opt(ps, sgd_options);
    (ps[0].sum() * 2).backward();
    release_gradients(opt);
    for (const auto& p : ps) QVERIFY(!p.grad().defined());
    (ps[0].sum() * 3).backward();
    QCOMPARE(ps[0].grad().min().item<double>(), 3.0);
    QCOMPARE(ps[0].grad().max().item<double>(), 3.0);
  }

  // A step's variants in rounds: the costliest first, as many side by side
  // as there are lanes; with one lane, one after the other.
  void roundsPutTheCostliestVariantsSideBySide() {
    using Rounds = std::vector<std::vector<std::size_t>>;
    QVERIFY(plan_rounds({20, 20, 3}, 2) == (Rounds{{0, 1}, {2}}));
    QVERIFY(plan_rounds({3, 20, 20}, 2) == (Rounds{{1, 2}, {0}}));
    QVERIFY(plan_rounds({1, 5, 3, 4}, 2) == (Rounds{{1, 3}, {2, 0}}));
    QVERIFY(plan_rounds({20, 20, 3}, 1) == (Rounds{{0}, {1}, {2}}));
    QVERIFY(plan_rounds({20, 20, 3}, 3) == (Rounds{{0, 1, 2}}));
    QVERIFY(plan_rounds({}, 2).empty());
  }

  // Each lane is its own thread with its share of the cores; a round's jobs
  // run at the same time; a failure reaches the caller and the lanes go on.
  void lanesRunARoundsJobsAtOnceOnTheirOwnThreads() {
    VariantLanes lanes(2, 3);
    QCOMPARE(lanes.lanes(), 2);
    QCOMPARE(lanes.threads_per_lane(), 1);
    std::atomic<int> arrived{0};
    std::array<bool, 2> met{};
    std::array<int, 2> intra_op{};
    std::array<std::thread::id, 2> where{};
    auto job = [&](std::size_t k) {
      return [&, k] {
        where[k] = std::this_thread::get_id();
        intra_op[k] = at::get_num_threads();
        (void)torch::mm(torch::ones({256, 256}), torch::ones({256, 256}));  // a BLAS call on one thread
        ++arrived;
        // Both jobs are running at once only if each sees the other arrive.
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (arrived < 2 && std::chrono::steady_clock::now() < until) std::this_thread::yield();
        met[k] = arrived == 2;
      };
    };
    lanes.run({job(0), job(1)});
    QVERIFY(met[0] && met[1]);
    QVERIFY(where[0] != where[1]);
    QVERIFY(where[0] != std::this_thread::get_id() && where[1] != std::this_thread::get_id());
    QCOMPARE(intra_op[0], 1);
    QCOMPARE(intra_op[1], 1);

    QString failure;
    try {
      lanes.run({[] {}, [] { throw std::runtime_error("lane failed"); }});
    } catch (const std::runtime_error& e) {
      failure = e.what();
    }
    QCOMPARE(failure, QString("lane failed"));
    std::atomic<int> ran{0};
    lanes.run({[&] { ++ran; }, [&] { ++ran; }});
    QCOMPARE(ran.load(), 2);

    // Rounds with fewer jobs than lanes, back to back: the idle lane must
    // sit them out, however late it wakes.
    VariantLanes three(3, 3);
    QCOMPARE(three.lanes(), 3);
    std::atomic<int> steps{0};
    for (int round = 0; round < 2000; ++round) three.run({[&] { ++steps; }, [&] { ++steps; }});
    QCOMPARE(steps.load(), 4000);

    VariantLanes one(1, 3);  // one thread: no lanes of its own, the caller runs the job
    QCOMPARE(one.lanes(), 1);
    std::thread::id ran_on;
    one.run({[&] { ran_on = std::this_thread::get_id(); }});
    QCOMPARE(ran_on, std::this_thread::get_id());
  }

  // While training, subnormal results and inputs are zero, in this thread
  // and in libtorch's parallel kernels; afterwards they are back.
  void subnormalsAreFlushedWhileTrainingOnly() {
    torch::set_num_threads(2);
    volatile float tiny = 1e-30f, scale = 1e-10f;                    // volatile: multiplied at run time
    const torch::Tensor subnormal = torch::full({1 << 20}, 1e-40f);  // filled, not computed
    QVERIFY(tiny * scale != 0.0f);
    {
      const SubnormalsFlushed flushed(2);
      QCOMPARE(tiny * scale, 0.0f);
      QCOMPARE((subnormal + 0.0f).count_nonzero().item<std::int64_t>(), std::int64_t(0));
      QCOMPARE((torch::full({1 << 20}, 1e-30f) * 1e-10f).count_nonzero().item<std::int64_t>(), std::int64_t(0));
    }
    QVERIFY(tiny * scale != 0.0f);
    QCOMPARE((subnormal + 0.0f).count_nonzero().item<std::int64_t>(), std::int64_t(1) << 20);
  }

  // With two threads the two variants train side by side, one thread each,
  // and give exactly what they give one after the other on one thread: each
  // keeps to its own state and draws its own dropout masks.
  void variantsSideBySideTrainAsOneAfterTheOther() {
    auto losses = [&](const QString& name, int threads, RecordingObserver& observer) {
      ExperimentConfig c = quick_config(dir(name).toStdString(), 30);
      c.threads = threads;
      c.probe_every = 0;
      for (VariantSpec& v : c.variants) v.dropout = 0.5;
      Trainer(c, observer).run();
      QStringList rows;
      for (const QString& line : read_lines(dir(name) + "/metrics.csv")) rows << line.section(',', 0, 3);
      return rows;
    };
    RecordingObserver in_turn, side_by_side;
    const QStringList one_thread = losses("in-turn", 1, in_turn);
    const QStringList two_threads = losses("side-by-side", 2, side_by_side);
    QVERIFY(!in_turn.said("side by side"));
    QVERIFY(side_by_side.said("training relu-net and tanh-net side by side, 1 thread each"));
    QCOMPARE(one_thread.size(), 7);
    QCOMPARE(two_threads, one_thread);
  }

  void badSettingsAndUnwritableFoldersFailWithAMessage() {
    ExperimentConfig c = quick_config(dir("bad").toStdString());
    c.batch_size = 0;
    RecordingObserver observer;
    QCOMPARE(Trainer(c, observer).run(), RunState::Failed);
    QVERIFY(observer.said("batch must be between"));

    QFile blocker(dir("a-file"));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    ExperimentConfig unwritable = quick_config(dir("a-file/run").toStdString());
    RecordingObserver observer2;
    QCOMPARE(Trainer(unwritable, observer2).run(), RunState::Failed);
    QVERIFY(observer2.said("cannot create the run folder"));
  }
};

QTEST_GUILESS_MAIN(TestTrain)
#include "test_train.moc"
