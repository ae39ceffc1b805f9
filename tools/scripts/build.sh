#!/usr/bin/env bash
# Configures and builds into ./build (Release-with-debug-info, Ninja, ccache).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${RUNNER_BUILD_DIR:-$root/build}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)" "$@"
