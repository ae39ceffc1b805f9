#!/usr/bin/env bash
# Builds with sanitizers in a build dir of its own and runs tests there:
#
#   tools/scripts/sanitize.sh address [CTEST-ARGS...]  # ASan+UBSan, the whole suite (build-asan)
#   tools/scripts/sanitize.sh thread  [CTEST-ARGS...]  # TSan, actor/reactor/mesh tests (build-tsan)
#
# Everything is instrumented, `runner` and `runnerctl` included: the
# integration tests run those from the same build dir. A report fails the
# test it happened in (halt_on_error). Suppressions (tools/sanitizers/) are
# for third-party code only, each with its reason. RUNNER_JOBS sets the
# parallelism of the build and of ctest (default: nproc).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
kind="${1:-}"
[ $# -gt 0 ] && shift
case "$kind" in
  address) build="$root/build-asan" ;;
  thread) build="$root/build-tsan" ;;
  *) echo "usage: $0 address|thread [ctest args...]" >&2; exit 2 ;;
esac
jobs="${RUNNER_JOBS:-$(nproc)}"

"$root/tools/scripts/setup.sh"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DRUNNER_SANITIZE="$kind" >/dev/null
cmake --build "$build" -j "$jobs"

source "$root/tools/scripts/sanitizer_env.sh"

cd "$build"
if [ "$kind" = thread ]; then
  # Where threads meet: the CAF engine (actors), the reactor and its spawner,
  # the gate and the mesh (unit and integration).
  exec ctest --output-on-failure -j "$jobs" --timeout 1200 \
    -R '^(Engine[A-Za-z]*|TaskCacheExpiry|Reactor|Spawner|SpawnerWire|OsExec|CacheConcurrency|CacheWorker|Hello|Wire|Accept|GateLinkFraming|Mesh[A-Za-z]*|GitHubActionMesh|VaultMesh)\.' "$@"
fi
exec ctest --output-on-failure -j "$jobs" --timeout 1200 "$@"
