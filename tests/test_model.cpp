// The variants must be exactly the report's: parameter counts, shapes, names,
// and a spec that cannot work is refused with a message that helps.
#include <QtTest>

#include <cmath>
#include <cstdint>
#include <limits>
#include <thread>
#include <utility>

#include "model/alexnet_model.h"
#include "model/bf16_conv.h"
#include "model/bf16_linear.h"
#include "model/fused_lrn.h"
#include "model/fused_max_pool.h"
#include "model/hashed_dropout.h"
#include "spec/presets.h"
#include "spec/spec_json.h"
#include "platform/system_info.h"

using namespace alexnet;

class TestModel : public QObject {
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
      if (i < spec.convs.size() && !spec.convs[i].pool)
        QCOMPARE(traces[i].pre_activation.size(2), int64_t(shapes.layers[i].height));
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
    QTest::newRow("unknown key") << R"({"name":"x","colour":"red",)" + conv + "}"
                                 << "unknown key \"colour\"";
    QTest::newRow("unknown conv key") << R"({"name":"x","conv":[{"filters":4,"kernel":3,"dilation":2}]})"
                                      << "\"dilation\"";
    QTest::newRow("unknown activation") << R"({"name":"x","activation":"swish",)" + conv + "}"
                                        << "unknown activation \"swish\"";
    QTest::newRow("zero filters") << R"({"name":"x","conv":[{"filters":0,"kernel":3}]})"
                                  << "conv1.filters must be positive";
    QTest::newRow("negative fc") << R"({"name":"x",)" + conv + R"(,"fc":[-5]})"
                                 << "fc2.units must be positive";
    QTest::newRow("zero input") << R"({"name":"x","input_size":0,)" + conv + "}"
                                << "input_size must be positive";
    QTest::newRow("wrong type") << R"({"name":"x","input_size":"big",)" + conv + "}"
                                << "\"input_size\" must be an integer";
    QTest::newRow("not json") << "{name: x"
                              << "not valid JSON";
    QTest::newRow("no conv") << R"({"name":"x"})"
                             << "missing key \"conv\"";
    QTest::newRow("dropout") << R"({"name":"x","dropout":1.5,)" + conv + "}"
                             << "dropout must be in [0, 1)";
    QTest::newRow("duplicate name")
        << R"({"name":"x","conv":[{"name":"a","filters":4,"kernel":3},{"name":"a","filters":4,"kernel":3}]})"
        << "used twice";
    QTest::newRow("absurd")
        << R"({"name":"x","input_size":512,"conv":[{"filters":64,"kernel":3,"padding":1}],"fc":[100000]})"
        << "more than the limit of 10^9";
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

  // The fused pool is torch's max_pool2d bit for bit: values, and gradients
  // routed to the same element of each window. ReLU maps are full of tied
  // zeros and a diverging run has NaNs, so both are in the input.
  void fusedMaxPoolMatchesTorch_data() {
    QTest::addColumn<int>("height");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("kernel");
    QTest::addColumn<int>("stride");
    QTest::newRow("conv1 maps 15x15, 3/2") << 15 << 15 << 3 << 2;
    QTest::newRow("conv5 maps 3x3, 3/2") << 3 << 3 << 3 << 2;
    QTest::newRow("uneven 8x11, 3/2") << 8 << 11 << 3 << 2;
    QTest::newRow("no overlap 6x6, 2/2") << 6 << 6 << 2 << 2;
  }

  void fusedMaxPoolMatchesTorch() {
    QFETCH(int, height);
    QFETCH(int, width);
    QFETCH(int, kernel);
    QFETCH(int, stride);
    torch::manual_seed(5);
    torch::Tensor values = torch::relu(torch::randn({4, 37, height, width}));  // about half are tied zeros
    values.index_put_({1, 2, 0, 0}, std::numeric_limits<float>::quiet_NaN());
    values.index_put_({3, 36, height - 1, width - 1}, std::numeric_limits<float>::quiet_NaN());
    const torch::Tensor x = values.requires_grad_(true);
    const torch::Tensor weights = torch::randn({4, 37, (height - kernel) / stride + 1, (width - kernel) / stride + 1});

    const torch::Tensor expected = torch::max_pool2d(x, kernel, stride);
    const torch::Tensor expected_grad = torch::autograd::grad({(expected * weights).nansum()}, {x})[0];
    const torch::Tensor fused = fused_max_pool2d(x, kernel, stride);
    const torch::Tensor fused_grad = torch::autograd::grad({(fused * weights).nansum()}, {x})[0];

    QCOMPARE(fused.sizes().vec(), expected.sizes().vec());
    QVERIFY(torch::equal(torch::isnan(fused), torch::isnan(expected)));
    QVERIFY(torch::isnan(fused).any().item<bool>());
    QVERIFY(torch::equal(torch::nan_to_num(fused), torch::nan_to_num(expected)));
    QVERIFY(torch::equal(fused_grad, expected_grad));  // exact: same element, same order of sums
  }

