#!/usr/bin/env python3
"""Writes the benchmark graph twice: as a runner task group and as build.ninja.

A layered DAG of `true` commands, WIDTH tasks a layer, each task after the
first layer depending on 2 tasks of the layer before (same column and the next
one, wrapping), so both tools see exactly the same graph.
"""
import argparse


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=2000)
    ap.add_argument("--width", type=int, default=16)
    ap.add_argument("--yaml", required=True)
    ap.add_argument("--ninja", required=True)
    a = ap.parse_args()
    layers = (a.tasks + a.width - 1) // a.width
    y = ["id: bench-%d" % a.tasks, "taskGroup:"]
    n = ["rule t", "  command = true", ""]
    count = 0
    for layer in range(layers):
        for col in range(a.width):
            if count == a.tasks:
                break
            count += 1
            name = "t%d_%d" % (layer, col)
            y.append("  - name: %s\n    type: os_exec\n    spec: {command: \"true\"}" % name)
            if layer == 0:
                n.append("build %s: t" % name)
            else:
                deps = ["t%d_%d" % (layer - 1, col), "t%d_%d" % (layer - 1, (col + 1) % a.width)]
                y.append("    depends_on: [%s]" % ", ".join(deps))
                # Order-only inputs: ninja runs the edge after them, like depends_on.
                n.append("build %s: t || %s" % (name, " ".join(deps)))
    with open(a.yaml, "w") as f:
        f.write("\n".join(y) + "\n")
    with open(a.ninja, "w") as f:
        f.write("\n".join(n) + "\n")


if __name__ == "__main__":
    main()
