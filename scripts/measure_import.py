#!/usr/bin/env python3
"""Measures how fast and how lean the importer is on a ResNet-50-sized model (~100 MB of
weights): wall time and peak resident memory of `anvil-compile --emit=graph`, with the
weights inline in the .onnx file and as external data. Generates the models if missing.

Usage: measure_import.py --compiler build/bin/anvil-compile [--dir build/models-large]
"""
import argparse
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run_child(cmd):
    """Runs cmd in a fresh child and returns (seconds, peak RSS in bytes)."""
    # getrusage(RUSAGE_CHILDREN) keeps the maximum over all children waited for, so each
    # measurement runs under a fresh python process that waits for just this one child.
    probe = ("import resource,subprocess,sys,time;"
             "t=time.perf_counter();r=subprocess.run(sys.argv[1:]);"
             "dt=time.perf_counter()-t;"
             "print(r.returncode, dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, *cmd], check=True,
                         capture_output=True, text=True).stdout.split()
    rc, seconds, maxrss_kib = int(out[0]), float(out[1]), int(out[2])
    if rc != 0:
        sys.exit(f"{' '.join(cmd)} failed with exit code {rc}")
    return seconds, maxrss_kib * 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--compiler", required=True)
    ap.add_argument("--dir", default="build/models-large")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    gen = os.path.join(HERE, "..", "test", "models", "gen_models.py")
    variants = {"inline": os.path.join(args.dir, "inline"),
                "external data": os.path.join(args.dir, "external")}
    for name, d in variants.items():
        if not os.path.exists(os.path.join(d, "resnet50.onnx")):
            extra = ["--external-data"] if name == "external data" else []
            subprocess.run([sys.executable, gen, "-o", d, "--only", "resnet50", "--resnet50",
                            *extra], check=True, capture_output=True)
    print(f"{'weights':<14} {'model MB':>9} {'best s':>8} {'peak RSS MB':>12} {'RSS/model':>10}")
    for name, d in variants.items():
        model = os.path.join(d, "resnet50.onnx")
        size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d)
                   if f.startswith("resnet50.onnx"))
        out = os.path.join(d, "resnet50.mlir")
        runs = [run_child([args.compiler, model, "--emit=graph", "-o", out])
                for _ in range(args.repeat)]
        best = min(r[0] for r in runs)
        rss = max(r[1] for r in runs)
        print(f"{name:<14} {size / 1e6:9.1f} {best:8.2f} {rss / 1e6:12.1f} {rss / size:10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
