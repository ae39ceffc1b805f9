#!/usr/bin/env bash
# CI's checks beyond the suite (.ci/run runs them after tools/scripts/test.sh):
# one clang build (build-ci: ASan+UBSan, libFuzzer coverage, tests on) runs
# the whole suite sanitized, then every fuzz target for SECONDS (default 30).
#
#   tools/scripts/ci_checks.sh [SECONDS]
#
# One build for both halves the compile time of a separate sanitizer build
# and fuzz build. It is compiled at -O1 with line tables only: reports keep
# file:line, and the build fits CI's time on 2 cores. RUNNER_JOBS sets the
# parallelism (default: nproc).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-30}"
build="$root/build-ci"
jobs="${RUNNER_JOBS:-$(nproc)}"

"$root/tools/scripts/setup.sh"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
  -DCMAKE_CXX_COMPILER=clang++-14 -DRUNNER_SANITIZE=address -DRUNNER_FUZZ=ON >/dev/null
start=$SECONDS
cmake --build "$build" -j "$jobs"
echo "ci_checks: build took $((SECONDS - start)) s"

source "$root/tools/scripts/sanitizer_env.sh"
start=$SECONDS
(cd "$build" && ctest --output-on-failure -j "$jobs" --timeout 1200)
echo "ci_checks: sanitized suite took $((SECONDS - start)) s"
exec "$root/tools/scripts/fuzz_run.sh" "$build" "$seconds"
