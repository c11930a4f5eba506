// A variant spec in JSON, then everything the program does with an accepted
// one before building it: validation, shapes, parameter count, round trip.
#include <string>

#include "fuzz_support.h"
#include <nlohmann/json.hpp>

#include "spec/spec_json.h"
#include "spec/variant_spec.h"

namespace {

fuzz::Outcome check_spec(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  return fuzz::classify<alexnet::SpecError>([&]() -> std::string {
    alexnet::VariantSpec spec = alexnet::spec_from_json_text(text, "fuzz.json");
    alexnet::validate(spec);
    const alexnet::ShapeReport shapes = alexnet::infer_shapes(spec);
    if (shapes.total_parameters <= 0 || shapes.total_parameters > alexnet::kMaxParameters) {
      return "accepted with " + std::to_string(shapes.total_parameters) + " parameters";
    }
    const alexnet::VariantSpec again = alexnet::spec_from_json(alexnet::spec_to_json(spec), "round trip");
    if (alexnet::infer_shapes(again).total_parameters != shapes.total_parameters) return "round trip changed the spec";
    return "";
  });
}

}  // namespace

#ifdef ALEXNET_LIBFUZZER
ALEXNET_FUZZ_ENTRY(check_spec)
#else
#include <QtTest>

class FuzzSpecCorpus : public QObject {
  Q_OBJECT
 private slots:
  void seedCorpusIsParsedOrRefusedAsDocumented() {
    const fuzz::Replay r = fuzz::replay_corpus(ALEXNET_SOURCE_DIR "/tests/fuzz/corpus", "fuzz_spec", check_spec);
    QVERIFY2(r.findings.empty(), r.findings.c_str());
    QVERIFY(r.inputs >= 6);
    QVERIFY(r.accepted >= 6);  // the presets are accepted
  }

  // What fuzzing found: a number too large for a double escaped as another exception.
  void oversizedNumbersAndWrongTypesAreRefused() {
    for (const std::string& bad :
         {std::string(R"({"name": "x", "input_size": 1111111111E11111})"),
          std::string(R"({"name": "x", "conv": [{"filters": "many"}], "fc": []})"), std::string(R"([1, 2)")}) {
      const fuzz::Outcome o = check_spec(fuzz::bytes_of(bad), bad.size());
      QVERIFY2(o.finding.empty(), o.finding.c_str());
      QVERIFY(!o.accepted);
    }
  }
};

QObject* make_fuzz_spec_test() { return new FuzzSpecCorpus; }
#include "fuzz_spec.moc"
#endif
