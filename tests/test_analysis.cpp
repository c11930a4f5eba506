// The findings engine on crafted runs: each kind fires where its fault is, with
// the iterations, severity, evidence and settings a user acts on, and stays
// quiet on a healthy run; findings.jsonl reads back (last line per key wins)
// and refuses damage by line.
#include <QtTest>

#include <cmath>
#include <nlohmann/json.hpp>

#include "analysis/findings_engine.h"
#include "analysis/repair.h"
#include "run/findings_file.h"
#include "spec/presets.h"
#include "run/run_reader.h"

using namespace alexnet;

namespace {

constexpr double kLn10 = 2.302585092994046;

FindingsContext context(std::int64_t iterations = 2400) {
  FindingsContext c;
  c.classes = 10;
  c.iterations = iterations;
  c.learning_rate = 5e-4;
  c.optimizer = "adam";
  c.init = "kaiming";
  c.schedule = "warmup-linear";
  c.weight_decay = 5e-4;
  c.batch_size = 64;
  c.activations = {{"original", "relu"}, {"tanh", "tanh"}, {"small", "relu"}};
  return c;
}

RecordPoint record(const std::string& variant, std::int64_t iteration, double loss, double validation_loss = NAN,
                   double validation_accuracy = NAN) {
  RecordPoint p;
  p.variant = variant;
  p.iteration = iteration;
  p.train_loss = loss;
  p.validation_loss = validation_loss;
  p.validation_accuracy = validation_accuracy;
  return p;
}

ProbeResult probe(const std::string& variant, std::int64_t iteration, double fc7_fraction, double validation_loss = NAN,
                  double validation_accuracy = NAN, const std::string& activation = "relu") {
  ProbeResult p;
  p.variant = variant;
  p.iteration = iteration;
  p.activation = activation;
  p.validation_loss = validation_loss;
  p.validation_accuracy = validation_accuracy;
  for (const char* name : {"conv1", "fc6", "fc7"}) {
    LayerProbe l;
    l.name = name;
    l.units = std::string(name) == "conv1" ? 100 : 4096;
    const double f = std::string(name) == "fc7" ? fc7_fraction : 0.02;
    (activation == "tanh" ? l.saturated_fraction : l.dead_fraction) = f;
    p.layers.push_back(l);
  }
  return p;
}

// A run of `variant` every 100 iterations to `end`: loss(i), validation(i) and fc7's fraction(i).
template <typename Loss, typename Validation, typename Fraction>
std::vector<Finding> run(FindingsEngine& engine, const std::string& variant, std::int64_t end, Loss loss,
                         Validation validation, Fraction fraction, const std::string& activation = "relu") {
  std::vector<Finding> all;
  auto keep = [&](const std::vector<Finding>& found) { all.insert(all.end(), found.begin(), found.end()); };
  keep(engine.on_probe(probe(variant, 0, fraction(0), kLn10, 0.1, activation)));
  for (std::int64_t i = 100; i <= end; i += 100) {
    const auto [vloss, vacc] = validation(i);
    keep(engine.on_probe(probe(variant, i, fraction(i), vloss, vacc, activation)));
    keep(engine.on_record(record(variant, i, loss(i), vloss, vacc)));
  }
  return all;
}

const Finding* find(const std::vector<Finding>& findings, const std::string& kind, const std::string& variant = {}) {
  for (const Finding& f : findings) {
    if (f.kind == kind && (variant.empty() || f.variant == variant)) return &f;
  }
  return nullptr;
}

int serious(const std::vector<Finding>& findings) {
  int n = 0;
  for (const Finding& f : findings) n += f.severity != Severity::Info;
  return n;
}

// A healthy curve: from 1.5 towards 0.5, validation following.
double healthy_loss(std::int64_t i) { return 0.5 + 1.0 * std::exp(-double(i) / 600.0); }
std::pair<double, double> healthy_validation(std::int64_t i) {
  return {0.3 + 0.4 * std::exp(-double(i) / 600.0), 0.91 - 0.1 * std::exp(-double(i) / 600.0)};
}

// Gradient measurements of conv1, conv2, fc7, fc8 at a record: gradient norms and update ratios.
GradientRecord gradients(const std::string& variant, std::int64_t iteration, std::vector<double> norms,
                         std::vector<double> ratios) {
  GradientRecord g;
  g.variant = variant;
  g.iteration = iteration;
  const char* names[] = {"conv1", "conv2", "fc7", "fc8"};
  for (std::size_t k = 0; k < norms.size(); ++k) g.layers.push_back({names[k], norms[k], 10.0, ratios[k]});
  return g;
}

// Records every 100 iterations to `end` at `rate` with a healthy loss, each followed by gradients(i).
template <typename Gradients>
std::vector<Finding> run_measured(FindingsEngine& engine, std::int64_t end, Gradients measure, double rate = 5e-4) {
  std::vector<Finding> all;
  for (std::int64_t i = 100; i <= end; i += 100) {
    RecordPoint r = record("small", i, healthy_loss(i));
    r.learning_rate = rate;
    for (const auto& found : {engine.on_record(r), engine.on_gradients(measure(i))})
      all.insert(all.end(), found.begin(), found.end());
  }
  return all;
}

const std::vector<double> kHealthyNorms{0.6, 1.2, 0.5, 0.4}, kHealthyRatios{1e-3, 2e-3, 1.5e-3, 8e-4};

}  // namespace

