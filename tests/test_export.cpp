// ONNX export as a user relies on it: every preset and every activation gives a
// file that the ONNX checker accepts and that a runtime other than ours
// (OpenCV's DNN module) runs to the same logits as libtorch; pictures are
// prepared as in training; `export --onnx` and `classify` work end to end and
// refuse bad input naming the file.
#include <QtTest>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "model/alexnet_model.h"
#include "analysis/test_images.h"
#include "inference/run_classifier.h"
#include "run/run_reader.h"
#include "data/batch_stream.h"
#include "cli_runner.h"
#include "data/dataset.h"
#include "export/onnx_export.h"
#include "export/onnx_runner.h"
#include "export/picture_input.h"
#include "spec/presets.h"
#include "spec/spec_json.h"

using namespace alexnet;

namespace {

// Two conv blocks with LRN and pooling, two FC layers: every op of the export at input 32.
VariantSpec activation_spec(const std::string& activation) {
  const nlohmann::json j = {
      {"name", activation + "-net"},
      {"input_size", 32},
      {"activation", activation},
      {"conv",
       {{{"name", "conv1"},
         {"filters", 12},
         {"kernel", 5},
         {"stride", 2},
         {"padding", 2},
         {"lrn", true},
         {"pool", true}},
        {{"name", "conv2"}, {"filters", 16}, {"kernel", 3}, {"padding", 1}, {"lrn", true}, {"pool", true}}}},
      {"fc", {{{"name", "fc3"}, {"units", 48}}, {{"name", "fc4"}, {"units", 24}}}}};
  return spec_from_json(j, activation);
}

std::vector<float> to_vector(const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

bool write_bytes(const QString& path, const QByteArray& bytes) {
  QFile f(path);
  return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

QJsonObject read_json(const QString& text) { return QJsonDocument::fromJson(text.toUtf8()).object(); }

}  // namespace

class TestExport : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString run_;       // a small variant trained on the synthetic set
  QString onnx_dir_;  // its export
  QStringList pictures_;
  std::vector<std::int64_t> picture_labels_;
  std::vector<int> classify_classes_;  // what `classify RUN_DIR` said for each of pictures_

 private slots:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    torch::set_num_threads(2);
  }

  void everyPresetAndActivationRunsInOpenCvLikeLibtorch_data() {
    QTest::addColumn<QString>("name");
    for (const char* preset : {"original", "tanh", "small", "no-conv2", "no-conv345", "one-fc"})
      QTest::newRow(preset) << preset;
    for (const char* activation : {"relu", "tanh", "leaky_relu", "elu", "gelu"}) {
      QTest::newRow(activation) << QString("activation:") + activation;
    }
  }

  void everyPresetAndActivationRunsInOpenCvLikeLibtorch() {
    QFETCH(QString, name);
    const VariantSpec spec = name.startsWith("activation:") ? activation_spec(name.mid(11).toStdString())
                                                            : resolve_variant(name.toStdString(), 64, 10);
    torch::manual_seed(7);
    AlexNet model(spec);
    model->eval();
    const torch::Tensor x = torch::randn({3, 3, spec.input_size, spec.input_size});
    torch::Tensor expected;
    {
      torch::NoGradGuard no_grad;
      expected = model->forward(x);
    }
    const std::string bytes = build_onnx_model(spec, layer_weights_of(*model));  // runs the checker
    check_onnx_model(bytes, spec.name);
    // The graph uses ONNX's own LRN where the spec has one, and no Dropout.
    const bool has_lrn =
        std::any_of(spec.convs.begin(), spec.convs.end(), [](const ConvBlockSpec& c) { return c.lrn; });
    QCOMPARE(bytes.find("\"\x03LRN") != std::string::npos || bytes.find("LRN") != std::string::npos, has_lrn);
    QVERIFY(bytes.find("Dropout") == std::string::npos);

    OnnxNetwork net(bytes, spec.name + ".onnx");
    const std::vector<float> got = net.logits(to_vector(x), 3, spec.input_size);
    const std::vector<float> want = to_vector(expected);
    QCOMPARE(got.size(), want.size());
    const float range = *std::max_element(want.begin(), want.end()) - *std::min_element(want.begin(), want.end());
    QVERIFY(range > 0);
    float worst = 0;
    for (std::size_t i = 0; i < want.size(); ++i) worst = std::max(worst, std::abs(got[i] - want[i]));
    QVERIFY2(worst <= 1e-4f * range,
             qPrintable(QString("max |OpenCV - libtorch| = %1, logit range %2").arg(worst).arg(range)));
  }

