// The picture header check the image-folder loader and `classify` make before
// decoding anything: the first bytes of a file, from anyone.
#include <stdexcept>

#include "data/picture_header.h"
#include "fuzz_support.h"

namespace {

fuzz::Outcome check_picture_header(const std::uint8_t* data, std::size_t size) {
  return fuzz::classify<std::invalid_argument>([&]() -> std::string {
    const std::optional<alexnet::PictureHeader> header = alexnet::read_picture_header(data, size);
    if (!header) throw std::invalid_argument("no size to read: the loaders skip it");
    if (header->format.empty()) return "a size without a format";
    return "";
  });
}

}  // namespace

#ifdef ALEXNET_LIBFUZZER
ALEXNET_FUZZ_ENTRY(check_picture_header)
#else
#include <QtTest>

class FuzzPictureHeaderCorpus : public QObject {
  Q_OBJECT
 private slots:
  void seedCorpusIsReadWithoutFindings() {
    const fuzz::Replay r =
        fuzz::replay_corpus(ALEXNET_SOURCE_DIR "/tests/fuzz/corpus", "fuzz_picture_header", check_picture_header);
    QVERIFY2(r.findings.empty(), r.findings.c_str());
    QVERIFY(r.inputs >= 10);
    QVERIFY(r.accepted >= 10);  // the real pictures' sizes are read
  }
};

QObject* make_fuzz_picture_header_test() { return new FuzzPictureHeaderCorpus; }
#include "fuzz_picture_header.moc"
#endif