class TestAnalysis : public QObject {
  Q_OBJECT

 private slots:
  void aHealthyRunRaisesNothing() {
    FindingsEngine engine(context());
    std::vector<Finding> all = engine.start();
    for (const char* v : {"original", "small"}) {
      const auto found = run(engine, v, 2400, healthy_loss, healthy_validation, [](std::int64_t) { return 0.05; });
      all.insert(all.end(), found.begin(), found.end());
    }
    QCOMPARE(serious(all), 0);
    QCOMPARE(serious(engine.findings()), 0);
  }

  void theReportsInitIsNotLearningWithFc7Dead() {
    FindingsEngine engine(context());
    run(
        engine, "original", 2000, [](std::int64_t) { return 2.3026; },
        [](std::int64_t) {
          return std::pair{2.3026, 0.1};
        },
        [](std::int64_t i) { return i >= 200 ? 1.0 : 0.3; });
    const Finding* stuck = find(engine.findings(), "not_learning");
    QVERIFY(stuck);
    QCOMPARE(stuck->severity, Severity::Problem);
    QCOMPARE(stuck->first_iteration, std::int64_t(0));
    QCOMPARE(stuck->last_iteration, std::int64_t(2000));
    QVERIFY2(QString::fromStdString(stuck->evidence).contains("ln 10 = 2.30"), stuck->evidence.c_str());
    const Finding* dead = find(engine.findings(), "dead_layer");
    QVERIFY(dead);
    QCOMPARE(QString::fromStdString(dead->layer), QString("fc7"));
    QCOMPARE(dead->first_iteration, std::int64_t(200));
    QCOMPARE(dead->last_iteration, std::int64_t(2000));
    QCOMPARE(dead->severity, Severity::Problem);
    QCOMPARE(dead->found_iteration, std::int64_t(300));  // at the second probe in a row
    QVERIFY2(QString::fromStdString(dead->evidence).startsWith("fc7: 100 % of its 4,096 units dead"),
             dead->evidence.c_str());
    // Ordered repairs a user can type.
    const nlohmann::json settings = nlohmann::json::parse(dead->settings);
    QVERIFY(settings.is_array() && settings.size() >= 2);
    QCOMPARE(settings[0].begin().key(), std::string("lr"));
    QVERIFY(std::abs(settings[0]["lr"].get<double>() - 5e-5) < 1e-12);
  }

