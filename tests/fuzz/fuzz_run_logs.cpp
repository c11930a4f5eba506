// A run's logs, as the window and `export` draw them: the input is split at
// NUL bytes into metrics.csv, probes.jsonl, results.json and the bytes of the
// filter picture every probe line names.
#include "fuzz_support.h"
#include "run/run_paths.h"
#include "run/run_reader.h"
#include "run/run_store.h"

namespace {

fuzz::Outcome check_run_logs(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string> parts = fuzz::split(data, size, 4);
  return fuzz::classify<alexnet::StoreError>([&]() -> std::string {
    alexnet::RunContents run;
    alexnet::parse_metrics(parts[0], "metrics.csv", run);
    alexnet::parse_probes(
        parts[1], "probes.jsonl",
        [&](const std::string& relative, int tile, int columns, int rows) -> alexnet::FilterGrid {
          if (!alexnet::is_plain_relative_path(relative)) {
            throw std::logic_error("an unchecked path reached the loader");
          }
          return alexnet::decode_filter_png(parts[3], relative, tile, columns, rows);
        },
        run);
    if (!parts[2].empty()) alexnet::parse_results(parts[2], "results.json", run);
    for (const alexnet::ProbeResult& p : run.probes) {
      for (const alexnet::LayerProbe& l : p.layers) {
        if (l.activation.edges.size() != l.activation.counts.size() + 1) return "a histogram with mismatched edges";
      }
      const alexnet::FilterGrid& g = p.filters;
      if (!g.rgb.empty() && g.rgb.size() != std::size_t(g.width) * std::size_t(g.height) * 3) {
        return "a filter grid whose pixels do not match its size";
      }
    }
    return "";
  });
}

}  // namespace

#ifdef ALEXNET_LIBFUZZER
ALEXNET_FUZZ_ENTRY(check_run_logs)
#else
#include <QtTest>

class FuzzRunLogsCorpus : public QObject {
  Q_OBJECT
 private slots:
  void seedCorpusIsParsedOrRefusedAsDocumented() {
    const fuzz::Replay r =
        fuzz::replay_corpus(ALEXNET_SOURCE_DIR "/tests/fuzz/corpus", "fuzz_run_logs", check_run_logs);
    QVERIFY2(r.findings.empty(), r.findings.c_str());
    QVERIFY(r.inputs >= 2);
  }
};

QObject* make_fuzz_run_logs_test() { return new FuzzRunLogsCorpus; }
#include "fuzz_run_logs.moc"
#endif
