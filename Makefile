# The README's commands. Each installs missing Debian packages first.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
# ccache and precompiled headers only work together with these.
export CCACHE_SLOPPINESS := pch_defines,time_macros,include_file_mtime,include_file_ctime
# Relative paths let a fresh clone in another folder reuse the cache.
export CCACHE_BASEDIR := $(CURDIR)

.PHONY: run test deps build bench diagnose-bench sweep-bench slurm-test soak fuzz fuzz-smoke sanitize package format format-check clean

run: build
	$(BUILD_DIR)/app/alexnet-lab

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j 2

deps:
	@bash packaging/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Figures, not pass/fail: AlexNet Lab against PyTorch per variant, sgemm peak,
# data loader, side by side against the parts; then with and without the
# window, and event-loop latency while training.
bench: build
	@bash packaging/install-deps.sh bench
	/usr/bin/python3 tests/bench/compare.py $(BUILD_DIR)/app/alexnet-lab
	/usr/bin/python3 tests/bench/processes.py $(BUILD_DIR)/app/alexnet-lab
	$(BUILD_DIR)/tests/bench_stream $(BUILD_DIR)/bench-pictures 100000
	$(BUILD_DIR)/tests/bench_compare $(BUILD_DIR)/bench-runs
	$(BUILD_DIR)/tests/bench_inspect $(BUILD_DIR)/bench-inspect
	QT_QPA_PLATFORM=offscreen $(BUILD_DIR)/tests/bench_window

# Figures, not pass/fail: the findings engine against injected faults and
# healthy runs (recall per fault family, precision, latency, false alarms);
# about 20 minutes here (docs/findings.md).
diagnose-bench: build
	/usr/bin/python3 tests/bench/diagnose_bench.py $(BUILD_DIR)/app/alexnet-lab

# Figures, not pass/fail: ASHA against the full grid on a 27-trial space, and
# trials at once against one at a time (docs/sweeps.md); about 20 minutes here.
sweep-bench: build
	/usr/bin/python3 tests/bench/sweep_bench.py $(BUILD_DIR)/app/alexnet-lab

# Sweeps and data-parallel training on a real one-node Slurm cluster (slurm-wlm
# and munge as private daemons in a temporary folder; needs root): a job
# array sweep, srun -n 2 train against one process, a cancelled task resumed.
# Not part of `make test`: it installs and runs cluster daemons (docs/sweeps.md).
slurm-test: build
	@bash packaging/install-deps.sh slurm
	bash tests/slurm/slurm_test.sh $(BUILD_DIR)/app/alexnet-lab

# A .deb in build/: the program, presets, desktop entry, icons, AppStream, man page.
package: build
	cd $(BUILD_DIR) && cpack -G DEB
	@ls -l $(BUILD_DIR)/alexnet-lab_*.deb

# Memory must stay flat over a long run: 20,000 iterations of small through the trainer.
soak: build
	$(BUILD_DIR)/app/alexnet-lab bench --soak 20000 --variants small --input-size 64 --batch 8

# Each fuzz target calls its byte parser in memory for FUZZ_RUNS inputs
# (default a million; FUZZ_SECONDS caps the time), two targets at a time;
# prints executions, time, rate and coverage; keeps the minimised corpus in
# tests/fuzz/corpus; fails on any finding (saved in build-fuzz/findings).
FUZZ_RUNS ?= 1000000
FUZZ_SECONDS ?= 1200
FUZZ_MERGE ?= 1
fuzz:
	@bash packaging/install-deps.sh fuzz
	@cmake -S . -B build-fuzz -G Ninja -DALEXNET_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=clang++ >/dev/null
	cmake --build build-fuzz -j $(JOBS)
	FUZZ_RUNS=$(FUZZ_RUNS) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_MERGE=$(FUZZ_MERGE) bash packaging/fuzz.sh

# CI's guard on `make fuzz`: the same clang build, each target run for a few
# seconds, the kept corpus left alone.
fuzz-smoke:
	$(MAKE) fuzz FUZZ_RUNS=100000 FUZZ_SECONDS=5 FUZZ_MERGE=0

# `make test`'s suites built and run under AddressSanitizer and
# UndefinedBehaviorSanitizer (clang), in build-sanitize/. Not part of CI: it
# takes much longer than `make test` (see the README for the time).
# Everything runs 2-4 times slower under them: Qt Test's 5-minute limit per
# test function becomes 20 (the window's sweep test waits on child processes).
SANITIZER_OPTIONS := ASAN_OPTIONS=detect_leaks=0:alloc_dealloc_mismatch=0:detect_odr_violation=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 QTEST_FUNCTION_TIMEOUT=1200000
sanitize:
	@bash packaging/install-deps.sh fuzz
	@cmake -S . -B build-sanitize -G Ninja -DALEXNET_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=clang++ >/dev/null
	cmake --build build-sanitize -j $(JOBS)
	cd build-sanitize && $(SANITIZER_OPTIONS) ctest --output-on-failure -j 2 -E package

# The C++ sources in the style of .clang-format (Debian's clang-format 14):
# `make format` rewrites them, `make format-check` (CI) only says which differ.
FORMATTED = git ls-files '*.cpp' '*.h' ':!tests/fuzz/corpus'
format: deps
	$(FORMATTED) | xargs clang-format -i
format-check: deps
	$(FORMATTED) | xargs clang-format --dry-run --Werror

clean:
	rm -rf $(BUILD_DIR) build-fuzz build-sanitize
