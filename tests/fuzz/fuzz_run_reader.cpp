// A run folder as the window and `export` reopen it, and as --resume reads its
// config and checkpoint pointer: the input is split at NUL bytes into
// config.json, metrics.csv, probes.jsonl, results.json and checkpoints/latest.json.
#include <filesystem>

#include "checkpoint.h"
#include "fuzz_support.h"
#include "run_reader.h"
#include "run_store.h"
#include "trainer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string> parts = fuzz::split(data, size, 5);
  const char* const names[] = {"run/config.json", "run/metrics.csv", "run/probes.jsonl", "run/results.json",
                               "run/checkpoints/latest.json"};
  std::filesystem::remove_all(fuzz::scratch() / "run");
  for (int i = 0; i < 5; ++i) {
    if (!parts[std::size_t(i)].empty() || i == 0) fuzz::put(names[i], parts[std::size_t(i)]);
  }
  const std::string dir = (fuzz::scratch() / "run").string();
  try {
    (void)alexnet::read_run(dir);
  } catch (const alexnet::StoreError&) {
  }
  try {
    (void)alexnet::Trainer::resume_config(dir);
    (void)alexnet::find_checkpoint(dir);
  } catch (const alexnet::StoreError&) {
  }
  return 0;
}
