#!/usr/bin/python3
"""The PyTorch side of `make bench`: the report's variants built from DESIGN.md
(independently of the C++ code), trained on random batches, timed the same way
as `alexnet-lab bench`: the median of the timed steps after warm-up steps.
Prints one JSON object keyed by variant name. Uses Debian's python3-torch."""
import argparse
import json
import resource
import statistics
import time

import torch
from torch import nn

WIDTHS = {  # conv1..conv5, fc6, fc7 (DESIGN.md)
    "original": ([100, 100, 384, 384, 256], [4096, 4096], nn.ReLU),
    "tanh": ([100, 100, 384, 384, 256], [4096, 4096], nn.Tanh),
    "small": ([64, 192, 384, 256, 256], [384, 192], nn.ReLU),
}


def build(name, size, classes=10):
    convs, fcs, act = WIDTHS[name]
    lrn = lambda: nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)
    pool = lambda: nn.MaxPool2d(3, 2)
    features = nn.Sequential(
        nn.Conv2d(3, convs[0], 11, stride=4, padding=2), act(), lrn(), pool(),
        nn.Conv2d(convs[0], convs[1], 5, padding=2), act(), lrn(), pool(),
        nn.Conv2d(convs[1], convs[2], 3, padding=1), act(),
        nn.Conv2d(convs[2], convs[3], 3, padding=1), act(),
        nn.Conv2d(convs[3], convs[4], 3, padding=1), act(), pool())
    with torch.no_grad():
        flat = features(torch.zeros(1, 3, size, size)).numel()
    classifier = nn.Sequential(
        nn.Linear(flat, fcs[0]), act(), nn.Dropout(0.5),
        nn.Linear(fcs[0], fcs[1]), act(), nn.Dropout(0.5),
        nn.Linear(fcs[1], classes))
    return nn.Sequential(features, nn.Flatten(), classifier)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--variants", default="original,tanh,small")
    p.add_argument("--input-size", type=int, default=64)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=0)
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    out = {}
    for name in a.variants.split(","):
        model = build(name, a.input_size)
        params = sum(t.numel() for t in model.parameters())
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
        x = torch.randn(a.batch, 3, a.input_size, a.input_size)
        y = torch.randint(0, 10, (a.batch,))
        times = []
        for i in range(a.warmup + a.steps):
            start = time.perf_counter()
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            loss.item()
            if i >= a.warmup:
                times.append(time.perf_counter() - start)
        median = statistics.median(times)
        out[name] = {"train_images_per_second": a.batch / median, "median_step_seconds": median,
                     "parameters": params, "threads": torch.get_num_threads(),
                     "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
