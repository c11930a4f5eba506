// The picture header check the image-folder loader and `classify` make before
// decoding anything: the first bytes of a file, from anyone.
#include <stdexcept>

#include "data/picture_header.h"
#include "fuzz_support.h"

namespace {

fuzz::Outcome check_picture_header(const std::uint8_t* data, std::size_t size) {
  return fuzz::classify<std::invalid_argument>([&]() -> std::string {
    const std::optional<alexnet::PictureHeader> header = alexnet::read_picture_header(data, size);
    if (header && header->format.empty()) return "a size without a format";
    return "";
  });
}

}  // namespace

#ifdef ALEXNET_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::trap_on(check_picture_header(data, size));
  return 0;
}
#else
#include <QtTest>

class FuzzPictureHeaderCorpus : public QObject {
  Q_OBJECT
 private slots:
  void seedCorpusIsReadWithoutFindings() {
    int sized = 0;
    const auto inputs = fuzz::corpus(ALEXNET_SOURCE_DIR "/tests/fuzz/corpus", "fuzz_picture_header");
    QVERIFY(inputs.size() >= 5);
    for (const auto& [name, bytes] : inputs) {
      const fuzz::Outcome o = check_picture_header(fuzz::bytes_of(bytes), bytes.size());
      QVERIFY2(o.finding.empty(), qPrintable(QString::fromStdString(name + ": " + o.finding)));
      sized += alexnet::read_picture_header(fuzz::bytes_of(bytes), bytes.size()).has_value();
    }
    QVERIFY(sized >= 5);  // the real pictures' sizes are read
  }
};

QObject* make_fuzz_picture_header_test() { return new FuzzPictureHeaderCorpus; }
#include "fuzz_picture_header.moc"
#endif
