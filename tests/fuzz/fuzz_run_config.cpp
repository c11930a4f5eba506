// A run's config.json, as the window, `export` and --resume read it: the
// experiment, every variant's full spec, and the data summary.
#include "fuzz_support.h"
#include "run/run_reader.h"
#include "run/run_store.h"
#include "variant_spec.h"

namespace {

fuzz::Outcome check_run_config(const std::uint8_t* data, std::size_t size) {
  alexnet::RunFiles files;
  files.config.assign(reinterpret_cast<const char*>(data), size);
  return fuzz::classify<alexnet::StoreError>([&]() -> std::string {
    const alexnet::RunContents run = alexnet::parse_run_summary("run", files);
    for (const alexnet::VariantSpec& spec : run.config.variants) {
      const alexnet::ShapeReport shapes = alexnet::infer_shapes(spec);
      if (shapes.total_parameters <= 0 || shapes.total_parameters > alexnet::kMaxParameters) {
        return "a variant accepted with " + std::to_string(shapes.total_parameters) + " parameters";
      }
    }
    if (run.normalisation_mean.size() != run.normalisation_std.size()) return "normalisation mean and std differ in length";
    return "";
  });
}

}  // namespace

#ifdef ALEXNET_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::trap_on(check_run_config(data, size));
  return 0;
}
#else
#include <QtTest>

class FuzzRunConfigCorpus : public QObject {
  Q_OBJECT
 private slots:
  void seedCorpusIsParsedOrRefusedAsDocumented() {
    int accepted = 0;
    const auto inputs = fuzz::corpus(ALEXNET_SOURCE_DIR "/tests/fuzz/corpus", "fuzz_run_config");
    QVERIFY(inputs.size() >= 2);
    for (const auto& [name, bytes] : inputs) {
      const fuzz::Outcome o = check_run_config(fuzz::bytes_of(bytes), bytes.size());
      QVERIFY2(o.finding.empty(), qPrintable(QString::fromStdString(name + ": " + o.finding)));
      accepted += o.accepted;
    }
    QVERIFY(accepted >= 2);  // real configs are read
  }
};

QObject* make_fuzz_run_config_test() { return new FuzzRunConfigCorpus; }
#include "fuzz_run_config.moc"
#endif