  void fusedMaxPoolRefusesAWindowLargerThanTheMap() {
    QVERIFY_THROWS_EXCEPTION(c10::Error, fused_max_pool2d(torch::zeros({1, 1, 2, 2}), 3, 2));
  }

  // The hashed dropout keeps 1 - p of the elements, scales them as torch does,
  // passes the gradient exactly where it kept the input, draws a new mask at
  // every call from the global generator (so a seed repeats a run) and is the
  // identity outside training.
  void hashedDropoutBehavesAsDropout() {
    const double p = 0.5;
    const torch::Tensor x = torch::rand({64, 4096}) + 1.0f;  // never zero, so kept elements are visible
    torch::manual_seed(11);
    const torch::Tensor input = x.clone().requires_grad_(true);
    const torch::Tensor y = hashed_dropout(input, p, true);
    const torch::Tensor kept = y != 0;
    const double fraction = kept.to(torch::kDouble).mean().item<double>();
    // 262,144 draws: the binomial standard deviation is 0.001.
    QVERIFY2(std::abs(fraction - 0.5) < 0.005, qPrintable(QString("kept %1").arg(fraction)));
    QVERIFY(torch::equal(y.masked_select(kept), (x * 2.0f).masked_select(kept)));
    const torch::Tensor grad_out = torch::randn({64, 4096});
    const torch::Tensor grad = torch::autograd::grad({(y * grad_out).sum()}, {input})[0];
    QVERIFY(torch::equal(grad, torch::where(kept, grad_out * 2.0f, torch::zeros_like(grad_out))));

    // Rows and columns are not striped: every row and every column keeps about half.
    const torch::Tensor per_row = kept.to(torch::kDouble).mean(1);
    const torch::Tensor per_column = kept.to(torch::kDouble).mean(0);
    QVERIFY(per_row.min().item<double>() > 0.45 && per_row.max().item<double>() < 0.55);
    QVERIFY(per_column.min().item<double>() > 0.15 && per_column.max().item<double>() < 0.85);

    const torch::Tensor second = hashed_dropout(x, p, true) != 0;
    const double agreement = (second == kept).to(torch::kDouble).mean().item<double>();
    QVERIFY2(std::abs(agreement - 0.5) < 0.01, qPrintable(QString("masks agree on %1").arg(agreement)));
    torch::manual_seed(11);
    QVERIFY(torch::equal(hashed_dropout(x, p, true) != 0, kept));

    QVERIFY(torch::equal(hashed_dropout(x, p, false), x));
    const double sparse = (hashed_dropout(x, 0.9, true) != 0).to(torch::kDouble).mean().item<double>();
    QVERIFY2(std::abs(sparse - 0.1) < 0.005, qPrintable(QString("p = 0.9 kept %1").arg(sparse)));
  }

  // Under a DropoutStream the masks come from its seed alone: the same on
  // any thread (variants on lanes), different for each draw and each seed,
  // and the global generator is left where it was.
  void dropoutStreamsGiveTheSameMasksOnAnyThread() {
    const torch::Tensor x = torch::ones({64, 4096});
    auto two_masks = [&](std::uint64_t seed) {
      const DropoutStream stream(seed);
      const torch::Tensor first = hashed_dropout(x, 0.5, true);
      return std::pair{first, hashed_dropout(x, 0.5, true)};
    };
    const auto [a1, a2] = two_masks(7);
    std::pair<torch::Tensor, torch::Tensor> b;
    std::thread([&] { b = two_masks(7); }).join();
    QVERIFY(torch::equal(a1, b.first));
    QVERIFY(torch::equal(a2, b.second));
    QVERIFY(!torch::equal(a1, a2));
    QVERIFY(!torch::equal(a1, two_masks(8).first));

    torch::manual_seed(3);
    const torch::Tensor global_first = hashed_dropout(x, 0.5, true);
    torch::manual_seed(3);
    {
      const DropoutStream outer(7);
      {
        const DropoutStream inner(9);  // streams nest: this one's draws, then outer's again
        QVERIFY(!torch::equal(hashed_dropout(x, 0.5, true), a1));
      }
      QVERIFY(torch::equal(hashed_dropout(x, 0.5, true), a1));
    }
    QVERIFY(torch::equal(hashed_dropout(x, 0.5, true), global_first));
  }

