#!/usr/bin/env python3
"""runner vs ninja on the same layered DAG of `true` commands (see gen_dag.py).

Wall time: the 2,000-task graph at parallelism 2, runs interleaved, medians.
Peak RSS: the 10,000-task graph, from /usr/bin/time -v, medians.
Prints a Markdown table; the figures in bench/README.md come from it.
--baseline OTHER_RUNNER also runs another runner binary (say, one built before a
change), interleaved with the two, and adds its row.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(cmd, cwd):
    """Wall seconds and peak RSS (KiB) of one run, via /usr/bin/time -v."""
    start = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, cwd=cwd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - start
    if p.returncode != 0:
        sys.exit("failed (%d): %s\n%s" % (p.returncode, " ".join(cmd), p.stderr[-2000:]))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    return wall, rss


def measure(runner, work, tasks, runs, jobs, baseline=None):
    yaml = os.path.join(work, "g%d.yaml" % tasks)
    ninja_file = os.path.join(work, "build%d.ninja" % tasks)
    subprocess.run([sys.executable, os.path.join(HERE, "gen_dag.py"), "--tasks", str(tasks),
                    "--yaml", yaml, "--ninja", ninja_file], check=True)
    out = {"runner": [], "ninja": [], "baseline": []}
    for _ in range(runs):
        out["runner"].append(timed([runner, "run", yaml, "--max-parallel", str(jobs),
                                    "--output", "json"], work))
        if baseline:
            out["baseline"].append(timed([baseline, "run", yaml, "--max-parallel", str(jobs),
                                          "--output", "json"], work))
        log = os.path.join(work, ".ninja_log")
        if os.path.exists(log):
            os.remove(log)  # every ninja run starts from nothing built, like runner
        out["ninja"].append(timed(["ninja", "-j%d" % jobs, "-f", ninja_file], work))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", default=os.path.join(HERE, "..", "build", "runner"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--baseline", help="another runner binary, measured in the same runs")
    a = ap.parse_args()
    if not shutil.which("ninja"):
        sys.exit("ninja not found: run tools/scripts/setup.sh")
    work = tempfile.mkdtemp(prefix="runner-bench-")
    try:
        base = os.path.abspath(a.baseline) if a.baseline else None
        speed = measure(os.path.abspath(a.runner), work, 2000, a.runs, 2, base)
        memory = measure(os.path.abspath(a.runner), work, 10000, a.runs, 2, base)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    med = lambda xs, k: statistics.median(x[k] for x in xs)
    rw, nw = med(speed["runner"], 0), med(speed["ninja"], 0)
    rm, nm = med(memory["runner"], 1), med(memory["ninja"], 1)
    print("| measure (median of %d) | runner | ninja | runner / ninja | target |" % a.runs)
    print("|---|---|---|---|---|")
    print("| wall time, 2,000 tasks, -j2 | %.3f s | %.3f s | %.2f | ≤ 1.00 |" % (rw, nw, rw / nw))
    print("| peak RSS, 10,000 tasks, -j2 | %.1f MiB | %.1f MiB | %.2f | ≤ 2.00 |"
          % (rm / 1024, nm / 1024, rm / nm))
    print("| (wall time, 10,000 tasks, -j2) | %.3f s | %.3f s | %.2f | |"
          % (med(memory["runner"], 0), med(memory["ninja"], 0),
             med(memory["runner"], 0) / med(memory["ninja"], 0)))
    if a.baseline:
        bw, bm = med(speed["baseline"], 0), med(memory["baseline"], 1)
        print("| baseline: wall time, 2,000 tasks / peak RSS, 10,000 tasks | %.3f s / %.1f MiB | "
              "| %.2f | |" % (bw, bm / 1024, bw / nw))
        print()
        print("raw wall times, 2,000 tasks, baseline: %s" % ", ".join(
            "%.3f" % x[0] for x in speed["baseline"]))
    print()
    print("raw wall times, 2,000 tasks: runner %s; ninja %s" % (
        ", ".join("%.3f" % x[0] for x in speed["runner"]),
        ", ".join("%.3f" % x[0] for x in speed["ninja"])))


if __name__ == "__main__":
    main()
