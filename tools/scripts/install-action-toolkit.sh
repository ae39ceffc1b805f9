#!/usr/bin/env bash
# Installs the GitHub Actions toolkit (@actions/core, pinned by the committed
# tests/github_actions/toolkit/package-lock.json) into DEST-DIR/node_modules,
# for the github_action integration tests' test actions.
#
#   tools/scripts/install-action-toolkit.sh DEST-DIR
#
# Reruns are instant: DEST-DIR/.toolkit-stamp holds the sha256 of the lockfile
# that was installed, and nothing is done while it matches. ctest runs this as
# the fixture `action_toolkit` (tests/CMakeLists.txt).
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 DEST-DIR" >&2
  exit 2
fi
dest=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
toolkit=$(cd "$here/../../tests/github_actions/toolkit" && pwd)
lock=$toolkit/package-lock.json
stamp=$dest/.toolkit-stamp

for f in "$toolkit/package.json" "$lock"; do
  if [ ! -f "$f" ]; then
    echo "install-action-toolkit: $f is missing; it is part of the repository (git checkout it)" >&2
    exit 1
  fi
done

missing=()
command -v node >/dev/null 2>&1 || missing+=(node)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -ne 0 ]; then
  what=${missing[*]}
  echo "install-action-toolkit: ${what// / and } not found on PATH; the github_action tests run" \
       "their test actions with Node.js and install @actions/core with npm." >&2
  echo "install-action-toolkit: run tools/scripts/setup.sh (installs Debian's nodejs and npm" \
       "when they are absent), or install Node.js >= 18.17 with npm yourself." >&2
  exit 1
fi

sum=$(sha256sum "$lock" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && [ -d "$dest/node_modules/@actions/core" ]; then
  exit 0
fi

mkdir -p "$dest"
rm -f "$stamp"
cp "$toolkit/package.json" "$lock" "$dest/"
echo "install-action-toolkit: npm ci in $dest (node $(node --version), npm $(npm --version))"
if ! (cd "$dest" && npm ci --no-audit --no-fund); then
  echo "install-action-toolkit: npm ci failed in $dest; the npm registry must be reachable" \
       "(or its packages in npm's cache)" >&2
  exit 1
fi
if [ ! -f "$dest/node_modules/@actions/core/package.json" ]; then
  echo "install-action-toolkit: npm ci succeeded but $dest/node_modules/@actions/core is missing" >&2
  exit 1
fi
echo "$sum" > "$stamp"
