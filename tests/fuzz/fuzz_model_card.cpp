// The JSON beside an exported VARIANT.onnx (classify --onnx reads it from
// anyone): parsed from memory, then the picture preparation it describes.
#include <string>

#include "export/model_card.h"
#include "fuzz_support.h"

namespace {

fuzz::Outcome check_model_card(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  return fuzz::classify<alexnet::ExportError>([&]() -> std::string {
    const alexnet::ModelCard card = alexnet::model_card_from_json(text, "VARIANT.json");
    const alexnet::PictureTransform& t = card.transform;
    if (t.input_size < 1 || (t.source_channels != 1 && t.source_channels != 3)) return "accepted a bad input shape";
    if (t.mean.size() != std::size_t(t.source_channels) || t.std.size() != t.mean.size()) {
      return "accepted a normalisation that does not fit the channels";
    }
    if (card.class_names.empty()) return "accepted without classes";
    const alexnet::ModelCard again = alexnet::model_card_from_json(alexnet::model_card_to_json(card), "round trip");
    if (again.class_names != card.class_names || again.transform.input_size != t.input_size) {
      return "round trip changed the card";
    }
    (void)alexnet::preparation_steps(t);
    return "";
  });
}

}  // namespace

#ifdef ALEXNET_LIBFUZZER
ALEXNET_FUZZ_ENTRY(check_model_card)
#else
#include <QtTest>

class FuzzModelCardCorpus : public QObject {
  Q_OBJECT
 private slots:
  void seedCorpusIsParsedOrRefusedAsDocumented() {
    const fuzz::Replay r =
        fuzz::replay_corpus(ALEXNET_SOURCE_DIR "/tests/fuzz/corpus", "fuzz_model_card", check_model_card);
    QVERIFY2(r.findings.empty(), r.findings.c_str());
    QVERIFY(r.inputs >= 2);
    QVERIFY(r.accepted >= 2);  // the cards AlexNet Lab writes are read back
  }

  void inconsistentCardsAreRefused() {
    const auto inputs = fuzz::corpus(ALEXNET_SOURCE_DIR "/tests/fuzz/corpus", "fuzz_model_card");
    std::string card;
    for (const auto& [name, bytes] : inputs) {
      if (name.rfind("card-", 0) == 0) card = bytes;
    }
    QVERIFY(!card.empty());
    auto with = [&](const std::string& from, const std::string& to) {
      std::string changed = card;
      const std::size_t at = changed.find(from);
      if (at == std::string::npos) return std::string();
      return changed.replace(at, from.size(), to);
    };
    for (const std::string& bad :
         {with("\"source_channels\": 3", "\"source_channels\": 2"), with("\"height\": 64", "\"height\": 0"),
          std::string(5000, '{'),
          // an integer field too large for an int: once undefined behaviour in get<int>()
          with("\"height\": 64", "\"height\": 6.5e37"), with("\"source_channels\": 3", "\"source_channels\": 1.5"),
          with("\"format\": \"alexnet-lab onnx model 1\"", "\"format\": \"x\"")}) {
      QVERIFY(!bad.empty());
      const fuzz::Outcome o = check_model_card(fuzz::bytes_of(bad), bad.size());
      QVERIFY2(o.finding.empty(), o.finding.c_str());
      QVERIFY(!o.accepted);
    }
  }
};

QObject* make_fuzz_model_card_test() { return new FuzzModelCardCorpus; }
#include "fuzz_model_card.moc"
#endif