  void healthyGradientsRaiseNothing() {
    FindingsEngine engine(context());
    const auto all =
        run_measured(engine, 2400, [](std::int64_t i) { return gradients("small", i, kHealthyNorms, kHealthyRatios); });
    QCOMPARE(serious(all), 0);
  }

  void gradientsVanishingOnTheWayDownAreNamedByLayer() {
    FindingsEngine engine(context());
    // conv1 and conv2 get a ten-thousandth of fc7's gradient from iteration 300 on.
    run_measured(engine, 1000, [](std::int64_t i) {
      return gradients("small", i, i < 300 ? kHealthyNorms : std::vector<double>{1e-4, 2e-4, 1.0, 0.8}, kHealthyRatios);
    });
    const Finding* f = find(engine.findings(), "vanishing_gradient");
    QVERIFY(f);
    QCOMPARE(f->layer, std::string("conv2"));
    QCOMPARE(f->first_iteration, std::int64_t(300));
    QCOMPARE(f->last_iteration, std::int64_t(1000));
    QCOMPARE(f->severity, Severity::Warning);
    QVERIFY2(f->evidence.find("conv1 to conv2") != std::string::npos, f->evidence.c_str());
    QVERIFY2(f->evidence.find("fc7") != std::string::npos, f->evidence.c_str());
  }

  void noGradientAnywhereIsAProblem() {
    FindingsEngine engine(context());
    run_measured(engine, 500, [](std::int64_t i) { return gradients("small", i, {0, 0, 0, 0}, kHealthyRatios); });
    const Finding* f = find(engine.findings(), "vanishing_gradient");
    QVERIFY(f);
    QCOMPARE(f->severity, Severity::Problem);
    QCOMPARE(f->first_iteration, std::int64_t(100));
    QVERIFY2(f->evidence.find("no gradient reaches any layer") != std::string::npos, f->evidence.c_str());
  }

  void anExplodingGradientIsFoundAtItsRecord() {
    FindingsEngine engine(context());
    run_measured(engine, 800, [](std::int64_t i) {
      std::vector<double> norms = kHealthyNorms;
      if (i >= 600) norms[1] = 1.2e4;  // conv2: ten thousand times its first measurement
      if (i == 800) norms[2] = NAN;
      return gradients("small", i, norms, kHealthyRatios);
    });
    const Finding* f = find(engine.findings(), "exploding_gradient");
    QVERIFY(f);
    QCOMPARE(f->layer, std::string("conv2"));
    QCOMPARE(f->first_iteration, std::int64_t(600));
    QCOMPARE(f->last_iteration, std::int64_t(800));
    QCOMPARE(f->found_iteration, std::int64_t(600));
    QCOMPARE(f->severity, Severity::Problem);
    QVERIFY(nlohmann::json::parse(f->settings).at(0).contains("lr"));
  }

  void aVanishedGradientThatWobblesIsNotExploding() {
    FindingsEngine engine(context());
    // conv1's gradient grows from 1e-9 to 2e-5, twenty-thousandfold, but stays far below the other layers'
    // (a tanh net saturating at SGD 0.5 does so in the fault benchmark).
    run_measured(engine, 800, [](std::int64_t i) {
      std::vector<double> norms = kHealthyNorms;
      norms[0] = i < 400 ? 1e-9 : 2e-5;
      return gradients("small", i, norms, kHealthyRatios);
    });
    QVERIFY(!find(engine.findings(), "exploding_gradient"));
    QVERIFY(find(engine.findings(), "vanishing_gradient"));
  }

