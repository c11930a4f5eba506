// The variants must be exactly the report's: parameter counts, shapes, names,
// and a spec that cannot work is refused with a message that helps.
#include <QtTest>

#include "model/alexnet_model.h"
#include "model/fused_lrn.h"
#include "presets.h"
#include "spec_json.h"

using namespace alexnet;

class TestVariants : public QObject {
  Q_OBJECT

 private:
  static QString refusal(const std::string& json) {
    try {
      spec_from_json_text(json, "test.json");
    } catch (const SpecError& e) {
      return QString::fromStdString(e.what());
    }
    return {};
  }

 private slots:
  void parameterCountsMatchDesign_data() {
    QTest::addColumn<QString>("variant");
    QTest::addColumn<int>("size");
    QTest::addColumn<qint64>("expected");
    QTest::newRow("original 64") << "original" << 64 << qint64(20719918);
    QTest::newRow("original 128") << "original" << 128 << qint64(29108526);
    QTest::newRow("original 227") << "original" << 227 << qint64(57420078);
    QTest::newRow("tanh 64") << "tanh" << 64 << qint64(20719918);
    QTest::newRow("tanh 128") << "tanh" << 128 << qint64(29108526);
    QTest::newRow("tanh 227") << "tanh" << 227 << qint64(57420078);
    QTest::newRow("small 64") << "small" << 64 << qint64(2644234);
    QTest::newRow("small 128") << "small" << 128 << qint64(3430666);
    QTest::newRow("small 227") << "small" << 227 << qint64(6084874);
  }

  void parameterCountsMatchDesign() {
    QFETCH(QString, variant);
    QFETCH(int, size);
    QFETCH(qint64, expected);
    const VariantSpec spec = resolve_variant(variant.toStdString(), size, 10);
    QCOMPARE(qint64(infer_shapes(spec).total_parameters), expected);
    // The built model must agree with the arithmetic, to the unit.
    AlexNet model(spec);
    QCOMPARE(qint64(model->parameter_count()), expected);
  }

  void reportLayerTable() {
    const VariantSpec spec = preset("original");
    const ShapeReport r = infer_shapes(spec);
    QCOMPARE(int(r.layers.size()), 8);
    QCOMPARE(QString::fromStdString(r.layers[0].name), QString("conv1"));
    QCOMPARE(r.layers[0].channels, 100);
    QCOMPARE(r.layers[0].height, 7);  // (64+4-11)/4+1 = 15, pooled to 7
    QCOMPARE(r.layers[4].height, 1);
    QCOMPARE(QString::fromStdString(r.layers[7].name), QString("fc8"));
    QCOMPARE(r.layers[7].channels, 10);
    QVERIFY(!r.layers[7].has_activation);
    QCOMPARE(preset("tanh").activation, Activation::Tanh);
    QCOMPARE(preset("small").convs[1].filters, 192);
    QCOMPARE(preset("small").hidden_fc[1].units, 192);
  }

  void ablationsHaveTheirShapes() {
    const VariantSpec no_conv2 = preset("no-conv2");
    QCOMPARE(int(no_conv2.convs.size()), 4);
    for (const auto& c : no_conv2.convs) QVERIFY(c.name != "conv2");
    QCOMPARE(int(preset("no-conv345").convs.size()), 2);
    QCOMPARE(QString::fromStdString(preset("no-conv345").convs.back().name), QString("conv2"));
    const VariantSpec one_fc = preset("one-fc");
    QCOMPARE(int(one_fc.hidden_fc.size()), 1);
    QCOMPARE(QString::fromStdString(one_fc.hidden_fc[0].name), QString("fc6"));
    QCOMPARE(QString::fromStdString(one_fc.classifier_name), QString("fc8"));

    // Each ablation runs forward and names its layers as the original does.
    for (const std::string name : {"no-conv2", "no-conv345", "one-fc"}) {
      AlexNet model(resolve_variant(name, 64, 10));
      model->eval();
      const auto traces = model->forward_traced(torch::zeros({2, 3, 64, 64}));
      QCOMPARE(traces.size(), model->layer_names().size());
      QCOMPARE(traces.back().activation.sizes().vec(), (std::vector<int64_t>{2, 10}));
      QCOMPARE(infer_shapes(model->spec()).total_parameters, model->parameter_count());
    }
  }

