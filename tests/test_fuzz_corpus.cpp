// The fuzz targets' checks, run by CTest without libFuzzer: each replays its
// seed corpus (tests/fuzz/corpus) and the inputs that fuzzing found, and
// asserts that every input is parsed or refused with the documented error.
#include <QCoreApplication>
#include <QtTest>

#include <memory>

#include "fuzz/fuzz_support.h"

QObject* make_fuzz_idx_test();
QObject* make_fuzz_cifar_test();
QObject* make_fuzz_spec_test();
QObject* make_fuzz_model_card_test();
QObject* make_fuzz_run_config_test();
QObject* make_fuzz_run_logs_test();
QObject* make_fuzz_checkpoint_test();
QObject* make_fuzz_picture_header_test();

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  int failures = 0;
  for (auto make :
       {make_fuzz_idx_test, make_fuzz_cifar_test, make_fuzz_spec_test, make_fuzz_model_card_test,
        make_fuzz_run_config_test, make_fuzz_run_logs_test, make_fuzz_checkpoint_test, make_fuzz_picture_header_test}) {
    const std::unique_ptr<QObject> suite(make());
    failures += QTest::qExec(suite.get(), argc, argv);
  }
  return failures == 0 ? 0 : 1;
}
