#!/usr/bin/env bash
# Runs every libFuzzer target built in BUILD_DIR (BUILD_DIR/tests/fuzz/
# fuzz_<target>) for SECONDS each from its seeds in tests/fuzz/corpus/<target>/,
# RUNNER_JOBS targets at a time (default: nproc), and prints how many inputs
# each ran:
#
#   tools/scripts/fuzz_run.sh BUILD_DIR SECONDS
#
# Fails when a target crashed, leaked, hit UB, broke its property or took
# over 10 s on one input; the input is then in BUILD_DIR/crashes/<target>/
# (reproduce: BUILD_DIR/tests/fuzz/fuzz_<target> FILE). New inputs found go
# to BUILD_DIR/corpus/<target>/, never to the committed seeds.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$1"
seconds="$2"
jobs="${RUNNER_JOBS:-$(nproc)}"
source "$root/tools/scripts/sanitizer_env.sh"

# One target; its one-line report goes to BUILD_DIR/crashes/<target>.result.
run_target() {
  local target="$1" max_len=4096 status=0
  case "$target" in group_document|node_config) max_len=16384 ;; esac
  local dict=()
  [ -f "$root/tests/fuzz/$target.dict" ] && dict=(-dict="$root/tests/fuzz/$target.dict")
  mkdir -p "$build/corpus/$target" "$build/crashes/$target"
  local log="$build/crashes/$target.log"
  "$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/crashes/$target/" \
    "${dict[@]}" "$build/corpus/$target" "$root/tests/fuzz/corpus/$target" >"$log" 2>&1 || status=$?
  local execs
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  if [ "$status" -ne 0 ]; then
    {
      printf '%-18s FAILED after %s execs (exit %s); log: %s\n' "$target" "${execs:-?}" "$status" "$log"
      grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|masker property|  (encoding|secret|form|text|masked):|Test unit written)' \
        "$log" | head -20 | sed 's/^/    /' || true  # a log may match none of these
    } >"$build/crashes/$target.result"
  else
    printf '%-18s %12s execs in %ss\n' "$target" "$execs" "$seconds" >"$build/crashes/$target.result"
  fi
}

targets=()
for seeds in "$root"/tests/fuzz/corpus/*/; do
  targets+=("$(basename "$seeds")")
done
running=0
for target in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true  # a target's verdict is in its .result file
    running=$((running - 1))
  fi
  run_target "$target" &
  running=$((running + 1))
done
wait

failed=()
for target in "${targets[@]}"; do
  cat "$build/crashes/$target.result"
  grep -q ' FAILED after ' "$build/crashes/$target.result" && failed+=("$target")
done
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  exit 1
fi
