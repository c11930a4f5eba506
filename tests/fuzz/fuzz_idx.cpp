// IDX image and label files (plain or gzip): the first two bytes say where the
// images file ends and the labels file begins.
#include "data/dataset.h"
#include "fuzz_support.h"

namespace {

fuzz::Outcome check_idx(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return {};
  const std::size_t split = std::min<std::size_t>(size - 2, std::size_t(data[0]) << 8 | data[1]);
  const std::vector<std::uint8_t> images(data + 2, data + 2 + split);
  const std::vector<std::uint8_t> labels(data + 2 + split, data + size);
  return fuzz::classify<alexnet::DataError>([&]() -> std::string {
    const alexnet::ImageSet set =
        alexnet::parse_idx_pair(images, "train-images-idx3-ubyte", labels, "train-labels-idx1-ubyte");
    if (set.images.size(0) != set.labels.size(0)) return "images and labels differ in number";
    if (set.size() > 0 && set.labels.max().item<std::int64_t>() > 255) return "a label above 255";
    return "";
  });
}

}  // namespace

#ifdef ALEXNET_LIBFUZZER
ALEXNET_FUZZ_ENTRY(check_idx)
#else
#include <QtTest>

class FuzzIdxCorpus : public QObject {
  Q_OBJECT
 private slots:
  void seedCorpusIsParsedOrRefusedAsDocumented() {
    const fuzz::Replay r = fuzz::replay_corpus(ALEXNET_SOURCE_DIR "/tests/fuzz/corpus", "fuzz_idx", check_idx);
    QVERIFY2(r.findings.empty(), r.findings.c_str());
    QVERIFY(r.inputs >= 4);
    QVERIFY(r.accepted >= 4);  // the valid seeds parse: the check is not refusing everything
  }

  void brokenPairsAreRefused() {
    const auto valid = fuzz::corpus(ALEXNET_SOURCE_DIR "/tests/fuzz/corpus", "fuzz_idx");
    for (const auto& [name, bytes] : valid) {
      if (name.rfind("pair-", 0) != 0) continue;
      for (std::size_t cut : {std::size_t(3), bytes.size() / 2, bytes.size() - 1}) {  // truncated
        const fuzz::Outcome o = check_idx(fuzz::bytes_of(bytes), cut);
        QVERIFY2(o.finding.empty() && !o.accepted,
                 qPrintable(QString::fromStdString(name) + " cut at " + QString::number(cut)));
      }
    }
  }
};

QObject* make_fuzz_idx_test() { return new FuzzIdxCorpus; }
#include "fuzz_idx.moc"
#endif