  void weightsThatDoNotFitTheSpecAreRefused() {
    const VariantSpec spec = activation_spec("relu");
    AlexNet model(spec);
    std::vector<LayerWeights> layers = layer_weights_of(*model);
    layers[1].weight_shape[1] += 1;
    try {
      build_onnx_model(spec, layers);
      QFAIL("mismatched weights were exported");
    } catch (const ExportError& e) {
      QVERIFY2(QString(e.what()).contains("conv2"), e.what());
    }
    try {
      check_onnx_model("not a model at all", "junk.onnx");
      QFAIL("junk passed the checker");
    } catch (const ExportError& e) {
      QVERIFY(QString(e.what()).contains("junk.onnx"));
    }
  }

  // A picture file is prepared exactly as the training batches are: enlarged
  // bilinearly with half-pixel centres, normalised, grey repeated to 3 channels.
  // (Shrinking averages areas, as the image-folder loader does.)
  void picturesArePreparedAsInTraining() {
    LoadOptions options;
    options.synthetic_train = 10;
    options.synthetic_test = 10;
    const Dataset colour = make_synthetic(options);  // RGB 32 x 32
    // A grey set like Fashion-MNIST: 28 x 28, one channel.
    torch::manual_seed(3);
    const torch::Tensor grey = torch::randint(0, 256, {4, 1, 28, 28}, torch::kInt64).to(torch::kUInt8);
    struct Case {
      torch::Tensor images;
      int size;
    };
    for (const Case& c : {Case{colour.test.images.narrow(0, 0, 4), 64}, Case{grey, 64}, Case{grey, 227}}) {
      ImageSet set;
      set.images = c.images;
      set.labels = torch::zeros({c.images.size(0)}, torch::kInt64);
      TransformOptions transform;
      transform.input_size = c.size;
      transform.normalisation = compute_normalisation(set);
      const torch::Tensor expected = prepare_images(set.images, transform, nullptr);
      PictureTransform t;
      t.input_size = c.size;
      t.source_channels = static_cast<int>(c.images.size(1));
      t.mean = transform.normalisation.mean;
      t.std = transform.normalisation.std;
      for (std::int64_t i = 0; i < set.images.size(0); ++i) {
        // As a PNG file holds it: rows of pixels, channels last, BGR.
        const torch::Tensor hwc = set.images[i].permute({1, 2, 0}).contiguous();
        cv::Mat rgb(static_cast<int>(hwc.size(0)), static_cast<int>(hwc.size(1)),
                    t.source_channels == 1 ? CV_8UC1 : CV_8UC3, hwc.data_ptr<std::uint8_t>());
        cv::Mat bgr;
        if (t.source_channels == 3) cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
        else bgr = rgb;
        std::vector<std::uint8_t> png;
        QVERIFY(cv::imencode(".png", bgr, png));
        const std::vector<float> got = prepare_picture_bytes(std::string(png.begin(), png.end()), t, "picture");
        const std::vector<float> want = to_vector(expected[i]);
        QCOMPARE(got.size(), want.size());
        float worst = 0;
        for (std::size_t k = 0; k < want.size(); ++k) worst = std::max(worst, std::abs(got[k] - want[k]));
        QVERIFY2(worst < 1e-4f,
                 qPrintable(
                     QString("size %1, channels %2: max difference %3").arg(c.size).arg(t.source_channels).arg(worst)));
      }
    }
    try {
      prepare_picture_bytes("GIF89a but not really", PictureTransform{64, 1, {0.5f}, {0.25f}}, "fake.gif");
      QFAIL("an undecodable picture was accepted");
    } catch (const PictureError& e) {
      QVERIFY(QString(e.what()).contains("fake.gif"));
    }
  }

