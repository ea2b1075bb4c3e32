#!/usr/bin/env python3
"""Materialize the ONNX backend test data from the installed `onnx` package.

Recent `onnx` wheels ship the node test *generators* but not their serialized data, so this
script runs the generators (onnx.backend.test.case.node / .model) and writes the usual layout:
OUT/<kind>/<test>/model.onnx and test_data_set_N/{input,output}_M.pb. The data sets that the
wheel still ships (simple/, pytorch-converted/, pytorch-operator/) are copied next to them.
"""
import argparse
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def write_tensor(path, value, name):
    if isinstance(value, onnx.TensorProto):
        data = value.SerializeToString()
    elif isinstance(value, (list, dict)) or value is None:
        return False  # sequences/maps/optionals: not tensors, skipped
    else:
        data = numpy_helper.from_array(np.asarray(value), name).SerializeToString()
    with open(path, "wb") as f:
        f.write(data)
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    stamp = os.path.join(args.output, ".onnx-version")
    if os.path.exists(stamp) and open(stamp).read().strip() == onnx.__version__:
        print(f"ONNX {onnx.__version__} test data already in {args.output}")
        return 0

    from onnx.backend.test.case import node as node_cases
    from onnx.backend.test.case import model as model_cases

    cases = node_cases.collect_testcases() + model_cases.collect_testcases()
    written = 0
    for case in cases:
        if case.kind == "real" or case.model is None:
            continue
        out = os.path.join(args.output, case.kind, case.name)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        with open(os.path.join(out, "model.onnx"), "wb") as f:
            f.write(case.model.SerializeToString())
        for i, (inputs, outputs) in enumerate(case.data_sets or []):
            ds = os.path.join(out, f"test_data_set_{i}")
            os.makedirs(ds)
            graph = case.model.graph
            for j, value in enumerate(inputs):
                write_tensor(os.path.join(ds, f"input_{j}.pb"), value, graph.input[j].name)
            for j, value in enumerate(outputs):
                write_tensor(os.path.join(ds, f"output_{j}.pb"), value, graph.output[j].name)
        written += 1

    shipped = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data")
    for kind in ("simple", "pytorch-converted", "pytorch-operator"):
        src = os.path.join(shipped, kind)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(args.output, kind), dirs_exist_ok=True)
    with open(stamp, "w") as f:
        f.write(onnx.__version__ + "\n")
    print(f"wrote {written} generated ONNX {onnx.__version__} test cases to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
