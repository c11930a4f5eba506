# The README's commands. Each installs missing Debian packages first.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
# ccache and precompiled headers only work together with these.
export CCACHE_SLOPPINESS := pch_defines,time_macros,include_file_mtime,include_file_ctime
# Relative paths let a fresh clone in another folder reuse the cache.
export CCACHE_BASEDIR := $(CURDIR)

.PHONY: run test deps build bench clean

run: build
	$(BUILD_DIR)/app/alexnet-lab

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j 2

deps:
	@bash packaging/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Figures, not pass/fail: throughput with and without the window, event-loop latency.
bench: build
	QT_QPA_PLATFORM=offscreen $(BUILD_DIR)/tests/bench_window

clean:
	rm -rf $(BUILD_DIR)
