#!/usr/bin/env python3
"""Runs an Anvil artifact and onnxruntime on the same random inputs and
compares every output (the end-to-end numerics check).

  compare_with_ort.py MODEL.onnx MODEL.so --anvil-run PATH [--batch 1 --batch 3]
      [--rtol 1e-4] [--atol 1e-5] [--seq 5] [--threads T]

A symbolic first dim takes each --batch value in turn, other symbolic dims
take --seq. Float inputs are uniform in [-1, 1); integer inputs in [0, 10)
(valid token ids for the bundled models). Exit status 0 only if every output
matches at every batch size.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort

DTYPES = {
    onnx.TensorProto.FLOAT: np.float32,
    onnx.TensorProto.DOUBLE: np.float64,
    onnx.TensorProto.INT64: np.int64,
    onnx.TensorProto.INT32: np.int32,
    onnx.TensorProto.BOOL: np.bool_,
}


def make_inputs(model, batch, seq, rng):
    initializers = {i.name for i in model.graph.initializer}
    feeds = {}
    for value in model.graph.input:
        if value.name in initializers:
            continue
        t = value.type.tensor_type
        shape = []
        for i, d in enumerate(t.shape.dim):
            if d.HasField("dim_value") and d.dim_value > 0:
                shape.append(d.dim_value)
            else:
                shape.append(batch if i == 0 else seq)
        dtype = DTYPES.get(t.elem_type)
        if dtype is None:
            sys.exit(f"compare_with_ort: input '{value.name}' has an "
                     f"unsupported element type {t.elem_type}")
        if np.issubdtype(dtype, np.floating):
            feeds[value.name] = rng.uniform(-1, 1, shape).astype(dtype)
        elif dtype == np.bool_:
            feeds[value.name] = rng.integers(0, 2, shape).astype(np.bool_)
        else:
            feeds[value.name] = rng.integers(0, 10, shape).astype(dtype)
    return feeds


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("model")
    p.add_argument("artifact")
    p.add_argument("--anvil-run", required=True)
    p.add_argument("--batch", type=int, action="append")
    p.add_argument("--seq", type=int, default=5)
    p.add_argument("--rtol", type=float, default=1e-4)
    p.add_argument("--atol", type=float, default=1e-5)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    model = onnx.load(args.model)
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(args.model, options,
                                   providers=["CPUExecutionProvider"])
    output_names = [o.name for o in session.get_outputs()]
    rng = np.random.default_rng(args.seed)
    ok = True
    for batch in args.batch or [1]:
        feeds = make_inputs(model, batch, args.seq, rng)
        expected = session.run(None, feeds)
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [args.anvil_run, args.artifact, "--output-dir", tmp,
                   "--rtol", str(args.rtol), "--atol", str(args.atol)]
            if args.threads:
                cmd += ["--threads", str(args.threads)]
            for name, value in feeds.items():
                path = os.path.join(tmp, f"in_{len(cmd)}.npy")
                np.save(path, value)
                cmd += ["--input", f"{name}={path}"]
            for name, value in zip(output_names, expected):
                path = os.path.join(tmp, f"ref_{len(cmd)}.npy")
                np.save(path, value)
                cmd += ["--compare", f"{name}={path}"]
            result = subprocess.run(cmd, capture_output=True, text=True)
            status = "ok" if result.returncode == 0 else "MISMATCH"
            print(f"batch {batch}: {status}")
            sys.stdout.write(result.stdout)
            sys.stderr.write(result.stderr)
            ok &= result.returncode == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
