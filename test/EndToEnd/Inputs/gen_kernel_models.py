"""Writes small one-op ONNX models whose shapes exercise the register-tiled
matmul and convolution kernels (full tiles, ragged edges (scalar remainder),
strides, dilations and a symbolic batch; deterministic weights) and the
16 x 16 blocks of transposes (extents not multiples of 16, a symbolic one,
ones under 16, other element types), and reductions along the last axis.

    gen_kernel_models.py OUT_DIR
"""
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def save(graph, path):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, path)


def matmul(out, name, k, n, b_input=False):
    """[m x k] x [k x n]: B a constant weight, or a second input (read in place)."""
    rng = np.random.default_rng(len(name))
    b = rng.standard_normal((k, n)).astype(np.float32)
    inputs = [helper.make_tensor_value_info("a", TensorProto.FLOAT, ["m", k])]
    if b_input:
        inputs.append(helper.make_tensor_value_info("b", TensorProto.FLOAT, [k, n]))
    g = helper.make_graph(
        [helper.make_node("MatMul", ["a", "b"], ["c"])], name, inputs,
        [helper.make_tensor_value_info("c", TensorProto.FLOAT, ["m", n])],
        [] if b_input else [numpy_helper.from_array(b, "b")])
    save(g, out / f"{name}.onnx")


def conv(out, name, c, f, h, k, stride, dilation, group=1):
    rng = np.random.default_rng(len(name) + c + f)
    w = (rng.standard_normal((f, c // group, k, k)) * 0.1).astype(np.float32)
    bias = rng.standard_normal((f,)).astype(np.float32)
    pad = dilation * (k // 2)
    o = (h + 2 * pad - dilation * (k - 1) - 1) // stride + 1
    g = helper.make_graph(
        [helper.make_node("Conv", ["x", "w", "bias"], ["y"], pads=[pad] * 4,
                          strides=[stride] * 2, dilations=[dilation] * 2,
                          group=group),
         helper.make_node("Relu", ["y"], ["z"])], name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", c, h, h])],
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, ["n", f, o, o])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(bias, "bias")])
    save(g, out / f"{name}.onnx")


def conv_pool(out, name, c, h, k, stride, dilation, pad, ceil_mode=0):
    """A 1x1 Conv + Relu (so that the pooling runs channels-last), then a MaxPool."""
    rng = np.random.default_rng(len(name) + c)
    w = (rng.standard_normal((c, c, 1, 1)) * 0.3).astype(np.float32)
    span = h + 2 * pad - dilation * (k - 1) - 1
    o = (-(-span // stride) if ceil_mode else span // stride) + 1
    g = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["y"]),
         helper.make_node("Relu", ["y"], ["r"]),
         helper.make_node("MaxPool", ["r"], ["z"], kernel_shape=[k, k], strides=[stride] * 2,
                          dilations=[dilation] * 2, pads=[pad] * 4, ceil_mode=ceil_mode)],
        name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", c, h, h])],
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, ["n", c, o, o])],
        [numpy_helper.from_array(w, "w")])
    save(g, out / f"{name}.onnx")


def transpose(out, name, dims, perm, elem=TensorProto.FLOAT):
    """One Transpose of an input of `dims` ("n": the symbolic batch)."""
    g = helper.make_graph(
        [helper.make_node("Transpose", ["x"], ["y"], perm=perm)], name,
        [helper.make_tensor_value_info("x", elem, dims)],
        [helper.make_tensor_value_info("y", elem, [dims[p] for p in perm])])
    save(g, out / f"{name}.onnx")


