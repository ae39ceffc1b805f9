#!/bin/sh
# Starts node-b and node-c on loopback, runs the examples from node-a, asks
# node-b about them with runnerctl, and stops the nodes.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${RUNNER_BIN:-$here/../../build}  # tools/scripts/build.sh builds there
cd "$here"
sh ./make-certs.sh "$here/certs" >/dev/null
"$bin/runner" serve --config node-c.yaml > /tmp/runner-node-c.log 2>&1 &
c=$!
"$bin/runner" serve --config node-b.yaml > /tmp/runner-node-b.log 2>&1 &
b=$!
trap 'kill $b $c 2>/dev/null || true' EXIT INT TERM
# Wait for both to listen (they print a line when they do).
for f in /tmp/runner-node-b.log /tmp/runner-node-c.log; do
  until grep -q 'listening on' "$f"; do
    kill -0 $b && kill -0 $c || { cat "$f"; exit 3; }
    sleep 0.1
  done
done
"$bin/runner" run secret-on-b.yaml --config node-a.yaml
"$bin/runner" run whole-group.yaml --config node-a.yaml
"$bin/runnerctl" --runner node-b --config node-a.yaml groups
"$bin/runnerctl" --runner 127.0.0.1:7702 --cert certs/admin.crt --key certs/admin.key \
  --ca certs/ca.crt describe whole-group