  void largeStepsSayTheRateIsTooHigh() {
    FindingsContext c = context();
    c.optimizer = "sgd";
    c.learning_rate = 0.5;
    FindingsEngine engine(c);
    run_measured(
        engine, 600,
        [](std::int64_t i) {
          return gradients("small", i, kHealthyNorms,
                           i >= 300 ? std::vector<double>{0.2, 0.3, 0.1, 0.08} : kHealthyRatios);
        },
        0.5);
    const Finding* f = find(engine.findings(), "lr_too_high");
    QVERIFY(f);
    QCOMPARE(f->first_iteration, std::int64_t(300));
    QCOMPARE(f->severity, Severity::Warning);
    QCOMPARE(nlohmann::json::parse(f->settings).at(0).at("lr").get<double>(), 0.05);
  }

  void tinyStepsSayTheRateIsTooLowAndHowMuchHigher() {
    FindingsContext c = context();
    c.learning_rate = 1e-7;
    FindingsEngine engine(c);
    run_measured(
        engine, 600,
        [](std::int64_t i) {
          return gradients("small", i, kHealthyNorms, {1e-6, 2e-6, 1.5e-6, 8e-7});
        },
        1e-7);
    const Finding* f = find(engine.findings(), "lr_too_low");
    QVERIFY(f);
    QCOMPARE(f->first_iteration, std::int64_t(100));
    // To steps of about 1e-3 of the weights: 500 times the rate.
    QCOMPARE(nlohmann::json::parse(f->settings).at(0).at("lr").get<double>(), 5e-5);
  }

  void aScheduleDecayingToZeroIsNotARateTooLow() {
    FindingsEngine engine(context());
    // A cosine tail: the steps shrink with the rate, which is not a fault.
    std::vector<Finding> all;
    for (std::int64_t i = 100; i <= 2400; i += 100) {
      const double rate = 5e-4 * 0.5 * (1 + std::cos(M_PI * double(i) / 2400));
      RecordPoint r = record("small", i, healthy_loss(i));
      r.learning_rate = rate;
      engine.on_record(r);
      const double scale = rate / 5e-4;
      engine.on_gradients(
          gradients("small", i, kHealthyNorms, {1e-3 * scale, 2e-3 * scale, 1e-3 * scale, 8e-4 * scale}));
    }
    QCOMPARE(serious(engine.findings()), 0);
  }

  void thePapersInitComesFirstInTheRepairs() {
    FindingsContext c = context();
    c.init = "paper";
    c.optimizer = "sgd";
    c.learning_rate = 0.01;
    FindingsEngine engine(c);
    run(
        engine, "original", 1000, [](std::int64_t) { return 2.30; },
        [](std::int64_t) {
          return std::pair{2.30, 0.1};
        },
        [](std::int64_t) { return 1.0; });
    const Finding* stuck = find(engine.findings(), "not_learning");
    QVERIFY(stuck);
    const nlohmann::json settings = nlohmann::json::parse(stuck->settings);
    QCOMPARE(settings[0]["init"].get<std::string>(), std::string("kaiming"));
    QVERIFY(QString::fromStdString(stuck->suggestion).startsWith("try --init kaiming, then --lr 0.001"));
  }

  void aNaNIsFoundAtTheIterationItAppears() {
    FindingsEngine engine(context());
    engine.on_record(record("small", 100, 1.2));
    const std::vector<Finding> found = engine.on_divergence("small", 137, "NaN");
    QCOMPARE(int(found.size()), 1);
    QCOMPARE(QString::fromStdString(found[0].kind), QString("diverged"));
    QCOMPARE(found[0].first_iteration, std::int64_t(137));
    QCOMPARE(found[0].found_iteration, std::int64_t(137));  // at the step it appeared
    QCOMPARE(found[0].severity, Severity::Problem);
    QVERIFY(QString::fromStdString(found[0].evidence).contains("became NaN at iteration 137"));
    // Offline, the same from the result's note.
    FindingsEngine offline(context());
    VariantResult r;
    r.variant = "small";
    r.diverged = true;
    r.iterations = 136;
    r.note = "diverged: the loss became NaN at iteration 137; this variant was stopped";
    offline.on_result(r);
    QVERIFY(find(offline.findings(), "diverged"));
    QCOMPARE(find(offline.findings(), "diverged")->first_iteration, std::int64_t(137));
  }