  void modelExposesLayersAndTraces() {
    VariantSpec spec = preset("small");
    spec.input_size = 67;
    AlexNet model(spec);
    model->eval();
    QCOMPARE(model->first_layer_weights().sizes().vec(), (std::vector<int64_t>{64, 3, 11, 11}));
    const torch::Tensor x = torch::randn({3, 3, 67, 67});
    const auto traces = model->forward_traced(x);
    const std::vector<std::string> expected = {"conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"};
    QCOMPARE(model->layer_names(), expected);
    const ShapeReport shapes = infer_shapes(spec);
    for (std::size_t i = 0; i < traces.size(); ++i) {
      QCOMPARE(traces[i].name, expected[i]);
      QCOMPARE(traces[i].pre_activation.size(1), int64_t(shapes.layers[i].channels));
      // Pooling comes after the activation, so only unpooled layers keep the reported size.
      if (i < spec.convs.size() && !spec.convs[i].pool) QCOMPARE(traces[i].pre_activation.size(2), int64_t(shapes.layers[i].height));
    }
    // ReLU: the activation is the clamped pre-activation.
    QVERIFY(torch::equal(traces[0].activation, traces[0].pre_activation.clamp_min(0)));
    // Tracing computes exactly what forward computes.
    QVERIFY(torch::allclose(traces.back().activation, model->forward(x)));
    QCOMPARE(&model->layer("conv3"), static_cast<torch::nn::Module*>(model->named_children()["conv3"].get()));
  }

  void everyActivationBuilds() {
    for (const char* act : {"relu", "tanh", "leaky_relu", "elu", "gelu"}) {
      const nlohmann::json json = {{"name", "x"},
                                    {"input_size", 32},
                                    {"activation", act},
                                    {"conv", {{{"filters", 4}, {"kernel", 3}, {"pool", true}}}},
                                    {"fc", {8}}};
      AlexNet model(spec_from_json(json, "inline"));
      QCOMPARE(model->forward(torch::randn({2, 3, 32, 32})).size(1), int64_t(10));
    }
  }

  void specRoundTripsThroughJson() {
    for (const std::string& name : preset_names()) {
      const VariantSpec a = preset(name);
      const VariantSpec b = spec_from_json(spec_to_json(a), "round trip");
      QCOMPARE(spec_to_json(a).dump(), spec_to_json(b).dump());
    }
  }

  void shippedPresetFilesMatchBuiltIns() {
    const QDir dir(QStringLiteral(ALEXNET_SOURCE_DIR "/resources/presets"));
    const QStringList files = dir.entryList({"*.json"}, QDir::Files);
    QCOMPARE(files.size(), int(preset_names().size()));
    for (const std::string& name : preset_names()) {
      const std::string path = dir.filePath(QString::fromStdString(name) + ".json").toStdString();
      QCOMPARE(spec_to_json(spec_from_file(path)).dump(), spec_to_json(preset(name)).dump());
    }
  }

  void validationRefusesWithAMessage_data() {
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("mentions");
    const QString conv = R"("conv":[{"filters":4,"kernel":3}])";
    QTest::newRow("unknown key") << R"({"name":"x","colour":"red",)" + conv + "}" << "unknown key \"colour\"";
    QTest::newRow("unknown conv key") << R"({"name":"x","conv":[{"filters":4,"kernel":3,"dilation":2}]})" << "\"dilation\"";
    QTest::newRow("unknown activation") << R"({"name":"x","activation":"swish",)" + conv + "}" << "unknown activation \"swish\"";
    QTest::newRow("zero filters") << R"({"name":"x","conv":[{"filters":0,"kernel":3}]})" << "conv1.filters must be positive";
    QTest::newRow("negative fc") << R"({"name":"x",)" + conv + R"(,"fc":[-5]})" << "fc2.units must be positive";
    QTest::newRow("zero input") << R"({"name":"x","input_size":0,)" + conv + "}" << "input_size must be positive";
    QTest::newRow("wrong type") << R"({"name":"x","input_size":"big",)" + conv + "}" << "\"input_size\" must be an integer";
    QTest::newRow("not json") << "{name: x" << "not valid JSON";
    QTest::newRow("no conv") << R"({"name":"x"})" << "missing key \"conv\"";
    QTest::newRow("dropout") << R"({"name":"x","dropout":1.5,)" + conv + "}" << "dropout must be in [0, 1)";
    QTest::newRow("duplicate name") << R"({"name":"x","conv":[{"name":"a","filters":4,"kernel":3},{"name":"a","filters":4,"kernel":3}]})" << "used twice";
    QTest::newRow("absurd") << R"({"name":"x","input_size":512,"conv":[{"filters":64,"kernel":3,"padding":1}],"fc":[100000]})" << "more than the limit of 10^9";
  }