  void trainExportAndClassify() {
    run_ = tmp_.filePath("run");
    const CliResult train =
        run_cli({"train", "--data", "synthetic", "--variants", "small,one-fc", "--iterations", "80", "--input-size",
                 "64", "--probe-every", "0", "--record-every", "40", "--threads", "2", "--out", run_});
    QVERIFY2(train.exit_code == 0, qPrintable(train.err));
    onnx_dir_ = tmp_.filePath("onnx");
    const CliResult exported = run_cli({"export", run_, "--onnx", onnx_dir_});
    QVERIFY2(exported.exit_code == 0, qPrintable(exported.err));
    for (const char* v : {"small", "one-fc"}) {
      QVERIFY(QFile::exists(onnx_dir_ + "/" + v + ".onnx"));
      QFile card(onnx_dir_ + "/" + v + ".json");
      QVERIFY(card.open(QIODevice::ReadOnly));
      const QJsonObject j = QJsonDocument::fromJson(card.readAll()).object();
      QCOMPARE(j["variant"].toString(), QString(v));
      QCOMPARE(j["class_names"].toArray().size(), 10);
      QCOMPARE(j["class_names"].toArray()[1].toString(), QString("grating 18°"));
      QCOMPARE(j["input"].toObject()["height"].toInt(), 64);
      QCOMPARE(j["normalisation"].toObject()["mean"].toArray().size(), 3);
      QVERIFY(j["preparation"].toArray().size() >= 5);
      QCOMPARE(j["iteration"].toInt(), 80);
    }
    // Best weights: this run probed nothing, so it kept none, and says so; a wrong choice is a usage error.
    const CliResult no_best = run_cli({"export", run_, "--onnx", tmp_.filePath("best"), "--weights", "best"});
    QCOMPARE(no_best.exit_code, 1);
    QVERIFY2(no_best.err.contains("keeps no best weights of small"), qPrintable(no_best.err));
    const CliResult worst = run_cli({"export", run_, "--onnx", tmp_.filePath("best"), "--weights", "worst"});
    QCOMPARE(worst.exit_code, 2);
    QVERIFY2(worst.err.contains("--weights is last") && worst.err.contains("\"worst\""), qPrintable(worst.err));
    // Only the variants asked for.
    const QString only = tmp_.filePath("only-small");
    QCOMPARE(run_cli({"export", run_, "--onnx", only, "--variants", "small"}).exit_code, 0);
    QCOMPARE(QDir(only).entryList(QDir::Files).size(), 2);

    // Held-out synthetic pictures, written as PNG files as a user would have them.
    LoadOptions options;  // the run's seed (0): the same test set the run was evaluated on
    const Dataset data = make_synthetic(options);
    for (int i = 0; i < 30; ++i) {
      const torch::Tensor hwc = data.test.images[i].permute({1, 2, 0}).contiguous();
      cv::Mat rgb(32, 32, CV_8UC3, hwc.data_ptr<std::uint8_t>()), bgr;
      cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
      const QString path = tmp_.filePath(QString("held-out-%1.png").arg(i));
      QVERIFY(cv::imwrite(path.toStdString(), bgr));
      pictures_ << path;
      picture_labels_.push_back(data.test.labels[i].item<std::int64_t>());
    }

    const CliResult by_torch = run_cli(QStringList{"classify", run_, "--variants", "small", "--json"} + pictures_);
    QVERIFY2(by_torch.exit_code == 0, qPrintable(by_torch.err));
    const CliResult by_opencv =
        run_cli(QStringList{"classify", "--onnx", onnx_dir_ + "/small.onnx", "--json", "--top", "3"} + pictures_);
    QVERIFY2(by_opencv.exit_code == 0, qPrintable(by_opencv.err));
    const QJsonArray torch_pictures = read_json(by_torch.out)["pictures"].toArray();
    const QJsonArray opencv_pictures = read_json(by_opencv.out)["pictures"].toArray();
    QCOMPARE(torch_pictures.size(), pictures_.size());
    QCOMPARE(opencv_pictures.size(), pictures_.size());
    int correct = 0;
    for (int i = 0; i < pictures_.size(); ++i) {
      const QJsonObject t = torch_pictures[i].toObject()["variants"].toArray()[0].toObject();
      const QJsonObject o = opencv_pictures[i].toObject()["variants"].toArray()[0].toObject();
      QCOMPARE(t["variant"].toString(), QString("small"));
      QCOMPARE(t["top"].toArray().size(), 5);
      QCOMPARE(o["top"].toArray().size(), 3);
      const int torch_class = t["top"].toArray()[0].toObject()["index"].toInt();
      QCOMPARE(o["top"].toArray()[0].toObject()["index"].toInt(), torch_class);
      const QJsonArray tl = t["logits"].toArray(), ol = o["logits"].toArray();
      for (int c = 0; c < tl.size(); ++c) QVERIFY(std::abs(tl[c].toDouble() - ol[c].toDouble()) < 1e-3);
      correct += torch_class == picture_labels_[static_cast<std::size_t>(i)];
      classify_classes_.push_back(torch_class);
    }
    // A variant trained on the synthetic set recognises held-out pictures of it.
    QVERIFY2(correct >= 27, qPrintable(QString("%1 of 30 held-out pictures right").arg(correct)));

    // The text form names the classes.
    const CliResult text = run_cli({"classify", "--onnx", onnx_dir_ + "/small.onnx", pictures_[1]});
    QCOMPARE(text.exit_code, 0);
    QVERIFY2(text.out.contains("grating") && text.out.contains("%"), qPrintable(text.out));
  }

