#!/usr/bin/python3
"""Sweeps, measured (figures, not pass/fail), through the real `alexnet-lab sweep`:

  1. ASHA against the full grid on a 27-trial space of `small` at S = 64 on
     Fashion-MNIST (3 learning rates x 3 weight decays x 3 activations):
     training iterations spent, wall time, and the best validation accuracy
     each reaches (goal: ASHA within 0.5 points of the grid's best for at most
     1/3 of its compute);
  2. trials at once: the same 4 trials one at a time (2 threads each) and two
     at a time (1 thread each), in trials per hour.

usage: sweep_bench.py ALEXNET_LAB [--iterations 450] [--keep DIR] [--only asha|parallel]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

BASE = ["--variants", "small", "--input-size", "64", "--checkpoint-every", "0"]
SPACE = ["--grid", "lr=0.0002,0.001,0.005", "--grid", "weight-decay=0,0.0005,0.005",
         "--grid", "small.activation=relu,tanh,leaky_relu"]


def sweep(binary, out, extra):
    start = time.time()
    done = subprocess.run([binary, "sweep"] + BASE + extra + ["--out", out], capture_output=True, text=True)
    seconds = time.time() - start
    if done.returncode != 0:
        sys.exit("sweep failed: " + done.stderr[-2000:])
    shown = json.loads(subprocess.run([binary, "sweep", "--show", out, "--json"], capture_output=True,
                                      text=True, check=True).stdout)
    return shown, seconds


def spent(shown):
    return sum(t["metrics"].get("iterations", 0) or 0 for t in shown["trials"])


def best(shown):
    finished = [t["metrics"]["validation_accuracy"] for t in shown["trials"] if t["state"] == "finished"]
    return max(finished) if finished else float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--iterations", type=int, default=450)
    parser.add_argument("--keep")
    parser.add_argument("--only")
    a = parser.parse_args()
    root = a.keep or tempfile.mkdtemp(prefix="sweep-bench-")
    os.makedirs(root, exist_ok=True)
    print("OPENBLAS_CORETYPE=%s OPENBLAS_L2_SIZE=%s (as this environment sets them)"
          % (os.environ.get("OPENBLAS_CORETYPE", "unset"), os.environ.get("OPENBLAS_L2_SIZE", "unset")))
    its = ["--iterations", str(a.iterations)]
    if a.only in (None, "asha"):
        grid, grid_s = sweep(a.binary, os.path.join(root, "grid"), its + SPACE)
        asha, asha_s = sweep(a.binary, os.path.join(root, "asha"), its + SPACE + ["--early-stop", "asha"])
        g, h = spent(grid), spent(asha)
        print("27 trials of small, %d iterations each, 2 at once:" % a.iterations)
        print("  %-5s %9s iterations %7.1f min  best validation %.2f %%" % ("grid", g, grid_s / 60, 100 * best(grid)))
        print("  %-5s %9s iterations %7.1f min  best validation %.2f %%  (%d finished, %d pruned)"
              % ("ASHA", h, asha_s / 60, 100 * best(asha),
                 sum(t["state"] == "finished" for t in asha["trials"]),
                 sum(t["state"] == "pruned" for t in asha["trials"])))
        print("  ASHA spent %.0f %% of the grid's iterations (%.0f %% of its time) and came within %.2f points"
              % (100 * h / g, 100 * asha_s / grid_s, 100 * (best(grid) - best(asha))))
    if a.only in (None, "parallel"):
        four = its + ["--grid", "lr=0.0005,0.001", "--grid", "weight-decay=0,0.0005"]
        one, one_s = sweep(a.binary, os.path.join(root, "one-at-a-time"), four + ["--parallel", "1", "--threads", "2"])
        two, two_s = sweep(a.binary, os.path.join(root, "two-at-a-time"), four + ["--parallel", "2", "--threads", "1"])
        print("4 trials, one at a time on 2 threads: %.1f min (%.0f trials/hour)" % (one_s / 60, 4 * 3600 / one_s))
        print("4 trials, two at a time on 1 thread each: %.1f min (%.0f trials/hour)" % (two_s / 60, 4 * 3600 / two_s))
    if not a.keep:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
