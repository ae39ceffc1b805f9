#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (build-fuzz, ASan and
# UBSan) and runs each for SECONDS (default 30) from its seeds in
# tests/fuzz/corpus/<target>/, printing how many inputs each ran:
#
#   tools/scripts/fuzz.sh [SECONDS]
#
# Fails when a target crashed, leaked, hit UB or took over 10 s on one input;
# the input is then in build-fuzz/crashes/<target>/ (reproduce:
# build-fuzz/tests/fuzz/fuzz_<target> FILE). New inputs found go to
# build-fuzz/corpus/<target>/, never to the committed seeds. RUNNER_JOBS sets
# the build's parallelism (default: nproc), RUNNER_FUZZ_CXX the compiler.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-30}"
build="$root/build-fuzz"
jobs="${RUNNER_JOBS:-$(nproc)}"

"$root/tools/scripts/setup.sh"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER="${RUNNER_FUZZ_CXX:-clang++-14}" -DRUNNER_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j "$jobs" --target fuzz

export ASAN_OPTIONS="halt_on_error=1:print_stacktrace=1:detect_leaks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
failed=()
for seeds in "$root"/tests/fuzz/corpus/*/; do
  target="$(basename "$seeds")"
  case "$target" in
    group_document|node_config) max_len=16384 ;;
    *) max_len=4096 ;;
  esac
  dict=()
  [ -f "$root/tests/fuzz/$target.dict" ] && dict=(-dict="$root/tests/fuzz/$target.dict")
  mkdir -p "$build/corpus/$target" "$build/crashes/$target"
  log="$build/crashes/$target.log"
  status=0
  "$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/crashes/$target/" \
    "${dict[@]}" "$build/corpus/$target" "$seeds" >"$log" 2>&1 || status=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  if [ "$status" -ne 0 ]; then
    failed+=("$target")
    printf '%-18s FAILED after %s execs (exit %s); log: %s\n' "$target" "${execs:-?}" "$status" "$log"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|masker property|  (encoding|secret|form|text|masked):|artifact_prefix|Test unit written)' \
      "$log" | head -20 | sed 's/^/    /'
  else
    printf '%-18s %12s execs in %ss\n' "$target" "$execs" "$seconds"
  fi
done
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  exit 1
fi
