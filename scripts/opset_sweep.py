#!/usr/bin/env python3
"""Imports the ONNX backend node tests converted down to every older opset at which their
op's schema changed (opset 7 onwards), to check that Anvil handles each opset version of the
ops it supports: attributes that became inputs, changed defaults, renamed attributes.

Conversion uses onnx.version_converter; a test the converter cannot take to some opset is
skipped for that opset (counted as `not convertible`). Prints `N passed, N failed`.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

import onnx
from onnx import defs, version_converter


def since_versions(op, newest):
    versions = set()
    for v in range(7, newest + 1):
        try:
            versions.add(defs.get_schema(op, v).since_version)
        except Exception:  # the op does not exist at this opset yet
            pass
    return sorted(x for x in versions if x >= 7)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--compiler", required=True)
    ap.add_argument("--data", required=True, help="ONNX test data dir (make testdata)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--filter", default="")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    supported = set(subprocess.run([args.compiler, "--list-ops"], check=True,
                                   capture_output=True, text=True).stdout.split())
    node_dir = os.path.join(args.data, "node")
    tmp = tempfile.mkdtemp(prefix="anvil-opset-sweep-")
    jobs, skipped = [], 0
    for test in sorted(os.listdir(node_dir)):
        if args.filter and not re.search(args.filter, test):
            continue
        model = onnx.load(os.path.join(node_dir, test, "model.onnx"))
        ops = {n.op_type for n in model.graph.node}
        opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
        if len(ops) != 1 or not ops <= supported or "expanded" in test:
            continue
        op = next(iter(ops))
        for v in since_versions(op, opset):
            if v >= opset:
                continue
            try:
                converted = version_converter.convert_version(model, v)
                onnx.checker.check_model(converted)
            except Exception:
                skipped += 1
                continue
            path = os.path.join(tmp, f"{test}.opset{v}.onnx")
            onnx.save(converted, path)
            jobs.append((test, v, path))

    def run(job):
        test, v, path = job
        r = subprocess.run([args.compiler, path, "-o", os.devnull], capture_output=True,
                           text=True, timeout=60)
        return test, v, r.returncode, r.stderr.strip().splitlines()[:1]

    failed = []
    with ThreadPoolExecutor(args.jobs) as pool:
        for test, v, rc, err in pool.map(run, jobs):
            if rc != 0:
                failed.append((test, v, rc, err))
            elif args.verbose:
                print(f"ok    {test} @ opset {v}")
    for test, v, rc, err in failed:
        print(f"FAIL  {test} @ opset {v} (exit {rc}): {err[0] if err else ''}")
    print(f"{skipped} conversions not possible (skipped)")
    print(f"{len(jobs) - len(failed)} passed, {len(failed)} failed")
    return 1 if any(rc not in (0, 1) for _, _, rc, _ in failed) else 0


if __name__ == "__main__":
    sys.exit(main())
