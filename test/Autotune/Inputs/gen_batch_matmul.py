"""Writes batch_matmul.onnx: attention's product of two inputs, [n, 4, 37, 24] x
[n, 4, 24, 50] (symbolic batch; 37 rows and 50 columns leave edge tiles for most register
tiles). The compiler makes it one batched-matmul kernel with a register tile, which
anvil-tune searches.

    gen_batch_matmul.py OUT_DIR
"""
import sys
from pathlib import Path

import onnx
from onnx import TensorProto, helper


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["a", "b"], ["y"], name="scores")], "batch_matmul",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, ["n", 4, 37, 24]),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, ["n", 4, 24, 50])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 4, 37, 50])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, out / "batch_matmul.onnx")


if __name__ == "__main__":
    main()