  void aLossFarAboveItsBestHasDiverged() {
    FindingsEngine engine(context());
    const double losses[] = {1.5, 1.0, 0.8, 0.9, 6.5, 40.0};
    for (int k = 0; k < 6; ++k) engine.on_record(record("original", 100 * (k + 1), losses[k]));
    const Finding* f = find(engine.findings(), "diverged");
    QVERIFY(f);
    QCOMPARE(f->first_iteration, std::int64_t(500));
    QCOMPARE(f->last_iteration, std::int64_t(600));
  }

  void aPlateauLongBeforeTheEndIsNoted() {
    FindingsEngine engine(context());
    run(
        engine, "small", 2400, [](std::int64_t i) { return i < 600 ? 1.5 - double(i) / 1000 : 0.9; },
        healthy_validation, [](std::int64_t) { return 0.0; });
    const Finding* f = find(engine.findings(), "plateau");
    QVERIFY(f);
    QCOMPARE(f->severity, Severity::Info);
    QVERIFY2(f->first_iteration >= 500 && f->first_iteration <= 700, qPrintable(QString::number(f->first_iteration)));
    QCOMPARE(f->last_iteration, std::int64_t(2400));
  }

  void anOscillatingLossIsAWarning() {
    FindingsEngine engine(context());
    run(
        engine, "tanh", 1600, [](std::int64_t i) { return (i / 100) % 2 ? 1.9 : 1.1; }, healthy_validation,
        [](std::int64_t) { return 0.0; }, "tanh");
    const Finding* f = find(engine.findings(), "oscillation");
    QVERIFY(f);
    QCOMPARE(f->severity, Severity::Warning);
    QCOMPARE(f->first_iteration, std::int64_t(100));
    QVERIFY(nlohmann::json::parse(f->settings)[0].contains("lr"));
  }

  void saturatedTanhUnitsAreFound() {
    FindingsEngine engine(context());
    run(
        engine, "tanh", 1000, healthy_loss, healthy_validation, [](std::int64_t i) { return i >= 300 ? 0.7 : 0.1; },
        "tanh");
    const Finding* f = find(engine.findings(), "saturated_layer");
    QVERIFY(f);
    QCOMPARE(f->first_iteration, std::int64_t(300));
    QCOMPARE(f->severity, Severity::Warning);
    QVERIFY(!find(engine.findings(), "dead_layer"));  // a tanh unit does not die
  }

  void aSingleProbeIsNotEnough() {
    FindingsEngine engine(context());
    run(engine, "small", 1000, healthy_loss, healthy_validation, [](std::int64_t i) { return i == 500 ? 1.0 : 0.0; });
    QVERIFY(!find(engine.findings(), "dead_layer"));
  }

  void overfittingIsValidationLossRisingWhileTrainingFalls() {
    FindingsEngine engine(context());
    run(
        engine, "original", 2400, healthy_loss,
        [](std::int64_t i) {
          const double loss = i <= 800 ? 0.7 - 0.0004 * double(i) : 0.38 + 0.0003 * double(i - 800);
          return std::pair{loss, 0.85};
        },
        [](std::int64_t) { return 0.0; });
    const Finding* f = find(engine.findings(), "overfitting");
    QVERIFY(f);
    QCOMPARE(f->first_iteration, std::int64_t(800));
    QCOMPARE(f->last_iteration, std::int64_t(2400));
    QVERIFY2(QString::fromStdString(f->evidence).contains("validation loss rose from 0.380 at iteration 800"),
             f->evidence.c_str());
    QCOMPARE(nlohmann::json::parse(f->settings)[0]["iterations"].get<int>(), 800);
    QVERIFY(nlohmann::json::parse(f->settings)[1]["early-stop"].get<int>() > 0);
  }

