#!/usr/bin/env python3
"""Mutation fuzzing of the importer: corrupts ONNX backend test models (bit flips, random
bytes, truncation, duplicated spans) and the lit tests' ONNX text models (character edits),
runs `anvil-compile` on each, and fails if any run crashes (a signal, or an exit status other
than 0/1) or hangs. Seeded, so a failure reproduces; the failing input is kept.

Usage: fuzz_import.py --compiler build/bin/anvil-compile --data build/onnx-testdata
                      [--binary N] [--text N] [--seed S] [--keep DIR]
"""
import argparse
import glob
import os
import random
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
TEXT_ALPHABET = '<>[](){}:=,."\'0123456789-+eE.abcxyzN \n#'


def mutate_binary(rng, data):
    data = bytearray(data)
    mode = rng.choice(["flip", "byte", "truncate", "duplicate"])
    if mode == "flip":
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
    elif mode == "byte":
        for _ in range(rng.randint(1, 3)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif mode == "truncate":
        data = data[: rng.randrange(1, len(data))]
    else:
        i = rng.randrange(len(data))
        j = rng.randrange(i, len(data))
        data = data[:j] + data[i:j] + data[j:]
    return bytes(data)


def mutate_text(rng, text):
    chars = list(text)
    for _ in range(rng.randint(1, 5)):
        i = rng.randrange(len(chars))
        r = rng.random()
        if r < 0.4:
            chars[i] = rng.choice(TEXT_ALPHABET)
        elif r < 0.7:
            del chars[i]
        else:
            chars.insert(i, rng.choice(TEXT_ALPHABET))
    return "".join(chars).encode()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--compiler", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--binary", type=int, default=300)
    ap.add_argument("--text", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--keep", default=None, help="where failing inputs are kept")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    node = os.path.join(args.data, "node")
    models = sorted(glob.glob(os.path.join(node, "*", "model.onnx")))
    texts = sorted(glob.glob(os.path.join(HERE, "..", "test", "Frontend", "onnx", "**",
                                          "*.onnxtxt"), recursive=True))
    if not models or not texts:
        sys.exit("fuzz_import: no inputs (run `make testdata`)")
    work = tempfile.mkdtemp(prefix="anvil-fuzz-")
    keep = args.keep or work
    cases = []
    for k in range(args.binary):
        src = rng.choice(models)
        with open(src, "rb") as f:
            cases.append((f"b{k}.onnx", src, mutate_binary(rng, f.read())))
    for k in range(args.text):
        src = rng.choice(texts)
        with open(src) as f:
            cases.append((f"t{k}.onnxtxt", src, mutate_text(rng, f.read())))

    def run(case):
        name, src, data = case
        path = os.path.join(work, name)
        with open(path, "wb") as f:
            f.write(data)
        try:
            r = subprocess.run([args.compiler, path, "-o", os.devnull], capture_output=True,
                               timeout=30)
            bad = None if r.returncode in (0, 1) else f"exit status {r.returncode}"
        except subprocess.TimeoutExpired:
            bad = "hang (30 s)"
        if bad:
            os.makedirs(keep, exist_ok=True)
            kept = os.path.join(keep, name)
            if kept != path:
                os.replace(path, kept)
            return f"{bad}: {kept} (mutated from {os.path.relpath(src)})"
        os.remove(path)
        return None

    with ThreadPoolExecutor(args.jobs) as pool:
        failures = [r for r in pool.map(run, cases) if r]
    for f in failures:
        print("CRASH", f)
    print(f"fuzz_import: {len(cases)} mutated models, {len(failures)} crashes or hangs "
          f"(seed {args.seed})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
