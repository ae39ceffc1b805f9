#!/usr/bin/env bash
# Set up, build, and run the example task group: README's first command.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
"$root/tools/scripts/setup.sh"
"$root/tools/scripts/build.sh" --target runner
exec "$root/build/runner" run "$root/examples/${1:-diamond.yaml}"
