#!/usr/bin/python3
"""The findings engine against faults injected on purpose (the families of
DeepCrime's mutation operators and of AUTOTRAINER's and DeepDiagnosis's
symptoms) and against healthy runs, through the real `alexnet-lab train` and
`alexnet-lab diagnose --json`. Figures, not pass/fail:

  recall per fault family   runs where a finding of an expected kind said
                            warning or problem / runs of that family
  precision                 warnings and problems of an expected kind / all
                            warnings and problems (fault and healthy runs)
  latency                   iterations from the start of the fault (the run's
                            start, for these) to the first expected finding,
                            and from its onset (first_iteration) to it
  false alarms              healthy runs with any warning or problem

usage: diagnose_bench.py ALEXNET_LAB [--iterations 400] [--seeds 2] [--keep DIR]
           [--only FAULT,...] [--runs DIR...]  (--runs: healthy runs already made, e.g. the default experiment)
"""
import argparse
import gzip
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time

FASHION = "/usr/share/datasets/fashion-mnist"
PRESETS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "resources", "presets")

# name: (train options beyond the common ones, data maker or None, expected kinds)
FAULTS = {
    "lr-far-too-high": (["--optimizer", "sgd", "--lr", "3", "--schedule", "constant", "--label-smoothing", "0"], None,
                        {"diverged", "oscillation", "not_learning", "lr_too_high", "exploding_gradient"}),
    "lr-far-too-low": (["--lr", "1e-7"], None, {"not_learning", "lr_too_low", "plateau"}),
    "paper-init-constant-rate": (["--init", "paper", "--optimizer", "sgd", "--lr", "0.01", "--schedule", "constant",
                                  "--label-smoothing", "0", "--weight-decay", "0.0005"], None,
                                 {"not_learning", "dead_layer", "vanishing_gradient"}),
    "saturating-tanh": (["--variants", "SPEC:small-tanh", "--optimizer", "sgd", "--lr", "0.5", "--schedule",
                         "constant", "--label-smoothing", "0"], None,
                        {"saturated_layer", "not_learning", "diverged", "oscillation", "vanishing_gradient",
                         "lr_too_high"}),
    "adam-rate-kills-relus": (["--lr", "0.05"], None,
                              {"dead_layer", "not_learning", "diverged", "vanishing_gradient", "lr_too_high"}),
    "shuffled-labels": ([], "shuffled", {"not_learning", "memorising", "overfitting"}),
    "tiny-training-set": (["--validation", "0.5"], "tiny", {"overfitting", "memorising", "small_training_set"}),
    "heavy-weight-decay": (["--optimizer", "sgd", "--lr", "0.01", "--weight-decay", "1", "--schedule", "constant"],
                           None, {"not_learning", "dead_layer", "plateau", "vanishing_gradient", "lr_too_high"}),
    "momentum-near-one": (["--optimizer", "sgd", "--momentum", "0.9999", "--lr", "0.05", "--schedule", "constant",
                           "--label-smoothing", "0"], None, {"diverged", "oscillation", "not_learning", "dead_layer",
                                                              "lr_too_high", "exploding_gradient"}),
    "batch-of-one": (["--batch", "1", "--optimizer", "sgd", "--lr", "0.1", "--schedule", "constant",
                      "--label-smoothing", "0"], None, {"oscillation", "not_learning", "diverged", "dead_layer",
                                                        "lr_too_high", "exploding_gradient", "vanishing_gradient"}),
    "class-imbalance": ([], "imbalanced", {"class_imbalance"}),
}


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return data[:4 + 4 * dims], shape, data[4 + 4 * dims:]


def write_idx(path, magic_and_dims_prefix, shape, body):
    with open(path, "wb") as f:
        f.write(magic_and_dims_prefix[:4] + struct.pack(">" + "I" * len(shape), *shape) + body)


def make_data(kind, folder, seed):
    """A Fashion-MNIST folder with one fault in its training split."""
    os.makedirs(folder, exist_ok=True)
    head_i, shape_i, images = read_idx(os.path.join(FASHION, "train-images-idx3-ubyte.gz"))
    head_l, shape_l, labels = read_idx(os.path.join(FASHION, "train-labels-idx1-ubyte.gz"))
    pixels = shape_i[1] * shape_i[2]
    rows = list(range(shape_i[0]))
    labels = bytearray(labels)
    rng = random.Random(seed)
    if kind == "shuffled":
        rng.shuffle(labels)
    elif kind == "tiny":
        per_class = {}
        keep = []
        for r in rows:
            if per_class.get(labels[r], 0) < 40:
                per_class[labels[r]] = per_class.get(labels[r], 0) + 1
                keep.append(r)
        rows = keep
    elif kind == "imbalanced":
        rows = [r for r in rows if labels[r] != 9 or rng.random() < 0.05]
    image_body = b"".join(images[r * pixels:(r + 1) * pixels] for r in rows)
    label_body = bytes(labels[r] for r in rows)
    write_idx(os.path.join(folder, "train-images-idx3-ubyte"), head_i, (len(rows), shape_i[1], shape_i[2]), image_body)
    write_idx(os.path.join(folder, "train-labels-idx1-ubyte"), head_l, (len(rows),), label_body)
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shutil.copy(os.path.join(FASHION, name), folder)
    return folder