  void memorisingIsTrainingWellWithValidationAtChance() {
    FindingsEngine engine(context());
    run(
        engine, "small", 1500, [](std::int64_t i) { return std::max(0.3, 2.3 - 0.003 * double(i)); },
        [](std::int64_t) {
          return std::pair{3.5, 0.11};
        },
        [](std::int64_t) { return 0.0; });
    const Finding* f = find(engine.findings(), "memorising");
    QVERIFY(f);
    QCOMPARE(f->severity, Severity::Problem);
    QVERIFY2(QString::fromStdString(f->evidence).contains("11.0 % (chance: 10.0 %)"), f->evidence.c_str());
  }

  void unbalancedLabelsAreAWarning() {
    FindingsContext c = context();
    c.train_class_counts = {6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 500};
    c.class_names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                     "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    FindingsEngine engine(c);
    const std::vector<Finding> found = engine.start();
    QCOMPARE(int(found.size()), 1);
    QCOMPARE(QString::fromStdString(found[0].kind), QString("class_imbalance"));
    QVERIFY(QString::fromStdString(found[0].evidence).contains("Ankle boot 500"));
    c.train_class_counts = {6000, 5000, 4000};
    QVERIFY(FindingsEngine(c).start().empty());
    // A set small enough to learn by heart: 20 images a class, 400 iterations of 64.
    c.train_class_counts = std::vector<std::int64_t>(10, 20);
    c.iterations = 400;
    const std::vector<Finding> small = FindingsEngine(c).start();
    QCOMPARE(int(small.size()), 1);
    QCOMPARE(QString::fromStdString(small[0].kind), QString("small_training_set"));
    QVERIFY2(QString::fromStdString(small[0].evidence)
                 .contains("200 images, 20 of T-shirt/top; the run sees each image about 128 times"),
             small[0].evidence.c_str());
  }

  void variantsAreRelated() {
    FindingsEngine engine(context());
    run(
        engine, "tanh", 2400, [](std::int64_t i) { return 0.5 + 1.0 * std::exp(-double(i) / 300.0); },
        healthy_validation, [](std::int64_t) { return 0.0; }, "tanh");
    run(engine, "original", 2400, healthy_loss, healthy_validation, [](std::int64_t) { return 0.0; });
    VariantResult original, small;
    original.variant = "original";
    original.test_accuracy = 0.907;
    original.parameters = 20719918;
    original.iterations = 2400;
    small.variant = "small";
    small.test_accuracy = 0.9014;
    small.parameters = 2644234;
    small.iterations = 2400;
    engine.on_result(original);
    engine.on_result(small);
    engine.finish();
    QStringList comparisons;
    for (const Finding& f : engine.findings()) {
      if (f.kind == "comparison") comparisons << QString::fromStdString(f.evidence);
    }
    QVERIFY2(comparisons
                     .filter(QRegularExpression(
                         "^tanh learns fastest: training loss .* reached by tanh at .* and original at "))
                     .size() == 1,
             qPrintable(comparisons.join(" | ")));
    QVERIFY2(comparisons.contains("small is within 0.56 points of original's test accuracy with 1/8 of its parameters "
                                  "(2,644,234 against 20,719,918)"),
             qPrintable(comparisons.join(" | ")));
  }

