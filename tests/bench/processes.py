#!/usr/bin/python3
"""Data-parallel scaling on this machine: one process with every core against
N processes with a share each (c10d + Gloo over loopback), through the real
`alexnet-lab train`. Prints images/s per variant and what the gradient
allreduce adds to each step (bytes, parts summed apart, milliseconds after backward,
share of the step).

usage: processes.py ALEXNET_LAB [--sizes 64,128] [--iterations 30] [--processes 2]
"""
import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile

VARIANTS = ["original", "tanh", "small"]


def train(binary, out, size, iterations, extra):
    args = [binary, "train", "--data", "synthetic", "--variants", ",".join(VARIANTS),
            "--input-size", str(size), "--batch", "64", "--iterations", str(iterations),
            "--record-every", "5", "--probe-every", "0", "--checkpoint-every", "0",
            "--out", out] + extra
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit("bench: " + " ".join(args) + " failed:\n" + done.stderr)
    return done.stderr


def images_per_second(out):
    """Mean rate per variant over the records after the first (warm-up)."""
    rates = {}
    with open(os.path.join(out, "metrics.csv")) as f:
        for row in csv.DictReader(f):
            if int(row["iteration"]) > 5:
                rates.setdefault(row["variant"], []).append(float(row["images_per_second"]))
    return {v: sum(r) / len(r) for v, r in rates.items()}


def allreduce_lines(log):
    found = {}
    for m in re.finditer(r"allreduce of (\S+): (\d+) MB per step in (\d+) parts beside backward, (\d+) ms added to the step \((\d+) % of it\)", log):
        found[m.group(1)] = tuple(int(m.group(k)) for k in range(2, 6))
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--sizes", default="64,128")
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--processes", type=int, default=2)
    a = parser.parse_args()
    cores = os.cpu_count() or 1
    n = a.processes
    print(f"data-parallel scaling: 1 process x {cores} threads against {n} processes x "
          f"{max(1, cores // n)} thread(s), batch 64, synthetic data, {a.iterations} iterations")
    print(f"{'S':>4} {'variant':<9} {'1 proc img/s':>12} {f'{n} proc img/s':>12} {'ratio':>6} "
          f"{'allreduce':>10} {'parts':>7} {'ms added':>8} {'% step':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in [int(s) for s in a.sizes.split(",")]:
            one = os.path.join(tmp, f"one-{size}")
            many = os.path.join(tmp, f"many-{size}")
            train(a.binary, one, size, a.iterations, ["--threads", str(cores)])
            log = train(a.binary, many, size, a.iterations, ["--processes", str(n)])
            r1, rn, ar = images_per_second(one), images_per_second(many), allreduce_lines(log)
            for v in VARIANTS:
                mb, parts, ms, share = ar.get(v, (0, 0, 0, 0))
                print(f"{size:>4} {v:<9} {r1[v]:>12.0f} {rn[v]:>12.0f} {rn[v] / r1[v]:>6.2f} "
                      f"{mb:>7} MB {parts:>7} {ms:>8} {share:>6}%")


if __name__ == "__main__":
    main()