  void validationRefusesWithAMessage() {
    QFETCH(QString, json);
    QFETCH(QString, mentions);
    const QString message = refusal(json.toStdString());
    QVERIFY2(!message.isEmpty(), "the spec was accepted");
    QVERIFY2(message.contains(mentions), qPrintable(message));
    QVERIFY2(message.startsWith("test.json"), qPrintable(message));
  }

  void shrinkingFeatureMapNamesLayerAndSmallestSize() {
    // original-AlexNet: conv5's pool needs a 3x3 map; the smallest input that works is 63.
    try {
      resolve_variant("original", 40, 10);
      QFAIL("input size 40 was accepted");
    } catch (const SpecError& e) {
      const QString m = e.what();
      QVERIFY2(m.contains("the pool after conv"), qPrintable(m));
      QVERIFY2(m.contains("smallest input size that works is 63"), qPrintable(m));
    }
    QCOMPARE(smallest_working_input_size(preset("original")), 63);
    resolve_variant("original", 63, 10);  // and 63 itself is accepted
  }

  // The fused LRN is torch's LocalResponseNorm, values and gradients, in double
  // precision, for the paper's constants and for an even window and another beta.
  void fusedLrnMatchesTorch_data() {
    QTest::addColumn<int>("size");
    QTest::addColumn<double>("beta");
    QTest::addColumn<int>("channels");
    QTest::newRow("paper") << kLrnSize << kLrnBeta << 11;
    QTest::newRow("even window") << 4 << 0.5 << 7;
    QTest::newRow("window wider than channels") << 9 << 0.75 << 3;
  }

  void fusedLrnMatchesTorch() {
    QFETCH(int, size);
    QFETCH(double, beta);
    QFETCH(int, channels);
    torch::manual_seed(3);
    // Large values so the window term matters (alpha = 1e-4 would hide it).
    const torch::Tensor x = (torch::randn({3, channels, 5, 4}, torch::kFloat64) * 30).requires_grad_(true);
    const torch::Tensor weights = torch::randn({3, channels, 5, 4}, torch::kFloat64);
    const auto options =
        torch::nn::functional::LocalResponseNormFuncOptions(size).alpha(kLrnAlpha * 10).beta(beta).k(kLrnK);
    const torch::Tensor expected = torch::nn::functional::local_response_norm(x, options);
    const torch::Tensor expected_grad = torch::autograd::grad({(expected * weights).sum()}, {x})[0];
    const torch::Tensor fused = fused_local_response_norm(x, size, kLrnAlpha * 10, beta, kLrnK);
    const torch::Tensor fused_grad = torch::autograd::grad({(fused * weights).sum()}, {x})[0];
    QVERIFY2(torch::allclose(fused, expected, 1e-12, 1e-12),
             qPrintable(QString::number((fused - expected).abs().max().item<double>())));
    QVERIFY2(torch::allclose(fused_grad, expected_grad, 1e-10, 1e-12),
             qPrintable(QString::number((fused_grad - expected_grad).abs().max().item<double>())));
    // The direct part alone would differ: the window term must be there.
    QVERIFY(!torch::allclose(expected_grad, weights * torch::pow(expected / x, 1.0), 1e-6, 1e-9));
    // Float, as training runs it: close to torch at float precision.
    const torch::Tensor xf = x.detach().to(torch::kFloat32);
    QVERIFY(torch::allclose(fused_local_response_norm(xf, size, kLrnAlpha * 10, beta, kLrnK),
                            torch::nn::functional::local_response_norm(xf, options), 1e-5, 1e-6));
  }

  void unknownPresetListsTheKnownOnes() {
    try {
      preset("googlenet");
      QFAIL("an unknown preset was accepted");
    } catch (const SpecError& e) {
      QVERIFY(QString(e.what()).contains("original, tanh, small, no-conv2, no-conv345, one-fc"));
    }
  }
};

QTEST_GUILESS_MAIN(TestVariants)
#include "test_variants.moc"