  // A finding that lasts is updated under its key, not repeated.
  void aLastingFindingIsUpdatedNotRepeated() {
    FindingsEngine engine(context());
    const std::vector<Finding> found = run(
        engine, "original", 1000, [](std::int64_t) { return 2.30; },
        [](std::int64_t) {
          return std::pair{2.30, 0.1};
        },
        [](std::int64_t) { return 1.0; });
    int dead_lines = 0;
    for (const Finding& f : found) dead_lines += f.kind == "dead_layer";
    QVERIFY(dead_lines > 1);  // emitted as it grew
    int dead_kept = 0;
    for (const Finding& f : engine.findings()) dead_kept += f.kind == "dead_layer";
    QCOMPARE(dead_kept, 1);
    // findings.jsonl holds every emitted line; reading keeps the last of each key.
    std::string text;
    for (const Finding& f : found) text += finding_to_json(f).dump() + "\n";
    std::vector<std::string> warnings;
    const std::vector<Finding> read = parse_findings(text, "findings.jsonl", &warnings);
    QVERIFY(warnings.empty());
    QCOMPARE(read.size(), engine.findings().size());
    for (std::size_t i = 0; i < read.size(); ++i) {
      QCOMPARE(read[i].last_iteration, engine.findings()[i].last_iteration);
      QCOMPARE(read[i].evidence, engine.findings()[i].evidence);
      QCOMPARE(read[i].settings, nlohmann::json::parse(engine.findings()[i].settings).dump());
    }
  }

  // "Try the fix": the first repair applied to the run's settings, a new run folder; bad settings refused by name.
  void aRepairAppliesToTheExperiment() {
    ExperimentConfig c;
    c.variants = {resolve_variant("original", 64, 10)};
    c.out_dir = "/runs/old";
    c.init = InitScheme::Paper;
    const std::string settings = R"([{"init": "kaiming", "lr": 0.001}, {"original.activation": "leaky_relu"}])";
    const ExperimentConfig first = apply_repair(c, settings);
    QCOMPARE(first.init, InitScheme::Kaiming);
    QCOMPARE(first.learning_rate, 0.001);
    QVERIFY(first.out_dir.empty());
    QCOMPARE(apply_repair(c, settings, 1).variants[0].activation, Activation::LeakyReLU);
    QCOMPARE(QString::fromStdString(describe_repair(settings)), QString("--init kaiming --lr 0.001"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, apply_repair(c, R"([{"colour": "red"}])"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, apply_repair(c, R"([{"lr": "fast"}])"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, apply_repair(c, R"([{"lr": -1}])"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, apply_repair(c, R"([{"tanh.activation": "tanh"}])"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, apply_repair(c, "[]"));
  }

  void theJsonSchemaAndDamagedLines() {
    Finding f;
    f.kind = "dead_layer";
    f.variant = "original";
    f.layer = "fc7";
    f.first_iteration = 200;
    f.last_iteration = 2000;
    f.severity = Severity::Problem;
    f.evidence = "fc7: 100 % dead";
    f.suggestion = "try --lr 5e-05";
    f.settings = R"([{"lr":5e-05}])";
    const nlohmann::json j = finding_to_json(f);
    for (const char* key : {"kind", "variant", "layer", "first_iteration", "last_iteration", "found_iteration",
                            "severity", "evidence", "suggestion", "settings"}) {
      QVERIFY2(j.contains(key), key);
    }
    QCOMPARE(j.size(), std::size_t(10));
    QCOMPARE(j["severity"].get<std::string>(), std::string("problem"));
    QVERIFY(j["settings"].is_array());
    std::vector<std::string> warnings;
    const std::string text =
        j.dump() + "\n{\"kind\": 3}\nnot json\n" +
        R"({"kind":"x","variant":"","layer":"","first_iteration":1e300,"last_iteration":0,"severity":"info","evidence":"","suggestion":"","settings":[]})" +
        "\n" +
        R"({"kind":"x","variant":"","layer":"","first_iteration":0,"last_iteration":0,"severity":"dire","evidence":"","suggestion":"","settings":[]})" +
        "\n";
    const std::vector<Finding> read = parse_findings(text, "run/findings.jsonl", &warnings);
    QCOMPARE(int(read.size()), 1);
    QCOMPARE(int(warnings.size()), 4);
    QVERIFY(QString::fromStdString(warnings[0]).startsWith("run/findings.jsonl: line 2 is damaged"));
  }
};

QTEST_GUILESS_MAIN(TestAnalysis)
#include "test_analysis.moc"
