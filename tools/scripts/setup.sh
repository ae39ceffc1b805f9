#!/usr/bin/env bash
# Installs every Debian package the build, the tests and the benchmarks need.
# Idempotent: packages already present are left alone, so rerunning is cheap.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config
  libcaf-dev libyaml-cpp-dev libspdlog-dev nlohmann-json3-dev libcli11-dev
  libssl-dev openssl libgtest-dev libgmock-dev
  time procps python3 iproute2
  libcpp-httplib-dev python3-hvac libcurl4-openssl-dev libtbb-dev git
  libsqlite3-dev libbenchmark-dev libre2-dev
  clang-14 libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm for the github_action tests (node runs the test actions, npm
# installs @actions/core from tests/github_actions/toolkit's lockfile). A node
# already on PATH (e.g. nodesource's, which brings its own npm) is kept: Debian's
# npm is only added when there is no npm at all.
if ! command -v node >/dev/null 2>&1; then
  missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
elif ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
echo "setup: installing ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
