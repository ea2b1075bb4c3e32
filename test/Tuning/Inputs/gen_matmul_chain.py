"""Writes matmul_chain.onnx, three MatMul+Relu blocks on [n, 512] (512 x 512 weights,
symbolic batch), and matmul_pair.onnx, two of them with other weights. Each block becomes
one kernel split by columns; the zero fills of all the matmuls land in the first kernel, so
kernel 1 of both models and kernel 2 of the chain are the same kernel, and kernel 0 is not.
Deterministic weights.

    gen_matmul_chain.py OUT_DIR
"""
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def chain(path, blocks, seed):
    rng = np.random.default_rng(seed)
    nodes, weights, x = [], [], "x"
    for i in range(blocks):
        w = (rng.standard_normal((512, 512)) * 0.05).astype(np.float32)
        weights.append(numpy_helper.from_array(w, f"w{i}"))
        nodes.append(helper.make_node("MatMul", [x, f"w{i}"], [f"m{i}"], name=f"matmul{i}"))
        nodes.append(helper.make_node("Relu", [f"m{i}"], [f"r{i}"], name=f"relu{i}"))
        x = f"r{i}"
    graph = helper.make_graph(
        nodes, path.stem,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 512])],
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, ["n", 512])], weights)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, path)


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    chain(out / "matmul_chain.onnx", 3, 0)
    chain(out / "matmul_pair.onnx", 2, 1)


if __name__ == "__main__":
    main()
