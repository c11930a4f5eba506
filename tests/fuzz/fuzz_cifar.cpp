// A CIFAR-10 binary folder of one training batch, the test batch and the
// meta file: the first byte picks which of them the rest of the input
// replaces; the others are valid two-record batches and the CIFAR-10 names.
#include "data/dataset.h"
#include "fuzz_support.h"

namespace {

// A valid two-record batch, for the files the input does not replace.
std::vector<std::uint8_t> valid_batch() {
  std::string records;
  for (int r = 0; r < 2; ++r) {
    records.push_back(static_cast<char>(r));
    records.append(3072, static_cast<char>(40 * r));
  }
  return fuzz::vec(records);
}

fuzz::Outcome check_cifar(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return {};
  alexnet::CifarFiles files;
  files.train.emplace_back("data_batch_1.bin", valid_batch());
  files.test = {"test_batch.bin", valid_batch()};
  files.meta = "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n";
  const std::vector<std::uint8_t> input(data + 1, data + size);
  const int which = data[0] % 7;  // the file the rest of the input replaces (as when there were five batches)
  if (which < 5) files.train[0].second = input;
  else if (which == 5) files.test.second = input;
  else files.meta.assign(input.begin(), input.end());
  return fuzz::classify<alexnet::DataError>([&]() -> std::string {
    const alexnet::Dataset d = alexnet::parse_cifar10("cifar", files);
    if (d.train.size() == 0 || d.classes() == 0) return "accepted without images or classes";
    if (d.train.images.size(1) != 3) return "accepted with other than 3 channels";
    return "";
  });
}

}  // namespace

#ifdef ALEXNET_LIBFUZZER
ALEXNET_FUZZ_ENTRY(check_cifar)
#else
#include <QtTest>

class FuzzCifarCorpus : public QObject {
  Q_OBJECT
 private slots:
  void seedCorpusIsParsedOrRefusedAsDocumented() {
    const fuzz::Replay r = fuzz::replay_corpus(ALEXNET_SOURCE_DIR "/tests/fuzz/corpus", "fuzz_cifar", check_cifar);
    QVERIFY2(r.findings.empty(), r.findings.c_str());
    QVERIFY(r.inputs >= 4);
    QVERIFY(r.accepted >= 3);
  }

  void shortAndMislabelledBatchesAreRefused() {
    for (const std::string& bad : {std::string("\x00", 1) + std::string(100, 'x'),             // a torn record
                                   std::string("\x05", 1),                                     // an empty test batch
                                   std::string("\x02\x2a", 2) + std::string(3072, '\x01')}) {  // label 42
      const fuzz::Outcome o = check_cifar(fuzz::bytes_of(bad), bad.size());
      QVERIFY2(o.finding.empty(), o.finding.c_str());
      QVERIFY(!o.accepted);
    }
  }
};

QObject* make_fuzz_cifar_test() { return new FuzzCifarCorpus; }
#include "fuzz_cifar.moc"
#endif
