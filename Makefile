# The README's commands. Each installs missing Debian packages first.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
# ccache and precompiled headers only work together with these.
export CCACHE_SLOPPINESS := pch_defines,time_macros,include_file_mtime,include_file_ctime
# Relative paths let a fresh clone in another folder reuse the cache.
export CCACHE_BASEDIR := $(CURDIR)

.PHONY: run test deps build bench soak fuzz package clean

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
	QT_QPA_PLATFORM=offscreen $(BUILD_DIR)/tests/bench_window

# A .deb in build/: the program, presets, desktop entry, icons, AppStream, man page.
package: build
	cd $(BUILD_DIR) && cpack -G DEB
	@ls -l $(BUILD_DIR)/alexnet-lab_*.deb

# Memory must stay flat over a long run: 20,000 iterations of small through the trainer.
soak: build
	$(BUILD_DIR)/app/alexnet-lab bench --soak 20000 --variants small --input-size 64 --batch 8

# Each fuzz target runs FUZZ_SECONDS from the seed corpus in tests/fuzz/corpus;
# what it learns goes to build-fuzz/corpus, crashes to build-fuzz/findings.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := fuzz_idx fuzz_cifar fuzz_spec fuzz_run_reader
fuzz:
	@bash packaging/install-deps.sh fuzz
	@cmake -S . -B build-fuzz -G Ninja -DALEXNET_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=clang++ >/dev/null
	cmake --build build-fuzz -j $(JOBS)
	@mkdir -p build-fuzz/findings
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p build-fuzz/corpus/$$t; \
	  echo "== $$t: $(FUZZ_SECONDS) s"; \
	  ASAN_OPTIONS=detect_leaks=0:alloc_dealloc_mismatch=0 build-fuzz/tests/fuzz/$$t \
	    -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 -max_len=65536 -timeout=20 -print_final_stats=1 \
	    -artifact_prefix=build-fuzz/findings/$$t- \
	    build-fuzz/corpus/$$t tests/fuzz/corpus/$$t 2>&1 | grep -E "^(#[0-9]+ +DONE|INFO: seed corpus|==[0-9]+==ERROR|SUMMARY|stat::number_of_executed_units|artifact_prefix)|Test unit written" || true; \
	  if ls build-fuzz/findings/$$t-* >/dev/null 2>&1; then echo "$$t: FINDINGS in build-fuzz/findings"; exit 1; fi; \
	done; echo "fuzz: no findings"

clean:
	rm -rf $(BUILD_DIR) build-fuzz