def rows(out, name, k):
    """Reductions along the last axis of an [n x k] input: Softmax, LayerNormalization,
    ReduceMax and ReduceSum, each row reduced as one vector (k <= 4096) or by loops."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", k])
    outs = [helper.make_tensor_value_info(o, TensorProto.FLOAT, ["n", k]) for o in "yz"]
    outs += [helper.make_tensor_value_info(o, TensorProto.FLOAT, ["n", 1]) for o in "mp"]
    scale = numpy_helper.from_array(np.linspace(0.5, 1.5, k).astype(np.float32), "s")
    bias = numpy_helper.from_array(np.linspace(-1, 1, k).astype(np.float32), "b")
    axes = numpy_helper.from_array(np.array([-1], np.int64), "axes")
    g = helper.make_graph(
        [helper.make_node("Softmax", ["x"], ["y"], axis=-1),
         helper.make_node("LayerNormalization", ["x", "s", "b"], ["z"], axis=-1),
         helper.make_node("ReduceMax", ["x"], ["m"], axes=[-1]),
         helper.make_node("ReduceSum", ["x", "axes"], ["p"])],
        name, [x], outs, [scale, bias, axes])
    save(g, out / f"{name}.onnx")


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    matmul(out, "matmul_full", 64, 64)          # 8 x 32 tiles only (m = 8, 16)
    matmul(out, "matmul_ragged", 100, 70)       # 70 = 2 x 32 + 6 scalar columns
    matmul(out, "matmul_panels", 300, 160)      # 5 prepacked 32-column panels
    matmul(out, "matmul_deep_panels", 1500, 96)  # 1024 + 476 deep blocks, prepacked
    matmul(out, "matmul_deep_padded", 1500, 70)  # prepacked, the last panel padded
    matmul(out, "matmul_deep_ragged", 1500, 70, b_input=True)  # B read in place
    conv(out, "conv3x3", 32, 64, 20, 3, 1, 1)   # rows of 20 = 5 x 4 pixels
    conv(out, "conv3x3_s2", 32, 48, 17, 3, 2, 1)  # 9 output columns, 48 = 32 + 16
    conv(out, "conv3x3_d2", 24, 96, 15, 3, 1, 2)  # dilation 2, 15 = 3 x 5
    conv(out, "conv1x1", 64, 32, 9, 1, 1, 1)    # a matmul on [n*81, 64] x [64, 32]
    conv(out, "conv7x7_s2", 3, 64, 23, 7, 2, 1)  # a stem: filter rows of 7 x 3 taps
    # Filter rows too wide to merge (32 x KW*C floats over 256 KiB): the nine taps
    # accumulate in each register tile, all 700 channels in one block (one pass, bias
    # and relu per tile) ...
    conv(out, "conv3x3_taps", 700, 64, 9, 3, 1, 1)
    # ... or, at 2100 channels, in blocks of 256 (the last 52), bias and relu per row.
    conv(out, "conv3x3_blocks", 2100, 64, 7, 3, 2, 1)
    conv(out, "depthwise", 48, 48, 19, 3, 1, 1, group=48)     # 19 = 2 x 8 + 3
    conv(out, "depthwise_s2", 40, 40, 16, 3, 2, 1, group=40)  # 40 = 2 x 16 + 8
    # Channels-last max pooling: 8-pixel by 16-channel register tiles and their edges.
    conv_pool(out, "maxpool_s2", 24, 17, 3, 2, 1, 1)          # a stem's: 9 = 8 + 1, 24 = 16 + 8
    conv_pool(out, "maxpool_2x2", 40, 16, 2, 2, 1, 0)         # 40 = 2 x 16 + 8
    conv_pool(out, "maxpool_d2", 16, 15, 3, 1, 2, 2)          # dilation 2, 15 = 8 + 7
    conv_pool(out, "maxpool_ceil", 32, 16, 3, 2, 1, 0, 1)     # ceil_mode: 8 columns
    # NHWC -> NCHW: 37 = 2 x 16 + 5 and 33 = 2 x 16 + 1, the last blocks overlap.
    transpose(out, "transpose_nchw", ["n", 20, 37, 33], [0, 3, 1, 2])
    transpose(out, "transpose_nhwc", ["n", 35, 18, 17], [0, 2, 3, 1])
    # The batch is the output's contiguous dim: blocks from 16 on, loops below.
    transpose(out, "transpose_2d", ["n", 19], [1, 0])
    transpose(out, "transpose_5d", ["n", 3, 18, 4, 20], [0, 3, 1, 4, 2])
    transpose(out, "transpose_i32", ["n", 17, 300], [0, 2, 1], TensorProto.INT32)
    transpose(out, "transpose_small", ["n", 4, 8], [0, 2, 1])        # loops
    transpose(out, "transpose_f64", ["n", 20, 24], [0, 2, 1], TensorProto.DOUBLE)
    transpose(out, "transpose_rows", ["n", 5, 40], [1, 0, 2])        # row copies
    # Row reductions: 17 = 16 + 1 and 1000 (a classifier's softmax) as one vector each,
    # 4097 (over 4096) by loops.
    rows(out, "rows_17", 17)
    rows(out, "rows_1000", 1000)
    rows(out, "rows_4097", 4097)


if __name__ == "__main__":
    main()