  // What the window's Inspect view runs for a test image: the run's test split
  // prepared as the evaluation prepared it, through every variant, keeping the
  // conv layers' maps. The trained variant gets the held-out images right and
  // agrees with `classify` on the same images saved as PNG files.
  void inspectingTheTrainedRunClassifiesHeldOutImages() {
    QVERIFY(!classify_classes_.empty());
    RunClassifier classifier(run_.toStdString());
    QCOMPARE(classifier.variants(), (std::vector<std::string>{"small", "one-fc"}));
    const TestImageSource images(read_run_summary(run_.toStdString()).config);
    int correct = 0;
    for (std::int64_t i = 0; i < 30; ++i) {
      const std::vector<float> input = images.network_input(i, classifier.transform());
      QCOMPARE(input.size(), std::size_t(3 * 64 * 64));
      QCOMPARE(std::int64_t(images.label(i)), picture_labels_[static_cast<std::size_t>(i)]);
      const Inspection small = classifier.inspect(0, input);
      QCOMPARE(small.logits.size(), std::size_t(10));
      const int best = int(std::max_element(small.logits.begin(), small.logits.end()) - small.logits.begin());
      QCOMPARE(best, classify_classes_[static_cast<std::size_t>(i)]);
      correct += best == images.label(i);
      // conv1 ... conv5 of small, each channels x height x width values, after the activation.
      QCOMPARE(small.maps.size(), std::size_t(5));
      QCOMPARE(small.maps[0].layer, std::string("conv1"));
      for (const FeatureMaps& m : small.maps) {
        QCOMPARE(m.values.size(), std::size_t(m.channels) * m.height * m.width);
        QVERIFY(*std::min_element(m.values.begin(), m.values.end()) >= 0);  // ReLU
      }
      // The same logits as the batch path (`classify RUN_DIR` and the evaluation).
      const std::vector<float> batch = classifier.logits(0, input, 1);
      for (std::size_t c = 0; c < batch.size(); ++c) QVERIFY(std::abs(batch[c] - small.logits[c]) < 1e-4);
    }
    QVERIFY2(correct >= 27, qPrintable(QString("%1 of 30 held-out test images right").arg(correct)));
    QVERIFY(images.network_input(images.size(), classifier.transform()).empty());  // past the end: nothing
  }

