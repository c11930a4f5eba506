// Hot loops compiled for AVX-512, AVX2 and plain x86-64, the best picked at
// load time, so one binary runs everywhere and uses what the CPU has.
// -fno-math-errno (core/CMakeLists.txt) lets sqrt and exp vectorise in them.
#pragma once

#define ALEXNET_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