  void hashedDropoutMasksDifferPastFourBillionElements() {
    // The index's high half is hashed too, so element i and i + 2^32 are not tied.
    int same = 0;
    for (std::uint64_t i = 0; i < 1000; ++i) {
      same += hashed_dropout_keeps(42, i, 0.5) == hashed_dropout_keeps(42, i + (std::uint64_t(1) << 32), 0.5);
    }
    QVERIFY2(same > 400 && same < 600, qPrintable(QString("%1 of 1000 agree").arg(same)));
  }

  // bf16_linear is the float32 product of the bf16-rounded operands, accumulated
  // in float32: values and all three gradients, against double-precision
  // references built from the same rounded operands.
  void bf16LinearIsTheProductOfRoundedOperands() {
    if (!cpu_has_avx512_bf16()) QSKIP("no AVX512-BF16 here: training never uses bf16 products");
    torch::manual_seed(9);
    const torch::Tensor x = torch::randn({64, 300}).requires_grad_(true);
    const torch::Tensor w = torch::randn({200, 300}).requires_grad_(true);
    const torch::Tensor b = torch::randn({200}).requires_grad_(true);
    const torch::Tensor g = torch::randn({64, 200});
    auto rounded = [](const torch::Tensor& t) { return t.detach().to(torch::kBFloat16).to(torch::kDouble); };
    const torch::Tensor y = bf16_linear(x, w, b);
    const auto grads = torch::autograd::grad({(y * g).sum()}, {x, w, b});
    QCOMPARE(y.scalar_type(), torch::kFloat);
    auto close = [](const torch::Tensor& got, const torch::Tensor& want) {
      const double error = (got.to(torch::kDouble) - want).abs().max().item<double>();
      const double scale = want.abs().max().item<double>();
      return error <= 1e-5 * scale;
    };
    QVERIFY(close(y, torch::mm(rounded(x), rounded(w).t()) + b.detach().to(torch::kDouble)));
    QVERIFY(close(grads[0], torch::mm(rounded(g), rounded(w))));
    QVERIFY(close(grads[1], torch::mm(rounded(g).t(), rounded(x))));
    QVERIFY(torch::equal(grads[2], g.sum(0)));
    // And within bf16's rounding of the float32 product.
    const torch::Tensor exact = torch::nn::functional::linear(x, w, b);
    QVERIFY((y - exact).abs().max().item<double>() < 0.05 * exact.abs().max().item<double>());
    QVERIFY(!torch::equal(y, exact));
  }

  // bf16_conv2d is the float32 convolution of the bf16-rounded operands: values
  // and all three gradients, for the geometries the presets use (original's
  // conv1 with stride 4, conv2's 5x5, the 3x3 layers on 3x3 maps) and a
  // stride-2 layer without padding, against double-precision references.
  void bf16ConvIsTheConvolutionOfRoundedOperands() {
    if (!cpu_has_avx512_bf16()) QSKIP("no AVX512-BF16 here: training never uses bf16 products");
    struct Geometry {
      int channels, filters, size, kernel, stride, padding;
    };
    for (const Geometry& c : {Geometry{3, 8, 29, 11, 4, 2}, Geometry{6, 10, 7, 5, 1, 2}, Geometry{16, 12, 3, 3, 1, 1},
                              Geometry{5, 7, 10, 3, 2, 0}}) {
      const QString where = QString("kernel %1, stride %2, padding %3").arg(c.kernel).arg(c.stride).arg(c.padding);
      torch::manual_seed(c.kernel);
      const torch::Tensor x = torch::randn({4, c.channels, c.size, c.size}).requires_grad_(true);
      const torch::Tensor w = torch::randn({c.filters, c.channels, c.kernel, c.kernel}).requires_grad_(true);
      const torch::Tensor b = torch::randn({c.filters}).requires_grad_(true);
      const torch::Tensor y = bf16_conv2d(x, w, b, c.stride, c.padding);
      const torch::Tensor g = torch::randn_like(y);
      const auto grads = torch::autograd::grad({(y * g).sum()}, {x, w, b});

      auto rounded = [](const torch::Tensor& t) { return t.detach().to(torch::kBFloat16).to(torch::kDouble); };
      const torch::Tensor xr = rounded(x).requires_grad_(true), wr = rounded(w).requires_grad_(true);
      const torch::Tensor want = torch::conv2d(xr, wr, b.detach().to(torch::kDouble), c.stride, c.padding);
      const auto want_grads = torch::autograd::grad({(want * rounded(g)).sum()}, {xr, wr});
      auto close = [](const torch::Tensor& got, const torch::Tensor& reference) {
        const double error = (got.to(torch::kDouble) - reference).abs().max().item<double>();
        return error <= 1e-5 * reference.abs().max().item<double>();
      };
      QCOMPARE(y.sizes(), want.sizes());
      QCOMPARE(y.scalar_type(), torch::kFloat);
      QVERIFY2(close(y, want.detach()), qPrintable(where));
      QVERIFY2(close(grads[0], want_grads[0]), qPrintable(where));
      QVERIFY2(close(grads[1], want_grads[1]), qPrintable(where));
      QVERIFY2(torch::allclose(grads[2], g.sum({0, 2, 3}), 1e-5, 1e-5), qPrintable(where));
      // And within bf16's rounding of the float32 convolution.
      const torch::Tensor exact = torch::conv2d(x, w, b, c.stride, c.padding);
      QVERIFY2((y - exact).abs().max().item<double>() < 0.05 * exact.abs().max().item<double>(), qPrintable(where));
    }
  }

