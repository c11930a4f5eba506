// A run folder as the window and `export` reopen it, and as --resume reads its
// config and checkpoint: the input is split at NUL bytes into config.json,
// metrics.csv, probes.jsonl, results.json, checkpoints/latest.json,
// checkpoints/N/state.json and the bytes of every filter picture the probes
// name. Everything is parsed from memory, as read_run and load_checkpoint do
// after reading the files.
#include <filesystem>

#include "fuzz_support.h"
#include "presets.h"
#include "run/checkpoint.h"
#include "run/run_paths.h"
#include "run/run_reader.h"
#include "run/run_store.h"
#include "variant_state.h"

namespace {

fuzz::Outcome check_run_folder(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string> parts = fuzz::split(data, size, 7);
  alexnet::RunFiles files;
  files.config = parts[0];
  auto optional = [&](std::size_t i) { return parts[i].empty() ? std::nullopt : std::optional<std::string>(parts[i]); };
  files.metrics = optional(1);
  files.probes = optional(2);
  files.results = optional(3);
  const std::string& png = parts[6];
  fuzz::Outcome opened = fuzz::classify<alexnet::StoreError>([&]() -> std::string {
    alexnet::RunContents run = alexnet::parse_run(
        "run", files, [&](const std::string& relative, int tile, int columns, int rows) -> alexnet::FilterGrid {
          if (!alexnet::is_plain_relative_path(relative)) throw std::logic_error("an unchecked path reached the loader");
          return alexnet::decode_filter_png(png, relative, tile, columns, rows);
        });
    for (const alexnet::ProbeResult& p : run.probes) {
      for (const alexnet::LayerProbe& l : p.layers) {
        if (l.activation.edges.size() != l.activation.counts.size() + 1) return "a histogram with mismatched edges";
      }
      const alexnet::FilterGrid& g = p.filters;
      if (!g.rgb.empty() && g.rgb.size() != std::size_t(g.width) * std::size_t(g.height) * 3) {
        return "a filter grid whose pixels do not match its size";
      }
    }
    // What --resume does next with the config: the checkpoint's pointer and counters.
    if (!parts[4].empty()) {
      const alexnet::CheckpointPointer pointer = alexnet::parse_checkpoint_pointer(parts[4], "latest.json");
      if (!alexnet::is_plain_relative_path(pointer.folder_name) || pointer.folder_name.find('/') != std::string::npos) {
        return "a checkpoint pointer that leaves checkpoints/";
      }
      std::vector<alexnet::VariantState> variants;
      for (const alexnet::VariantSpec& spec : run.config.variants) {
        variants.emplace_back();
        variants.back().spec = spec;
      }
      (void)alexnet::parse_checkpoint_state(parts[5], "state.json", pointer.iteration, variants);
    }
    return "";
  });
  return opened;
}

}  // namespace

#ifdef ALEXNET_LIBFUZZER
ALEXNET_FUZZ_ENTRY(check_run_folder)
#else
#include <QtTest>

class FuzzRunReaderCorpus : public QObject {
  Q_OBJECT
 private slots:
  void seedCorpusIsOpenedOrRefusedAsDocumented() {
    const fuzz::Replay r = fuzz::replay_corpus(ALEXNET_SOURCE_DIR "/tests/fuzz/corpus", "fuzz_run_reader", check_run_folder);
    QVERIFY2(r.findings.empty(), r.findings.c_str());
    QVERIFY(r.inputs >= 2);
    QVERIFY(r.accepted >= 2);  // the real run folders open
  }

  // What reading found: a config.json whose data_summary is not an object.
  void damagedConfigsAreRefusedOrWarnedAbout() {
    const auto seeds = fuzz::corpus(ALEXNET_SOURCE_DIR "/tests/fuzz/corpus", "fuzz_run_reader");
    std::string config;
    for (const auto& seed : seeds) {
      const std::string first = seed.second.substr(0, seed.second.find('\0'));
      if (first.find("\"data_summary\"") != std::string::npos) config = first;
    }
    const std::size_t at = config.find("\"data_summary\"");
    QVERIFY(at != std::string::npos);
    const std::string odd = config.substr(0, at) + "\"data_summary\": 7, \"x_was_summary\"" +
                            config.substr(at + std::string("\"data_summary\"").size());
    const fuzz::Outcome o = check_run_folder(fuzz::bytes_of(odd), odd.size());
    QVERIFY2(o.finding.empty(), o.finding.c_str());
    for (const std::string& bad : {std::string("{"), std::string("{\"variants\": 3}"), std::string(),
                                   std::string(100000, '['), config + std::string(4, '\0') + R"({"iteration": 1, "folder": "../../x"})"}) {
      const fuzz::Outcome refused = check_run_folder(fuzz::bytes_of(bad), bad.size());
      QVERIFY2(refused.finding.empty(), refused.finding.c_str());
      QVERIFY(!refused.accepted);
    }
  }
};

QObject* make_fuzz_run_reader_test() { return new FuzzRunReaderCorpus; }
#include "fuzz_run_reader.moc"
#endif
