"""Writes conv.onnx: one 3x3 Conv (16 -> 32 channels, padding 1) and a Relu on an
[n, 16, 20, 20] input (symbolic batch), deterministic weights. The compiler makes it one
channels-last convolution kernel with a register tile, which anvil-tune can tune.

    gen_conv.py OUT_DIR
"""
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(3)
    w = (rng.standard_normal((32, 16, 3, 3)) * 0.1).astype(np.float32)
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["y"], name="relu"),
    ]
    graph = helper.make_graph(
        nodes, "conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 16, 20, 20])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 32, 20, 20])],
        [numpy_helper.from_array(w, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, out / "conv.onnx")


if __name__ == "__main__":
    main()
