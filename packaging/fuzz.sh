#!/bin/bash
# Runs every fuzz target (built by `make fuzz` in build-fuzz/) for FUZZ_RUNS
# inputs (default 1,000,000) or at most FUZZ_SECONDS, two at a time (one per
# core), then prints per target the executions, the seconds, the executions
# per second and the coverage reached. What fuzzing learns is
# minimised into tests/fuzz/corpus (only inputs that add coverage are kept);
# a crash, hang or broken invariant is saved to build-fuzz/findings and fails.
# FUZZ_MERGE=0 leaves tests/fuzz/corpus as it is (CI's short run).
set -euo pipefail
seconds=${FUZZ_SECONDS:-1200}
runs=${FUZZ_RUNS:-1000000}
targets=${FUZZ_TARGETS:-"fuzz_idx fuzz_cifar fuzz_spec fuzz_run_config fuzz_run_logs fuzz_checkpoint fuzz_model_card fuzz_picture_header"}
jobs=${FUZZ_JOBS:-$(nproc)}
out=build-fuzz
mkdir -p "$out/findings" "$out/logs"
export ASAN_OPTIONS=detect_leaks=0:alloc_dealloc_mismatch=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# Inputs as large as the files they stand for need: two CIFAR records are
# 6 KB; a small run's config, log lines or checkpoint state fit in 8 KB. Larger
# inputs only slow the search down.
max_len() {
  case $1 in
    fuzz_cifar|fuzz_idx) echo 16384 ;;
    *) echo 8192 ;;
  esac
}
export -f max_len

run_one() {
  local t=$1
  mkdir -p "$out/corpus/$t"
  local start=$SECONDS
  "$out/tests/fuzz/$t" -runs="$runs" -max_total_time="$seconds" -rss_limit_mb=4096 -max_len="$(max_len "$t")" -timeout=20 \
    -print_final_stats=1 -artifact_prefix="$out/findings/$t-" "$out/corpus/$t" "tests/fuzz/corpus/$t" \
    >"$out/logs/$t.log" 2>&1 || true
  echo "$((SECONDS - start))" >"$out/logs/$t.seconds"
}
export -f run_one
export out seconds runs
echo "fuzzing $(echo $targets | wc -w) targets, $runs inputs each (at most $seconds s), $jobs at a time"
printf '%s\n' $targets | xargs -P "$jobs" -I{} bash -c 'run_one {}'

failed=0
printf '%-18s %12s %8s %10s %8s %9s %s\n' target executions seconds "exec/s" edges features result
for t in $targets; do
  log="$out/logs/$t.log"
  done_runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
  result="no findings"
  if ls "$out/findings/$t-"* >/dev/null 2>&1 || grep -qE '^==[0-9]+==ERROR|^finding:' "$log"; then
    result="FINDINGS: see $log and $out/findings"
    failed=1
  fi
  printf '%-18s %12s %8s %10s %8s %9s %s\n' "$t" "${done_runs:-?}" "$(cat "$out/logs/$t.seconds")" "${rate:-?}" \
    "$(echo "$cov" | awk '{print $2}')" "$(echo "$cov" | awk '{print $4}')" "$result"
done
[ "$failed" = 0 ] || exit 1
if [ "${FUZZ_MERGE:-1}" = 0 ]; then
  echo "fuzz: no findings (the corpus is left as it was)"
  exit 0
fi

# Keep what fuzzing learnt, minimised: the smallest set of inputs that covers
# what the kept corpus and the new one cover replaces tests/fuzz/corpus/TARGET.
# Hand-made seeds (named, not hashed) stay by name: tests refer to them.
for t in $targets; do
  kept="tests/fuzz/corpus/$t"
  min="$out/minimised/$t"
  rm -rf "$min" && mkdir -p "$min"
  before=$(ls "$kept" | wc -l)
  "$out/tests/fuzz/$t" -merge=1 -max_len="$(max_len "$t")" -timeout=20 -rss_limit_mb=4096 "$min" "$kept" "$out/corpus/$t" \
    >"$out/logs/$t.merge.log" 2>&1 || { echo "$t: merge failed, see $out/logs/$t.merge.log"; exit 1; }
  for f in "$kept"/*; do
    name=$(basename "$f")
    [[ "$name" =~ ^[0-9a-f]{40}$ ]] || cp "$f" "$min/"
  done
  rm -rf "$kept" && cp -r "$min" "$kept"
  echo "$t: corpus $before -> $(ls "$kept" | wc -l) inputs ($(du -sh "$kept" | cut -f1)) in $kept"
done
echo "fuzz: no findings"
