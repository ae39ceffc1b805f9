#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (build-fuzz, ASan and
# UBSan) and runs each for SECONDS (default 30) from its seeds in
# tests/fuzz/corpus/<target>/ (tools/scripts/fuzz_run.sh), printing how many
# inputs each ran:
#
#   tools/scripts/fuzz.sh [SECONDS]
#
# Fails when a target crashed, leaked, hit UB or took over 10 s on one input;
# the input is then in build-fuzz/crashes/<target>/ (reproduce:
# build-fuzz/tests/fuzz/fuzz_<target> FILE). RUNNER_JOBS sets the build's
# parallelism and how many targets run at once (default: nproc),
# RUNNER_FUZZ_CXX the compiler.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-30}"
build="$root/build-fuzz"
jobs="${RUNNER_JOBS:-$(nproc)}"

"$root/tools/scripts/setup.sh"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER="${RUNNER_FUZZ_CXX:-clang++-14}" -DRUNNER_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j "$jobs" --target fuzz
exec "$root/tools/scripts/fuzz_run.sh" "$build" "$seconds"
