// A run's config.json, as the window, `export` and --resume read it: the
// experiment, every variant's full spec, and the data summary.
#include "fuzz_support.h"
#include "run/run_reader.h"
#include "run/run_store.h"
#include "spec/variant_spec.h"

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
    if (run.normalisation_mean.size() != run.normalisation_std.size())
      return "normalisation mean and std differ in length";
    return "";
  });
}

}  // namespace

#ifdef ALEXNET_LIBFUZZER
ALEXNET_FUZZ_ENTRY(check_run_config)
#else
#include <QtTest>

class FuzzRunConfigCorpus : public QObject {
  Q_OBJECT
 private slots:
  void seedCorpusIsParsedOrRefusedAsDocumented() {
    const fuzz::Replay r =
        fuzz::replay_corpus(ALEXNET_SOURCE_DIR "/tests/fuzz/corpus", "fuzz_run_config", check_run_config);
    QVERIFY2(r.findings.empty(), r.findings.c_str());
    QVERIFY(r.inputs >= 2);
    QVERIFY(r.accepted >= 2);  // real configs are read
  }

  // What reading found: a config.json whose data_summary is not an object.
  void damagedConfigsAreRefusedOrWarnedAbout() {
    std::string config;
    for (const auto& [name, bytes] : fuzz::corpus(ALEXNET_SOURCE_DIR "/tests/fuzz/corpus", "fuzz_run_config")) {
      if (name == "run-config-tiny") config = bytes;
    }
    const std::size_t at = config.find("\"data_summary\"");
    QVERIFY(at != std::string::npos);
    const std::string odd = config.substr(0, at) + "\"data_summary\": 7, \"x_was_summary\"" +
                            config.substr(at + std::string("\"data_summary\"").size());
    const fuzz::Outcome o = check_run_config(fuzz::bytes_of(odd), odd.size());
    QVERIFY2(o.finding.empty(), o.finding.c_str());
    for (const std::string& bad :
         {std::string("{"), std::string("{\"variants\": 3}"), std::string(), std::string(100000, '[')}) {
      const fuzz::Outcome refused = check_run_config(fuzz::bytes_of(bad), bad.size());
      QVERIFY2(refused.finding.empty(), refused.finding.c_str());
      QVERIFY(!refused.accepted);
    }
  }
};

QObject* make_fuzz_run_config_test() { return new FuzzRunConfigCorpus; }
#include "fuzz_run_config.moc"
#endif