  // oneDNN's bf16 convolution (layers with fewer filters) stays within bf16's
  // rounding of the float32 convolution, values and gradients.
  void oneDnnBf16ConvIsCloseToFloat32() {
    if (!cpu_has_avx512_bf16()) QSKIP("no AVX512-BF16 here: training never uses bf16 products");
    torch::manual_seed(4);
    const torch::Tensor x = torch::randn({8, 24, 7, 7}).requires_grad_(true);
    const torch::Tensor w = torch::randn({20, 24, 5, 5}).requires_grad_(true);
    const torch::Tensor b = torch::randn({20}).requires_grad_(true);
    const torch::Tensor y = onednn_bf16_conv2d(x, w, b, 1, 2);
    const torch::Tensor g = torch::randn_like(y);
    const auto grads = torch::autograd::grad({(y * g).sum()}, {x, w, b});
    const torch::Tensor exact = torch::conv2d(x, w, b, 1, 2);
    const auto exact_grads = torch::autograd::grad({(exact * g).sum()}, {x, w, b});
    QCOMPARE(y.scalar_type(), torch::kFloat);
    QCOMPARE(grads[1].scalar_type(), torch::kFloat);
    auto close = [](const torch::Tensor& got, const torch::Tensor& want) {
      return (got - want).abs().max().item<double>() <= 0.02 * want.abs().max().item<double>();
    };
    QVERIFY(!torch::equal(y, exact));
    QVERIFY(close(y, exact));
    for (int i = 0; i < 3; ++i) QVERIFY2(close(grads[i], exact_grads[i]), qPrintable(QString("gradient %1").arg(i)));
  }

  // conv1 (the picture's channels) and small FC layers train in float32 even
  // with bf16 products switched on: the same output as evaluation.
  void bf16ProductsSkipConv1AndSmallFcLayers() {
    if (!cpu_has_avx512_bf16()) QSKIP("no AVX512-BF16 here: training never uses bf16 products");
    VariantSpec spec = resolve_variant("small", 64, 10);
    spec.dropout = 0;
    spec.convs.resize(1);
    torch::manual_seed(3);
    AlexNet model(spec);
    model->set_bf16_products(true);
    const torch::Tensor x = torch::randn({4, 3, 64, 64});
    torch::NoGradGuard no_grad;
    model->eval();
    const torch::Tensor float32 = model->forward(x);
    model->train();
    QVERIFY(torch::equal(model->forward(x), float32));
  }

  // A model with bf16 products uses them only in training and only in large
  // layers (here small's conv2-conv5 and two 2048-wide FC layers): evaluation
  // is float32 bit for bit.
  void bf16ProductsOnlyInTrainingsLargeLayers() {
    if (!cpu_has_avx512_bf16()) QSKIP("no AVX512-BF16 here: training never uses bf16 products");
    VariantSpec spec = resolve_variant("small", 64, 10);
    spec.dropout = 0;  // the same computation in train and eval mode
    spec.hidden_fc = {{"fc6", 2048}, {"fc7", 2048}};
    torch::manual_seed(2);
    AlexNet model(spec);
    const torch::Tensor x = torch::randn({8, 3, 64, 64});
    torch::NoGradGuard no_grad;
    model->eval();
    const torch::Tensor float32 = model->forward(x);
    model->set_bf16_products(true);
    QVERIFY(torch::equal(model->forward(x), float32));
    model->train();
    const torch::Tensor mixed = model->forward(x);
    QCOMPARE(mixed.scalar_type(), torch::kFloat);
    QVERIFY(!torch::equal(mixed, float32));
    QVERIFY((mixed - float32).abs().max().item<double>() < 0.05 * float32.abs().max().item<double>());
    model->set_bf16_products(false);
    QVERIFY(torch::equal(model->forward(x), float32));
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

QTEST_GUILESS_MAIN(TestModel)
#include "test_model.moc"