  void badInputIsRefusedNamingTheFile() {
    QVERIFY(!run_.isEmpty());
    // A run with no checkpoint.
    const QString bare = tmp_.filePath("bare-run");
    QVERIFY(QDir().mkpath(bare));
    QVERIFY(QFile::copy(run_ + "/config.json", bare + "/config.json"));
    CliResult r = run_cli({"export", bare, "--onnx", tmp_.filePath("x")});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.err.contains(bare) && r.err.contains("no checkpoint"), qPrintable(r.err));
    r = run_cli({"classify", bare, pictures_[0]});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.err.contains("no checkpoint"), qPrintable(r.err));
    // Not a run at all.
    r = run_cli({"export", tmp_.filePath("nowhere"), "--onnx", tmp_.filePath("x")});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.err.contains("nowhere"), qPrintable(r.err));
    // An output folder that cannot be made (below a file).
    QVERIFY(write_bytes(tmp_.filePath("a-file"), ""));
    r = run_cli({"export", run_, "--onnx", tmp_.filePath("a-file/models")});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.err.contains("a-file/models"), qPrintable(r.err));
    // A variant the run does not have.
    r = run_cli({"export", run_, "--onnx", tmp_.filePath("y"), "--variants", "original"});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.err.contains("no variant named original"), qPrintable(r.err));

    // An ONNX file that is not one (its description is fine).
    const QString fake = tmp_.filePath("fake.onnx");
    QVERIFY(write_bytes(fake, "this is not a protobuf"));
    QVERIFY(QFile::copy(onnx_dir_ + "/small.json", tmp_.filePath("fake.json")));
    r = run_cli({"classify", "--onnx", fake, pictures_[0]});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.err.contains(fake), qPrintable(r.err));
    // An ONNX file without its description.
    const QString lonely = tmp_.filePath("lonely.onnx");
    QVERIFY(QFile::copy(onnx_dir_ + "/small.onnx", lonely));
    r = run_cli({"classify", "--onnx", lonely, pictures_[0]});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.err.contains(tmp_.filePath("lonely.json")), qPrintable(r.err));
    // A description that is not one.
    const QString damaged = tmp_.filePath("damaged.onnx");
    QVERIFY(QFile::copy(onnx_dir_ + "/small.onnx", damaged));
    QVERIFY(write_bytes(tmp_.filePath("damaged.json"), "{\"format\": \"alexnet-lab onnx model 1\", \"variant\": 3}"));
    r = run_cli({"classify", "--onnx", damaged, pictures_[0]});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.err.contains("damaged.json"), qPrintable(r.err));
    // A picture that does not decode: the others are still classified.
    const QString broken = tmp_.filePath("broken.png");
    QVERIFY(write_bytes(broken, "\x89PNG\r\n\x1a\n truncated"));
    r = run_cli({"classify", "--onnx", onnx_dir_ + "/small.onnx", pictures_[0], broken});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.err.contains(broken), qPrintable(r.err));
    QVERIFY(r.out.contains(pictures_[0]));
    // Usage errors.
    QCOMPARE(run_cli({"classify", run_}).exit_code, 2);
    QCOMPARE(run_cli({"export", run_, "--variants", "small"}).exit_code, 2);
  }
};

QTEST_GUILESS_MAIN(TestExport)
#include "test_export.moc"
