#!/usr/bin/env python3
"""A 1,000-task group run twice with the task cache (bench/README.md, "Task cache").

The group: N independent os_exec tasks, each writing one output and exporting
it, each with its own `cache: {key: bench-I}`. For every round, in a fresh
state directory (XDG_STATE_HOME):

  cold      `runner run` with an empty cache: every task runs and is stored
  all hits  the same again: no task runs, every result comes from the cache
  no cache  the same group without `cache` (the reference: what running costs)

Wall time of each `runner run` process, as a user waits for it; the script
checks that the second run really was N hits. Prints the medians as a
markdown table (--json for machine output).

    ninja -C build -j2 runner
    python3 bench/cache_group.py --build build --runs 5
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def group_yaml(tasks, cached):
    lines = ["id: cache-bench", "taskGroup:"]
    for i in range(tasks):
        lines += [f"  - name: t{i}",
                  "    type: os_exec",
                  f"    spec: {{command: 'echo \"v={i}\" >> \"$OUTPUT_FILE\"'}}",
                  "    exports: [{name: v}]"]
        if cached:
            lines.append(f"    cache: {{key: bench-{i}}}")
    return "\n".join(lines) + "\n"


def timed_run(runner, group, env):
    start = time.perf_counter()
    out = subprocess.run([runner, "run", group, "--output", "json"], env=env,
                         capture_output=True, text=True)
    wall = time.perf_counter() - start
    if out.returncode != 0:
        sys.exit(f"runner failed ({out.returncode}):\n{out.stderr[-2000:]}")
    result = json.loads(out.stdout)
    hits = sum(1 for r in result["results"].values() if r.get("cached"))
    return wall, hits


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build", help="build directory holding `runner`")
    ap.add_argument("--tasks", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5, help="rounds (each: cold, hits, no cache)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    runner = os.path.join(args.build, "runner")

    work = tempfile.mkdtemp(prefix="cache_bench.")
    try:
        cached = os.path.join(work, "cached.yaml")
        plain = os.path.join(work, "plain.yaml")
        with open(cached, "w") as f:
            f.write(group_yaml(args.tasks, True))
        with open(plain, "w") as f:
            f.write(group_yaml(args.tasks, False))
        times = {"cold": [], "hits": [], "nocache": []}
        for r in range(args.runs):
            state = os.path.join(work, f"state{r}")
            env = dict(os.environ, XDG_STATE_HOME=state)
            wall, hits = timed_run(runner, cached, env)
            if hits != 0:
                sys.exit(f"round {r}: the cold run had {hits} hits")
            times["cold"].append(wall)
            wall, hits = timed_run(runner, cached, env)
            if hits != args.tasks:
                sys.exit(f"round {r}: the second run had {hits} hits, not {args.tasks}")
            times["hits"].append(wall)
            wall, _ = timed_run(runner, plain, env)
            times["nocache"].append(wall)
            shutil.rmtree(state)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    med = {k: statistics.median(v) for k, v in times.items()}
    if args.json:
        print(json.dumps({"tasks": args.tasks, "runs": args.runs, "wall_s": times,
                          "median_s": med}, indent=2))
        return
    print(f"| {args.tasks} tasks, median of {args.runs} | wall time | runs |")
    print("|---|---|---|")
    label = {"cold": "cold (every task runs and is stored)",
             "hits": "again, all hits (no task runs)",
             "nocache": "the same group without `cache`"}
    for k in ("cold", "hits", "nocache"):
        print(f"| {label[k]} | {med[k]:.3f} s | "
              + ", ".join(f"{t:.3f}" for t in times[k]) + " |")


if __name__ == "__main__":
    main()
