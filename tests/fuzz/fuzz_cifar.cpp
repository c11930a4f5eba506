// A CIFAR-10 binary folder: the first byte picks which of its files the rest
// of the input replaces; the other files are valid two-record batches.
#include "dataset.h"
#include "fuzz_support.h"

namespace {

const char* const kFiles[] = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                              "data_batch_5.bin", "test_batch.bin",   "batches.meta.txt"};

void write_valid_folder() {
  std::string records;
  for (int r = 0; r < 2; ++r) {
    records.push_back(static_cast<char>(r));
    records.append(3072, static_cast<char>(40 * r));
  }
  for (int i = 0; i < 6; ++i) fuzz::put(std::string("cifar/") + kFiles[i], records);
  fuzz::put("cifar/batches.meta.txt", "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  write_valid_folder();
  fuzz::put(std::string("cifar/") + kFiles[data[0] % 7], data + 1, size - 1);
  try {
    const alexnet::Dataset d = alexnet::load_cifar10((fuzz::scratch() / "cifar").string());
    if (d.train.size() == 0 || d.classes() == 0) __builtin_trap();
  } catch (const alexnet::DataError&) {
  }
  return 0;
}
