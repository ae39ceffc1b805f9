#!/usr/bin/env python3
"""In-process engine throughput, runner vs oneTBB flow graph (bench/README.md, issue 4).

For each shape (chain, fanout, layered16) of N expression_evaluation tasks it
runs, interleaved and each in its own process (so peak RSS is that run's):

  engine_throughput --shape S --tasks N   the runner engine in-process
  tbb_flow_graph    --shape S --tasks N   the same graph as oneTBB continue_nodes
  tbb_flow_graph    ... --expression        the same, each node doing the runner's
                                          expression work (parse + render its template)
  runner run S.yaml --output json         end to end: parse, validate, run,
                                          result JSON (wall time and peak RSS
                                          of the whole process, from wait4)

and prints the medians as a markdown table. Target (in-process figure):
>= 100,000 tasks/s and <= 4 KB peak RSS per task.

    ninja -C build -j2 engine_throughput tbb_flow_graph runner
    python3 bench/engine_throughput.py --build build --runs 5
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

SHAPES = ["chain", "fanout", "layered16"]
TARGET_TASKS_PER_S = 100_000
TARGET_RSS_PER_TASK = 4096


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def successes(result_file):
    """Statuses of the group and of its tasks that say success, read line by line.

    Not json.load: the result of 100,000 tasks would grow this process by some
    150 MB, and Linux passes a parent's peak RSS on to the children it starts
    (exec keeps the old image's high-water mark), which would then report it
    as their own.
    """
    n = 0
    for line in result_file:
        n += line.strip().rstrip(b",") == b'"status": "success"'
    return n


def run_end_to_end(runner, yaml_path, tasks):
    """Wall time and peak RSS of one `runner run`, checked for success."""
    with tempfile.TemporaryFile() as out:
        t0 = time.monotonic()
        p = subprocess.Popen([runner, "run", yaml_path, "--output", "json"], stdout=out,
                             stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        ok = p.returncode == 0 and successes(out) == tasks + 1
    if not ok:
        sys.exit("runner run %s failed: exit %d" % (yaml_path, p.returncode))
    return {"seconds": wall, "tasks_per_s": tasks / wall,
            "rss_per_task_bytes": usage.ru_maxrss * 1024.0 / tasks,
            "peak_rss_kib": usage.ru_maxrss}


def median_of(runs, key):
    return statistics.median(r[key] for r in runs)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build", help="directory with the three binaries")
    ap.add_argument("--tasks", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5, help="repetitions; medians are reported")
    ap.add_argument("--shapes", default=",".join(SHAPES))
    ap.add_argument("--no-e2e", action="store_true", help="skip `runner run`")
    ap.add_argument("--json", action="store_true", help="also print every run as JSON lines")
    a = ap.parse_args()
    bench = os.path.join(a.build, "engine_throughput")
    tbb = os.path.join(a.build, "tbb_flow_graph")
    runner = os.path.join(a.build, "runner")
    have_tbb = os.path.exists(tbb)
    if not os.path.exists(bench) or (not a.no_e2e and not os.path.exists(runner)):
        sys.exit("build first: ninja -C %s -j2 engine_throughput tbb_flow_graph runner" % a.build)
    shapes = a.shapes.split(",")

    engines = ("runner", "tbb", "tbb+expression", "e2e")
    runs = {(s, e): [] for s in shapes for e in engines}
    with tempfile.TemporaryDirectory() as work:
        yamls = {}
        for s in shapes:
            yamls[s] = os.path.join(work, s + ".yaml")
            subprocess.run([bench, "--shape", s, "--tasks", str(a.tasks), "--write-yaml", yamls[s]],
                           check=True)
        for rep in range(a.runs):
            for s in shapes:
                # Rotate the order so that no engine always runs right after another.
                order = list(engines)
                order = order[rep % len(order):] + order[:rep % len(order)]
                for e in order:
                    if e == "runner":
                        r = run_json([bench, "--shape", s, "--tasks", str(a.tasks)])
                        if r["wrong_results"]:
                            sys.exit("engine_throughput: %d wrong results" % r["wrong_results"])
                    elif e.startswith("tbb"):
                        if not have_tbb:
                            continue
                        extra = ["--expression"] if e == "tbb+expression" else []
                        r = run_json([tbb, "--shape", s, "--tasks", str(a.tasks)] + extra)
                    else:
                        if a.no_e2e:
                            continue
                        r = run_end_to_end(runner, yamls[s], a.tasks)
                    r.update(engine=e, shape=s, run=rep)
                    runs[(s, e)].append(r)
                    if a.json:
                        print(json.dumps(r), flush=True)

    print("%d tasks a group, median of %d runs, %d cores\n" % (a.tasks, a.runs, os.cpu_count()))
    print("| shape | runner tasks/s | TBB tasks/s | runner / TBB | TBB + expression work "
          "tasks/s | runner / (TBB + expression) | runner RSS/task | TBB RSS/task | target met | "
          "`runner run` wall | `runner run` tasks/s | `runner run` RSS/task |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for s in shapes:
        r = runs[(s, "runner")]
        t = runs[(s, "tbb")]
        x = runs[(s, "tbb+expression")]
        e = runs[(s, "e2e")]
        rt, rr = median_of(r, "tasks_per_s"), median_of(r, "rss_per_task_bytes")
        tt = median_of(t, "tasks_per_s") if t else None
        xt = median_of(x, "tasks_per_s") if x else None
        met = rt >= TARGET_TASKS_PER_S and rr <= TARGET_RSS_PER_TASK
        cells = [s, "{:,.0f}".format(rt),
                 "{:,.0f}".format(tt) if t else "—",
                 "1/{:,.0f}".format(tt / rt) if t else "—",
                 "{:,.0f}".format(xt) if x else "—",
                 "1/{:,.1f}".format(xt / rt) if x else "—",
                 "{:,.0f} B".format(rr),
                 "{:,.0f} B".format(median_of(t, "rss_per_task_bytes")) if t else "—",
                 "**yes**" if met else "no"]
        if e:
            cells += ["{:.2f} s".format(median_of(e, "seconds")),
                      "{:,.0f}".format(median_of(e, "tasks_per_s")),
                      "{:,.0f} B".format(median_of(e, "rss_per_task_bytes"))]
        else:
            cells += ["—"] * 3
        print("| " + " | ".join(cells) + " |")
    print("\nraw runner tasks/s: " + "; ".join(
        "%s %s" % (s, ", ".join("{:,.0f}".format(x["tasks_per_s"]) for x in runs[(s, "runner")]))
        for s in shapes))


if __name__ == "__main__":
    main()
