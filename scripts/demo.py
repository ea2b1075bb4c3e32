#!/usr/bin/env python3
"""`make demo`: compile a bundled example model to a native artifact, run it on a
sample input with anvil-run, and show the result and latency next to onnxruntime's
on the same input (same thread count).

  demo.py BUILD_DIR MODELS_DIR [--model resnet_mini] [--runs 50]
"""
import argparse
import os
import re
import subprocess
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        sys.exit(f"demo: '{' '.join(cmd)}' failed")
    return result.stdout


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("build")
    p.add_argument("models")
    p.add_argument("--model", default="resnet_mini")
    p.add_argument("--runs", type=int, default=50)
    args = p.parse_args()
    threads = os.cpu_count() or 1
    model = os.path.join(args.models, args.model + ".onnx")
    out = os.path.join(args.build, "demo")
    os.makedirs(out, exist_ok=True)
    artifact = os.path.join(out, args.model + ".so")

    print(f"Anvil demo: {args.model} (a ResNet-style CNN with a symbolic batch dim)")
    start = time.perf_counter()
    run([os.path.join(args.build, "bin", "anvil-compile"), model, "-o", artifact])
    print(f"  compiled {model} -> {artifact} "
          f"({os.path.getsize(artifact) / 1024:.0f} KiB) in "
          f"{time.perf_counter() - start:.1f} s")

    # The input from the model file: anvil-run is timed before onnxruntime's
    # session exists, whose idle worker threads spin for a while and would take
    # the cores from it (measured here: 1.05 ms instead of 0.11 ms per run).
    graph = onnx.load(model, load_external_data=False).graph
    initializers = {t.name for t in graph.initializer}
    inp = next(i for i in graph.input if i.name not in initializers)
    shape = [d.dim_value if d.HasField("dim_value") else 1
             for d in inp.type.tensor_type.shape.dim]
    x = np.random.default_rng(0).uniform(-1, 1, shape).astype(np.float32)
    x_path = os.path.join(out, "input.npy")
    np.save(x_path, x)

    runner = os.path.join(args.build, "bin", "anvil-run")
    text = run([runner, artifact, "--input", f"{inp.name}={x_path}",
                "--output-dir", out, "--bench", str(args.runs),
                "--warmup", "5", "--threads", str(threads)])
    match = re.search(r"p50 ([0-9.]+) ms", text)
    anvil_ms = float(match.group(1)) if match else float("nan")

    session_options = ort.SessionOptions()
    session_options.intra_op_num_threads = threads
    session = ort.InferenceSession(model, session_options,
                                   providers=["CPUExecutionProvider"])
    output_name = session.get_outputs()[0].name
    y = np.load(os.path.join(out, output_name + ".npy"))

    feeds = {inp.name: x}
    for _ in range(5):
        session.run(None, feeds)
    times = []
    for _ in range(args.runs):
        t = time.perf_counter()
        (ref,) = session.run(None, feeds)
        times.append((time.perf_counter() - t) * 1000)
    ort_ms = float(np.median(times))

    print(f"  input  {inp.name} {list(x.shape)} (random, seed 0)")
    print(f"  output {output_name} {list(y.shape)}: top class {int(y.argmax())}, "
          f"logits {np.array2string(y.ravel()[:5], precision=3)}...")
    err = float(np.max(np.abs(y - ref)))
    print(f"  matches onnxruntime: max abs difference {err:.2e} "
          f"({'ok' if np.allclose(y, ref, rtol=1e-4, atol=1e-5) else 'MISMATCH'})")
    print(f"  latency (median of {args.runs}, {threads} threads): "
          f"anvil {anvil_ms:.3f} ms, onnxruntime {ort_ms:.3f} ms "
          f"(ratio {anvil_ms / ort_ms:.2f}x)")
    print("  (larger models against onnxruntime: docs/performance.md; tuning each "
          "kernel with anvil-tune: docs/autotuning.md)")
    print(f"\nTry: {runner} {artifact} --random-inputs --batch 8 --bench 20")


if __name__ == "__main__":
    main()
