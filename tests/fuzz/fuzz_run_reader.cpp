// A run folder as the window and `export` reopen it, and as --resume reads its
// config and checkpoint pointer: the input is split at NUL bytes into
// config.json, metrics.csv, probes.jsonl, results.json and checkpoints/latest.json.
#include <filesystem>

#include "run/checkpoint.h"
#include "fuzz_support.h"
#include "run/run_reader.h"
#include "run/run_store.h"
#include "trainer.h"

namespace {

fuzz::Outcome check_run_folder(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string> parts = fuzz::split(data, size, 5);
  const char* const names[] = {"run/config.json", "run/metrics.csv", "run/probes.jsonl", "run/results.json",
                               "run/checkpoints/latest.json"};
  std::filesystem::remove_all(fuzz::scratch() / "run");
  for (int i = 0; i < 5; ++i) {
    if (!parts[std::size_t(i)].empty() || i == 0) fuzz::put(names[i], parts[std::size_t(i)]);
  }
  const std::string dir = (fuzz::scratch() / "run").string();
  fuzz::Outcome opened = fuzz::classify<alexnet::StoreError>([&]() -> std::string {
    const alexnet::RunContents run = alexnet::read_run(dir);
    for (const alexnet::ProbeResult& p : run.probes) {
      for (const alexnet::LayerProbe& l : p.layers) {
        if (l.activation.edges.size() != l.activation.counts.size() + 1) return "a histogram with mismatched edges";
      }
    }
    return "";
  });
  if (!opened.finding.empty()) return opened;
  const fuzz::Outcome resumed = fuzz::classify<alexnet::StoreError>([&]() -> std::string {
    (void)alexnet::Trainer::resume_config(dir);
    (void)alexnet::find_checkpoint(dir);
    return "";
  });
  return resumed.finding.empty() ? opened : resumed;
}

}  // namespace

#ifdef ALEXNET_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::trap_on(check_run_folder(data, size));
  return 0;
}
#else
#include <QtTest>

class FuzzRunReaderCorpus : public QObject {
  Q_OBJECT
 private slots:
  void seedCorpusIsOpenedOrRefusedAsDocumented() {
    int accepted = 0;
    const auto inputs = fuzz::corpus(ALEXNET_SOURCE_DIR "/tests/fuzz/corpus", "fuzz_run_reader");
    QVERIFY(inputs.size() >= 2);
    for (const auto& [name, bytes] : inputs) {
      const fuzz::Outcome o = check_run_folder(fuzz::bytes_of(bytes), bytes.size());
      QVERIFY2(o.finding.empty(), qPrintable(QString::fromStdString(name + ": " + o.finding)));
      accepted += o.accepted;
    }
    QVERIFY(accepted >= 2);  // the real run folders open
  }

  // What reading found: a config.json whose data_summary is not an object.
  void damagedConfigsAreRefusedOrWarnedAbout() {
    const auto seeds = fuzz::corpus(ALEXNET_SOURCE_DIR "/tests/fuzz/corpus", "fuzz_run_reader");
    std::string config = seeds.front().second.substr(0, seeds.front().second.find('\0'));
    const std::size_t at = config.find("\"data_summary\"");
    QVERIFY(at != std::string::npos);
    const std::string odd = config.substr(0, at) + "\"data_summary\": 7, \"x_was_summary\"" +
                            config.substr(at + std::string("\"data_summary\"").size());
    const fuzz::Outcome o = check_run_folder(fuzz::bytes_of(odd), odd.size());
    QVERIFY2(o.finding.empty(), o.finding.c_str());
    for (const std::string& bad : {std::string("{"), std::string("{\"variants\": 3}"), std::string()}) {
      const fuzz::Outcome refused = check_run_folder(fuzz::bytes_of(bad), bad.size());
      QVERIFY2(refused.finding.empty(), refused.finding.c_str());
      QVERIFY(!refused.accepted);
    }
  }
};

QObject* make_fuzz_run_reader_test() { return new FuzzRunReaderCorpus; }
#include "fuzz_run_reader.moc"
#endif
