// The main of a benchmark written as Qt Test slots.
#pragma once

#include <QtTest>

// Runs `bench`'s slots. The benchmark's command-line arguments (a folder, a
// count) are its own, not Qt Test's options, so Qt Test sees the program name
// alone.
inline int run_benchmark(QObject& bench, char* program) {
  char* test_args[] = {program};
  return QTest::qExec(&bench, 1, test_args);
}
