#!/usr/bin/env bash
# Set up, build, and run the whole test suite: README's second command.
# ctest's summary is the last thing it prints.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
"$root/tools/scripts/setup.sh"
"$root/tools/scripts/build.sh"
cd "${RUNNER_BUILD_DIR:-$root/build}"
exec ctest --output-on-failure -j "$(nproc)" --timeout 600
