#!/usr/bin/env python3
"""Matmuls of few rows at run time: a classifier (Gemm 2048 -> N, a symbolic batch) at
batches below and around 16, where Anvil's kernels switch from parts of whole register
tiles that read B in place (or its compile-time panels) to packed panels. Anvil against
onnxruntime, same run, interleaved; optionally several anvil-compile builds (A/B).

Usage:
    bench_few_rows.py [--anvil-compile PATH ...] [--anvil-run PATH] [--threads 2]
                      [--batch 1 3 7 8 9 12 15 16] [--rounds 5] [--runs 200] [--work DIR]

Two models: `gemm_1000` (ResNet-50's classifier, 2048 -> 1000: 1000 columns are not a
multiple of the 32-column panels, so B is read in place) and `gemm_1024` (2048 -> 1024:
B stored as panels at compile time). Each --anvil-compile (default build/bin/anvil-compile)
compiles each model once. For every (model, batch) the engines take turns for --rounds
rounds, the order rotating between rounds: `anvil-run --random-inputs --batch B --threads T
--bench RUNS` (its p50) and onnxruntime (CPU provider, intra-op threads T, RUNS timed runs
after one warm-up, their median). An engine's time is the median of its rounds; the table
gives milliseconds and each Anvil build's time over onnxruntime's (below 1: Anvil faster).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write_model(path, k, n):
    rng = np.random.default_rng(n)
    w = (rng.standard_normal((n, k)) * 0.02).astype(np.float32)
    b = rng.standard_normal(n).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["x", "w", "b"], ["y"], transB=1)], "gemm",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", n])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)


def anvil_ms(anvil_run, so, batch, threads, runs):
    out = subprocess.run([anvil_run, so, "--random-inputs", "--batch", str(batch),
                          "--threads", str(threads), "--bench", str(runs)],
                         capture_output=True, text=True)
    m = re.search(r"p50 ([0-9.]+) ms", out.stdout + out.stderr)
    if out.returncode != 0 or not m:
        sys.exit(f"bench_few_rows: {so} at batch {batch} failed:\n{out.stderr}")
    return float(m.group(1))


def ort_ms(session, k, batch, runs):
    x = np.random.default_rng(batch).uniform(-1, 1, (batch, k)).astype(np.float32)
    session.run(None, {"x": x})
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        session.run(None, {"x": x})
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--anvil-compile", nargs="+",
                    default=[os.path.join(ROOT, "build/bin/anvil-compile")])
    ap.add_argument("--anvil-run", default=os.path.join(ROOT, "build/bin/anvil-run"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, nargs="+", default=[1, 3, 7, 8, 9, 12, 15, 16])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--work", help="directory for the models and artifacts (default: a "
                    "temporary one)")
    args = ap.parse_args()
    for path in args.anvil_compile + [args.anvil_run]:
        if not os.access(path, os.X_OK):
            sys.exit(f"bench_few_rows: {path} is not an executable")
    if args.rounds < 1 or args.runs < 1 or args.threads < 1 or min(args.batch) < 1:
        sys.exit("bench_few_rows: --rounds, --runs, --threads and --batch must be >= 1")
    work = args.work or tempfile.mkdtemp(prefix="anvil-few-rows-")
    os.makedirs(work, exist_ok=True)
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    labels = [f"anvil{i}" if len(args.anvil_compile) > 1 else "anvil"
              for i in range(len(args.anvil_compile))]
    for i, path in enumerate(args.anvil_compile):
        if len(args.anvil_compile) > 1:
            print(f"anvil{i}: {path}")
    header = "| model | batch | " + " | ".join(f"{l} ms" for l in labels) + \
        " | onnxruntime ms | " + " | ".join(f"{l} / ort" for l in labels) + " |"
    print(header)
    print("|---|---:|" + "---:|" * (2 * len(labels) + 1))
    for k, n in [(2048, 1000), (2048, 1024)]:
        name = f"gemm_{n}"
        model = os.path.join(work, name + ".onnx")
        write_model(model, k, n)
        artifacts = []
        for i, compiler in enumerate(args.anvil_compile):
            so = os.path.join(work, f"{name}.{i}.so")
            out = subprocess.run([compiler, model, "-o", so], capture_output=True, text=True)
            if out.returncode != 0:
                sys.exit(f"bench_few_rows: {compiler} failed on {model}:\n{out.stderr}")
            artifacts.append(so)
        session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        for batch in args.batch:
            times = [[] for _ in range(len(artifacts) + 1)]
            for r in range(args.rounds):
                order = list(range(len(times)))
                order = order[r % len(order):] + order[:r % len(order)]
                for e in order:
                    times[e].append(ort_ms(session, k, batch, args.runs) if e == len(artifacts)
                                    else anvil_ms(args.anvil_run, artifacts[e], batch,
                                                  args.threads, args.runs))
            med = [statistics.median(t) for t in times]
            print(f"| {name} | {batch} | " + " | ".join(f"{m:.3f}" for m in med[:-1]) +
                  f" | {med[-1]:.3f} | " + " | ".join(f"{m / med[-1]:.2f}x" for m in med[:-1]) +
                  " |", flush=True)


if __name__ == "__main__":
    main()
