#!/usr/bin/env python3
"""Writes small ONNX models for the importer's lit tests: the binary ones (and malformed
files) that ONNX text syntax cannot express.

Usage: make_model.py MODE OUTPUT

Every model is built with onnx.helper and is byte-for-byte deterministic (no random data,
fixed producer). MODE is one of the keys of MODES below; the docstring of each builder says
what it produces. Files a model refers to (external data) are written next to OUTPUT.
"""
import os
import sys

import onnx
from onnx import TensorProto, helper

OPSET = 17


def _model(nodes, inputs, outputs, initializers=(), name="g"):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=list(initializers))
    model = helper.make_model(graph, producer_name="anvil-lit",
                              opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    return model


def _relu_model():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])
    return _model([helper.make_node("Relu", ["x"], ["y"], name="relu")], [x], [y])


def valid(path):
    """A well-formed one-node model (Relu over [N, 3])."""
    _write(path, _relu_model().SerializeToString())


def named_nodes(path):
    """Relu then Add with a weight initializer; nodes named like a PyTorch export."""
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 3])
    bias = helper.make_tensor("encoder.bias", TensorProto.FLOAT, [3], [1.0, 2.0, 3.0])
    nodes = [helper.make_node("Relu", ["input"], ["h"], name="/encoder/act/Relu"),
             helper.make_node("Add", ["h", "encoder.bias"], ["output"], name="/encoder/Add")]
    _write(path, _model(nodes, [x], [y], [bias]).SerializeToString())


def truncated(path):
    """The valid model cut off in the middle of its graph."""
    data = _relu_model().SerializeToString()
    _write(path, data[: len(data) // 2])


def not_protobuf(path):
    """A PNG signature and header: not a protobuf message at all."""
    _write(path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01")


def empty(path):
    """A zero-byte file."""
    _write(path, b"")


def missing_initializer(path):
    """MatMul reads the weight 'fc.weight', which is neither an initializer nor an input."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2])
    nodes = [helper.make_node("MatMul", ["x", "fc.weight"], ["y"], name="fc")]
    _write(path, _model(nodes, [x], [y]).SerializeToString())


def _external_weight(location):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[4],
                    data_location=TensorProto.EXTERNAL)
    for key, value in (("location", location), ("offset", "0"), ("length", "16")):
        w.external_data.add(key=key, value=value)
    nodes = [helper.make_node("Add", ["x", "w"], ["y"], name="add")]
    return _model(nodes, [x], [y], [w]).SerializeToString()


def external_missing(path):
    """The weight lives in 'missing.weights.bin' next to the model, which does not exist."""
    _write(path, _external_weight("missing.weights.bin"))


def external_escape(path):
    """The weight's external data location climbs out of the model's folder."""
    _write(path, _external_weight("../outside.bin"))


def external_ok(path):
    """The weight lives in '<OUTPUT>.data' next to the model (written too)."""
    data_name = os.path.basename(path) + ".data"
    _write(path + ".data", b"".join(
        int.to_bytes(v, 4, "little") for v in (0x3F800000, 0x40000000, 0x40400000, 0x40800000)))
    _write(path, _external_weight(data_name))


def string_input(path):
    """A graph input of element type STRING, which Anvil has no type for."""
    x = helper.make_tensor_value_info("text", TensorProto.STRING, ["N"])
    y = helper.make_tensor_value_info("y", TensorProto.STRING, ["N"])
    _write(path, _model([helper.make_node("Identity", ["text"], ["y"], name="id")],
                        [x], [y]).SerializeToString())


MODES = {
    "valid": valid,
    "named-nodes": named_nodes,
    "truncated": truncated,
    "not-protobuf": not_protobuf,
    "empty": empty,
    "missing-initializer": missing_initializer,
    "external-missing": external_missing,
    "external-escape": external_escape,
    "external-ok": external_ok,
    "string-input": string_input,
}


def _write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in MODES:
        sys.exit("usage: make_model.py {%s} OUTPUT" % ",".join(MODES))
    MODES[sys.argv[1]](sys.argv[2])


if __name__ == "__main__":
    main()
