#!/usr/bin/python3
"""`make bench`: AlexNet Lab against PyTorch on this machine, same models, same
batch, same thread count, each variant in its own process (so peak RSS is its
own). PyTorch is measured twice: as installed, and with glibc malloc told to
keep freed memory (MALLOC_MMAP_MAX_=0 ...), which is what a tuned PyTorch user
gets and the fairer peer; AlexNet Lab gets the same effect from its caching
allocator. Prints figures; asserts nothing."""
import json
import os
import subprocess
import sys

BINARY = sys.argv[1] if len(sys.argv) > 1 else "build/app/alexnet-lab"
HERE = os.path.dirname(os.path.abspath(__file__))
VARIANTS = ["original", "tanh", "small"]
SIZES = [64, 128]
BATCH = 64
STEPS = 10
THREADS = str(os.cpu_count())
TUNED_MALLOC = {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": str(64 << 30), "MALLOC_TOP_PAD_": str(1 << 30)}


def run_json(cmd, extra_env=None):
    env = dict(os.environ, **(extra_env or {}))
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def lab(*args, env=None):
    return run_json([BINARY, "bench", "--json", "--threads", THREADS, *args], env)


def pytorch(variant, size, env=None):
    return run_json(["/usr/bin/python3", os.path.join(HERE, "pytorch_alexnet.py"), "--variants", variant,
                     "--input-size", str(size), "--batch", str(BATCH), "--steps", str(STEPS),
                     "--threads", THREADS], env)[variant]


def main():
    peaks = lab("--sgemm")
    peak = peaks["sgemm_gflops"]
    print(f"AlexNet Lab vs PyTorch {torch_version()}: batch {BATCH}, {THREADS} threads, median of {STEPS} "
          f"training steps after 3 warm-up steps, each variant in its own process")
    print(f"sgemm peak (2048 x 2048, libtorch): {peak:.0f} GFLOP/s; "
          f"bf16 gemm peak: {peaks['bf16_gemm_gflops']:.0f} GFLOP/s (what --bf16 training is read against)\n")
    print(f"{'S':>4} {'variant':<9} {'lab img/s':>10} {'torch LRN':>10} {'PyTorch':>9} {'tuned':>9} "
          f"{'vs PyTorch':>10} {'vs tuned':>9} {'GFLOP/s':>8} {'of peak':>8} {'RSS MiB':>8} {'PyT RSS':>8}")
    fastest = 0
    for size in SIZES:
        for v in VARIANTS:
            ours = lab("--variants", v, "--input-size", str(size), "--batch", str(BATCH), "--steps", str(STEPS))[v]
            unfused = lab("--variants", v, "--input-size", str(size), "--batch", str(BATCH), "--steps", str(STEPS),
                          env={"ALEXNET_LRN": "torch"})[v]
            plain = pytorch(v, size)
            tuned = pytorch(v, size, TUNED_MALLOC)
            rate = ours["train_images_per_second"]
            if size == 64:
                fastest = max(fastest, rate)
            print(f"{size:>4} {v:<9} {rate:>10.1f} {unfused['train_images_per_second']:>10.1f} "
                  f"{plain['train_images_per_second']:>9.1f} {tuned['train_images_per_second']:>9.1f} "
                  f"{rate / plain['train_images_per_second']:>9.2f}x {rate / tuned['train_images_per_second']:>8.2f}x "
                  f"{ours['gflops']:>8.1f} {100 * ours['gflops'] / peak:>7.0f}% {ours['peak_rss_mib']:>8.0f} "
                  f"{tuned['peak_rss_mb']:>8.0f}")
    print("\n'torch LRN': AlexNet Lab with torch's LocalResponseNorm instead of the fused one (ALEXNET_LRN=torch).")
    print("GFLOP/s counts 6 x forward MACs per image.\n")

    loader = lab("--loader", "--input-size", "64", "--batch", str(BATCH))
    print(f"data loader ({loader['data']}, S=64): {loader['loader_images_per_second']:.0f} images/s, "
          f"{loader['loader_augmented_images_per_second']:.0f} with augmentation; "
          f"{loader['loader_images_per_second'] / fastest:.1f}x the fastest variant's training rate ({fastest:.0f})")
    together = lab("--variants", ",".join(VARIANTS), "--input-size", "64", "--batch", str(BATCH), "--steps",
                   str(STEPS), "--side-by-side")["_side_by_side"]
    print(f"3-variant experiment at S=64: one iteration {1000 * together['iteration_seconds']:.0f} ms in the "
          f"trainer's rounds ({together['lanes']} lanes), {1000 * together['in_turn_seconds']:.0f} ms one after "
          f"the other, the sum of its parts {1000 * together['sum_of_parts_seconds']:.0f} ms")


def torch_version():
    try:
        return subprocess.run(["/usr/bin/python3", "-c", "import torch; print(torch.__version__)"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "(not installed)"


if __name__ == "__main__":
    main()
