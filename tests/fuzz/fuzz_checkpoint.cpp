// What --resume reads of a checkpoint before any libtorch archive: the input is
// split at NUL bytes into a variant name, checkpoints/latest.json and
// checkpoints/N/state.json (that variant's counters and histogram edges).
#include "fuzz_support.h"
#include "spec/presets.h"
#include "run/checkpoint.h"
#include "run/run_paths.h"
#include "run/run_store.h"
#include "train/variant_state.h"

namespace {

fuzz::Outcome check_checkpoint(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string> parts = fuzz::split(data, size, 3);
  return fuzz::classify<alexnet::StoreError>([&]() -> std::string {
    const alexnet::CheckpointPointer pointer = alexnet::parse_checkpoint_pointer(parts[1], "latest.json");
    if (!alexnet::is_plain_relative_path(pointer.folder_name) || pointer.folder_name.find('/') != std::string::npos) {
      return "a checkpoint pointer that leaves checkpoints/";
    }
    std::vector<alexnet::VariantState> variants(1);
    variants[0].spec.name = parts[0];
    (void)alexnet::parse_checkpoint_state(parts[2], "state.json", pointer.iteration, variants);
    return "";
  });
}

}  // namespace

#ifdef ALEXNET_LIBFUZZER
ALEXNET_FUZZ_ENTRY(check_checkpoint)
#else
#include <QtTest>

class FuzzCheckpointCorpus : public QObject {
  Q_OBJECT
 private slots:
  void seedCorpusIsParsedOrRefusedAsDocumented() {
    const fuzz::Replay r =
        fuzz::replay_corpus(ALEXNET_SOURCE_DIR "/tests/fuzz/corpus", "fuzz_checkpoint", check_checkpoint);
    QVERIFY2(r.findings.empty(), r.findings.c_str());
    QVERIFY(r.inputs >= 2);
    QVERIFY(r.accepted >= 2);  // real checkpoints are read
  }

  void pointersOutOfCheckpointsAreRefused() {
    for (const char* folder : {"../../outside", "/etc", "0000020/../../x", "", "..", "0000020/"}) {
      const std::string input =
          std::string("small") + '\0' + "{\"iteration\": 20, \"folder\": \"" + folder + "\"}" + '\0';
      const fuzz::Outcome o = check_checkpoint(fuzz::bytes_of(input), input.size());
      QVERIFY2(o.finding.empty(), o.finding.c_str());
      QVERIFY2(!o.accepted, folder);
    }
  }
};

QObject* make_fuzz_checkpoint_test() { return new FuzzCheckpointCorpus; }
#include "fuzz_checkpoint.moc"
#endif