def train(binary, out, options, iterations, seed, data, spec_dir):
    args = [binary, "train", "--variants", "small", "--iterations", str(iterations), "--record-every", "50",
            "--probe-every", "50", "--checkpoint-every", "0", "--seed", str(seed), "--out", out]
    if data:
        args += ["--data", data]
    extra = []
    for o in options:
        extra.append(os.path.join(spec_dir, o[5:] + ".json") if o.startswith("SPEC:") else o)
    if "--variants" in extra:
        k = args.index("--variants")
        del args[k:k + 2]
    start = time.time()
    done = subprocess.run(args + extra, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit("diagnose_bench: " + " ".join(args + extra) + " failed:\n" + done.stderr[-3000:])
    return time.time() - start


def diagnose(binary, run):
    done = subprocess.run([binary, "diagnose", "--json", run], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit("diagnose_bench: diagnose " + run + " failed:\n" + done.stderr)
    return json.loads(done.stdout)["runs"][0]["findings"]


def serious(findings):
    return [f for f in findings if f["severity"] in ("warning", "problem")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--iterations", type=int, default=400)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--keep", default="")
    parser.add_argument("--only", default="")
    parser.add_argument("--healthy", type=int, default=3, help="healthy runs of small at the default settings")
    parser.add_argument("--runs", nargs="*", default=[], help="healthy runs made already")
    a = parser.parse_args()
    work = a.keep or tempfile.mkdtemp(prefix="diagnose-bench-")
    os.makedirs(work, exist_ok=True)
    with open(os.path.join(PRESETS, "small.json")) as f:
        small_tanh = json.load(f)
    small_tanh.update({"name": "small-tanh", "activation": "tanh"})
    with open(os.path.join(work, "small-tanh.json"), "w") as f:
        json.dump(small_tanh, f)
    only = set(filter(None, a.only.split(",")))
    print("fault benchmark: small at S = 64 on Fashion-MNIST, %d iterations, records and probes every 50, %d seed(s)"
          % (a.iterations, a.seeds))
    print("%-26s %6s %8s %9s %9s  %s" % ("fault", "recall", "found@", "onset->", "seconds", "kinds said (warning/problem)"))
    expected_total = 0
    said_total = 0
    per_family = {}
    for name, (options, data_kind, expected) in FAULTS.items():
        if only and name not in only:
            continue
        hits, latencies, onsets, seconds, kinds = 0, [], [], 0.0, {}
        for seed in range(a.seeds):
            data = make_data(data_kind, os.path.join(work, "data-%s-%d" % (data_kind, seed)), seed) if data_kind else None
            out = os.path.join(work, "%s-%d" % (name, seed))
            shutil.rmtree(out, ignore_errors=True)
            seconds += train(a.binary, out, options, a.iterations, seed, data, work)
            findings = serious(diagnose(a.binary, out))
            said_total += len(findings)
            matching = [f for f in findings if f["kind"] in expected]
            expected_total += len(matching)
            for f in findings:
                kinds[f["kind"]] = kinds.get(f["kind"], 0) + 1
            if matching:
                hits += 1
                first = min(matching, key=lambda f: f["found_iteration"])
                latencies.append(first["found_iteration"])
                onsets.append(first["found_iteration"] - first["first_iteration"])
        per_family[name] = hits / a.seeds
        print("%-26s %5.0f%% %8s %9s %9.0f  %s" % (
            name, 100.0 * hits / a.seeds,
            "%.0f" % (sum(latencies) / len(latencies)) if latencies else "-",
            "%.0f" % (sum(onsets) / len(onsets)) if onsets else "-",
            seconds, ", ".join("%s x%d" % kv for kv in sorted(kinds.items())) or "nothing"))
    healthy_runs = list(a.runs)
    for seed in range(a.healthy):
        out = os.path.join(work, "healthy-small-%d" % seed)
        shutil.rmtree(out, ignore_errors=True)
        train(a.binary, out, [], a.iterations, seed, None, work)
        healthy_runs.append(out)
    alarms = 0
    for run in healthy_runs:
        findings = serious(diagnose(a.binary, run))
        said_total += len(findings)
        if findings:
            alarms += 1
            print("false alarm on healthy %s: %s" % (run, "; ".join(f["kind"] for f in findings)))
    quiet = len(healthy_runs) - alarms
    print("recall: %s" % ", ".join("%s %.0f%%" % (k, 100 * v) for k, v in per_family.items()))
    if per_family:
        print("families at >= 90%% recall: %d of %d" % (sum(1 for v in per_family.values() if v >= 0.9), len(per_family)))
    print("precision: %d of %d warnings and problems were of an expected kind (%.0f%%)" % (
        expected_total, said_total, 100.0 * expected_total / said_total if said_total else 100.0))
    print("healthy runs without a warning or problem: %d of %d" % (quiet, len(healthy_runs)))
    print("runs kept in " + work if a.keep else "runs in " + work)


if __name__ == "__main__":
    main()
