#!/usr/bin/env python3
"""Generate realistic ONNX test models for Anvil with the `onnx.helper` API (no torch).

Usage:
    gen_models.py [-o DIR] [--only NAME ...] [--resnet50] [--external-data]

Models (file names are fixed):
    resnet_mini.onnx          input  [N,3,32,32] f32 -> logits        [N,10]   f32
    mobilenetv2_mini.onnx     input  [N,3,32,32] f32 -> logits        [N,10]   f32
    transformer_encoder.onnx  input_ids [N,16] i64   -> hidden        [N,16,64] f32
    mlp_softmax.onnx          input  [N,64] f32      -> probabilities [N,10]   f32
    resnet50.onnx             input  [N,3,224,224]   -> logits        [N,1000] f32
                              (only with --resnet50 or --only resnet50; ~100 MB of weights)
    densenet_mini.onnx        input  [N,3,32,32] f32 -> logits        [N,10]   f32
                              (only with --only densenet_mini: concat-heavy dense blocks, for
                              memory planning; not in the default set that `make check` uses)
    mobilenetv2.onnx          input  [N,3,224,224]   -> logits        [N,1000] f32
                              (only with --only mobilenetv2: full-size MobileNetV2 1.0, ~14 MB;
                              for scripts/bench_models.py)
    bert_base.onnx            input_ids [N,128] i64  -> hidden        [N,128,768] f32
                              (only with --only bert_base: a BERT-base-sized encoder, 12 post-LN
                              layers, hidden 768, 12 heads, FFN 3072, vocab 30522; ~440 MB;
                              for scripts/bench_models.py)

Every model uses opset 17 (default domain) and IR version 8, has the symbolic batch dimension
"N" as dim 0 of every graph input and output, and names every node in a PyTorch-like scheme
(node "layer1.0/conv1", initializer "layer1.0.conv1.weight"). Weights are random but
deterministic: each model draws from its own numpy generator with a fixed seed, so `--only`
produces byte-identical files. BatchNormalization nodes are kept (not folded into the convs)
and carry non-trivial running statistics.

After writing a model the script validates it and fails loudly (non-zero exit) otherwise:
onnx.checker.check_model(path, full_check=True), then onnxruntime at batch 1 and batch 3
(resnet50: batch 1 only), checking output shapes, finiteness, and that batch row 0 of the
batch-3 run matches the batch-1 run.

--external-data stores the resnet50 weights as ONNX external data in "resnet50.onnx.data"
next to the model instead of inside the .onnx file.
"""
import argparse
import contextlib
import math
import os
import sys
import time
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
IR_VERSION = 8
BATCH = "N"
PRODUCER = "anvil/test/models/gen_models.py"


# --------------------------------------------------------------------------------------------
# Graph builder
# --------------------------------------------------------------------------------------------
class GraphBuilder:
    """Collects nodes and initializers, naming them after the current scope.

    Inside `with gb.scope("layer1.0"):` a node created as `gb.node("Conv", ..., "conv1")` is
    named "layer1.0/conv1" and produces "layer1.0/conv1_output_0"; a parameter created as
    `gb.param("conv1.weight", w)` is named "layer1.0.conv1.weight".
    """

    def __init__(self, name: str, seed: int):
        self.name = name
        self.rng = np.random.default_rng(seed)
        self.nodes = []
        self.initializers = []
        self.inputs = []
        self.outputs = []
        self._scope = []
        self._used = set()

    @contextlib.contextmanager
    def scope(self, name: str):
        self._scope.append(name)
        try:
            yield
        finally:
            self._scope.pop()

    def _unique(self, name: str) -> str:
        candidate, i = name, 1
        while candidate in self._used:
            candidate = f"{name}_{i}"
            i += 1
        self._used.add(candidate)
        return candidate

    # -- graph interface ---------------------------------------------------------------------
    def input(self, name: str, elem_type: int, shape) -> str:
        self.inputs.append(helper.make_tensor_value_info(name, elem_type, shape))
        return name

    def output(self, name: str, elem_type: int, shape) -> None:
        self.outputs.append(helper.make_tensor_value_info(name, elem_type, shape))

    # -- values ------------------------------------------------------------------------------
    def param(self, local: str, array: np.ndarray) -> str:
        """Add an initializer (stored as raw_data) named after the scope."""
        name = self._unique(".".join(self._scope + [local]))
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def constant(self, local: str, array) -> str:
        """Add a Constant node (the way torch.onnx.export emits small shape constants)."""
        tensor = numpy_helper.from_array(np.asarray(array))
        return self.node("Constant", [], local, value=tensor)

    def node(self, op: str, inputs, local: Optional[str] = None, outputs=1, **attrs):
        """Add a node; returns its output name (or list of names if it has several).

        `outputs` is either a count (names are derived from the node name) or explicit names
        (used for graph outputs).
        """
        node_name = self._unique("/".join(self._scope + [local or op]))
        if isinstance(outputs, int):
            outs = [f"{node_name}_output_{i}" for i in range(outputs)]
        else:
            outs = list(outputs)
        self.nodes.append(helper.make_node(op, list(inputs), outs, name=node_name, **attrs))
        return outs[0] if len(outs) == 1 else outs

    def make_model(self, doc: str) -> onnx.ModelProto:
        graph = helper.make_graph(self.nodes, self.name, self.inputs, self.outputs,
                                  initializer=self.initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                  ir_version=IR_VERSION, producer_name=PRODUCER,
                                  doc_string=doc)
        assert all(n.name for n in model.graph.node), "every node must be named"
        return model


# --------------------------------------------------------------------------------------------
# Random weights
# --------------------------------------------------------------------------------------------
def normal(rng, shape, std):
    return rng.standard_normal(shape, dtype=np.float32) * np.float32(std)


def uniform(rng, shape, low, high):
    return rng.uniform(low, high, shape).astype(np.float32)


def he_normal(rng, shape, fan_in):
    return normal(rng, shape, math.sqrt(2.0 / fan_in))


# --------------------------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------------------------
def conv(gb, x, cin, cout, k, stride=1, group=1, name="conv", bias=False):
    fan_in = cin // group * k * k
    inputs = [x, gb.param(f"{name}.weight", he_normal(gb.rng, (cout, cin // group, k, k), fan_in))]
    if bias:
        inputs.append(gb.param(f"{name}.bias", normal(gb.rng, (cout,), 0.05)))
    return gb.node("Conv", inputs, name, kernel_shape=[k, k], strides=[stride, stride],
                   pads=[k // 2] * 4, dilations=[1, 1], group=group)


def batch_norm(gb, x, c, name="bn", gamma=(0.5, 1.5)):
    """Inference-mode BatchNormalization with non-trivial running statistics."""
    rng = gb.rng
    inputs = [
        x,
        gb.param(f"{name}.weight", uniform(rng, (c,), *gamma)),
        gb.param(f"{name}.bias", normal(rng, (c,), 0.1)),
        gb.param(f"{name}.running_mean", normal(rng, (c,), 0.2)),
        gb.param(f"{name}.running_var", uniform(rng, (c,), 0.5, 2.0)),
    ]
    return gb.node("BatchNormalization", inputs, name, epsilon=1e-5, momentum=0.9)


def relu(gb, x, name="relu"):
    return gb.node("Relu", [x], name)


def conv_bn(gb, x, cin, cout, k, stride=1, group=1, conv_name="conv", bn_name="bn",
            gamma=(0.5, 1.5)):
    x = conv(gb, x, cin, cout, k, stride, group, conv_name)
    return batch_norm(gb, x, cout, bn_name, gamma)


def conv_bn_relu(gb, x, cin, cout, k, stride=1, group=1, conv_name="conv", bn_name="bn",
                 relu_name="relu"):
    return relu(gb, conv_bn(gb, x, cin, cout, k, stride, group, conv_name, bn_name), relu_name)


def conv_bn_relu6(gb, x, cin, cout, k, stride, group, relu6_bounds):
    """Conv + BN + Clip(0, 6); relu6_bounds are the (min, max) scalar initializer names."""
    x = conv_bn(gb, x, cin, cout, k, stride, group)
    return gb.node("Clip", [x, *relu6_bounds], "relu6")


def linear_gemm(gb, x, fin, fout, name):
    """torch.nn.Linear on a 2-D input: Gemm with weight [out, in] and transB=1."""
    w = gb.param(f"{name}.weight", normal(gb.rng, (fout, fin), 1.0 / math.sqrt(fin)))
    b = gb.param(f"{name}.bias", normal(gb.rng, (fout,), 0.05))
    return gb.node("Gemm", [x, w, b], name, alpha=1.0, beta=1.0, transB=1)


def linear_matmul(gb, x, fin, fout, name):
    """torch.nn.Linear on an N-D input: MatMul with weight [in, out] followed by Add(bias)."""
    w = gb.param(f"{name}.weight", normal(gb.rng, (fin, fout), 1.0 / math.sqrt(fin)))
    b = gb.param(f"{name}.bias", normal(gb.rng, (fout,), 0.05))
    with gb.scope(name):
        y = gb.node("MatMul", [x, w], "MatMul")
        return gb.node("Add", [y, b], "Add")


def layer_norm(gb, x, dim, name):
    scale = gb.param(f"{name}.weight", uniform(gb.rng, (dim,), 0.8, 1.2))
    bias = gb.param(f"{name}.bias", normal(gb.rng, (dim,), 0.05))
    return gb.node("LayerNormalization", [x, scale, bias], name, axis=-1, epsilon=1e-5)


def classifier_head(gb, x, channels, classes, output_name):
    """GlobalAveragePool -> Flatten -> Gemm, writing the graph output `output_name`."""
    x = gb.node("GlobalAveragePool", [x], "avgpool")
    x = gb.node("Flatten", [x], "flatten", axis=1)
    w = gb.param("fc.weight", normal(gb.rng, (classes, channels), 1.0 / math.sqrt(channels)))
    b = gb.param("fc.bias", normal(gb.rng, (classes,), 0.05))
    gb.node("Gemm", [x, w, b], "fc", outputs=[output_name], alpha=1.0, beta=1.0, transB=1)
    gb.output(output_name, TensorProto.FLOAT, [BATCH, classes])


# --------------------------------------------------------------------------------------------
# 1. resnet_mini
# --------------------------------------------------------------------------------------------
def basic_block(gb, x, cin, cout, stride):
    """ResNet basic block: conv3x3-BN-ReLU-conv3x3-BN (+ shortcut), Add, ReLU."""
    y = conv_bn_relu(gb, x, cin, cout, 3, stride, conv_name="conv1", bn_name="bn1",
                     relu_name="relu1")
    y = conv_bn(gb, y, cout, cout, 3, 1, conv_name="conv2", bn_name="bn2")
    if stride != 1 or cin != cout:
        shortcut = conv_bn(gb, x, cin, cout, 1, stride, conv_name="downsample.0",
                           bn_name="downsample.1")
    else:
        shortcut = x
    y = gb.node("Add", [y, shortcut], "add")
    return relu(gb, y, "relu2")


def build_resnet_mini():
    gb = GraphBuilder("resnet_mini", seed=1001)
    x = gb.input("input", TensorProto.FLOAT, [BATCH, 3, 32, 32])
    x = conv_bn_relu(gb, x, 3, 16, 3, conv_name="conv1", bn_name="bn1")
    x = gb.node("MaxPool", [x], "maxpool", kernel_shape=[3, 3], strides=[2, 2],
                pads=[1, 1, 1, 1])  # -> 16x16
    cin = 16
    for stage, (cout, stride) in enumerate([(16, 1), (32, 2)], start=1):
        for block in range(2):
            with gb.scope(f"layer{stage}.{block}"):
                x = basic_block(gb, x, cin, cout, stride if block == 0 else 1)
            cin = cout
    classifier_head(gb, x, cin, 10, "logits")
    return gb.make_model("ResNet-style CNN: 2 stages of basic residual blocks, 10 classes.")


# --------------------------------------------------------------------------------------------
# 2. mobilenetv2_mini
# --------------------------------------------------------------------------------------------
def inverted_residual(gb, x, cin, cout, stride, expand, relu6):
    hidden = cin * expand
    y = x
    if expand != 1:
        with gb.scope("expand"):
            y = conv_bn_relu6(gb, y, cin, hidden, 1, 1, 1, relu6)
    with gb.scope("depthwise"):
        y = conv_bn_relu6(gb, y, hidden, hidden, 3, stride, hidden, relu6)
    with gb.scope("project"):
        y = conv_bn(gb, y, hidden, cout, 1)
    if stride == 1 and cin == cout:
        y = gb.node("Add", [x, y], "add")
    return y


def mobilenetv2(name, seed, size, config, last, classes, doc):
    """A MobileNetV2: a stride-2 stem, inverted residual blocks from `config` ((expand ratio
    t, out channels c, repeats n, first stride s), as in the MobileNetV2 paper), a 1x1 conv to
    `last` channels and the classifier head."""
    gb = GraphBuilder(name, seed=seed)
    relu6 = (gb.param("relu6.min", np.array(0.0, np.float32)),
             gb.param("relu6.max", np.array(6.0, np.float32)))
    x = gb.input("input", TensorProto.FLOAT, [BATCH, 3, size, size])
    with gb.scope("features.0"):
        x = conv_bn_relu6(gb, x, 3, 32, 3, 2, 1, relu6)
    cin, index = 32, 1
    for t, c, n, s in config:
        for i in range(n):
            with gb.scope(f"features.{index}"):
                x = inverted_residual(gb, x, cin, c, s if i == 0 else 1, t, relu6)
            cin, index = c, index + 1
    with gb.scope(f"features.{index}"):
        x = conv_bn_relu6(gb, x, cin, last, 1, 1, 1, relu6)
    classifier_head(gb, x, last, classes, "logits")
    return gb.make_model(doc)


def build_mobilenetv2_mini():
    return mobilenetv2("mobilenetv2_mini", 1002, 32,
                       [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 2, 1)], 256, 10,
                       "MobileNetV2-style CNN: inverted residual blocks with ReLU6 (Clip).")


# --------------------------------------------------------------------------------------------
# 3. transformer_encoder
# --------------------------------------------------------------------------------------------
VOCAB, SEQ, D_MODEL, HEADS, D_FF, LAYERS = 100, 16, 64, 4, 256, 2
HEAD_DIM = D_MODEL // HEADS


def batch_and_seq(gb, x):
    """Shape(x) -> Gather(0), Gather(1) -> Unsqueeze: the [B] and [S] pieces of a reshape
    target, computed from the runtime shape like torch.onnx.export does for x.size()."""
    shape = gb.node("Shape", [x], "shape")
    pieces = []
    for axis, label in [(0, "batch"), (1, "seq")]:
        index = gb.constant(f"{label}_index", np.array(axis, np.int64))
        dim = gb.node("Gather", [shape, index], f"gather_{label}", axis=0)
        axes = gb.constant(f"{label}_axes", np.array([0], np.int64))
        pieces.append(gb.node("Unsqueeze", [dim, axes], f"unsqueeze_{label}"))
    return pieces


def split_heads(gb, x, name, perm):
    """[B,S,D] -> Reshape [B,S,H,Dh] (target built from Shape(x)) -> Transpose(perm)."""
    with gb.scope(name):
        batch, seq = batch_and_seq(gb, x)
        heads = gb.constant("heads", np.array([HEADS], np.int64))
        head_dim = gb.constant("head_dim", np.array([HEAD_DIM], np.int64))
        target = gb.node("Concat", [batch, seq, heads, head_dim], "concat", axis=0)
        x = gb.node("Reshape", [x, target], "reshape")
        return gb.node("Transpose", [x], "transpose", perm=perm)


def merge_heads(gb, ctx, like, name):
    """[B,H,S,Dh] -> Transpose [B,S,H,Dh] -> Reshape [B,S,D] (target from Shape(like))."""
    with gb.scope(name):
        ctx = gb.node("Transpose", [ctx], "transpose", perm=[0, 2, 1, 3])
        batch, seq = batch_and_seq(gb, like)
        d_model = gb.constant("d_model", np.array([D_MODEL], np.int64))
        target = gb.node("Concat", [batch, seq, d_model], "concat", axis=0)
        return gb.node("Reshape", [ctx, target], "reshape")


def self_attention(gb, x):
    q = linear_matmul(gb, x, D_MODEL, D_MODEL, "q_proj")
    k = linear_matmul(gb, x, D_MODEL, D_MODEL, "k_proj")
    v = linear_matmul(gb, x, D_MODEL, D_MODEL, "v_proj")
    q = split_heads(gb, q, "q_heads", perm=[0, 2, 1, 3])  # [B,H,S,Dh]
    k = split_heads(gb, k, "k_heads", perm=[0, 2, 3, 1])  # [B,H,Dh,S]
    v = split_heads(gb, v, "v_heads", perm=[0, 2, 1, 3])  # [B,H,S,Dh]
    scores = gb.node("MatMul", [q, k], "scores")  # [B,H,S,S]
    scale = gb.constant("scale", np.array(math.sqrt(HEAD_DIM), np.float32))
    scores = gb.node("Div", [scores, scale], "scaled_scores")
    probs = gb.node("Softmax", [scores], "softmax", axis=-1)
    ctx = gb.node("MatMul", [probs, v], "context")  # [B,H,S,Dh]
    ctx = merge_heads(gb, ctx, x, "merge_heads")
    return linear_matmul(gb, ctx, D_MODEL, D_MODEL, "out_proj")


def gelu_erf(gb, x, name="gelu"):
    """x * 0.5 * (1 + Erf(x / sqrt(2))), node by node as torch.onnx.export writes it."""
    with gb.scope(name):
        sqrt2 = gb.constant("sqrt2", np.array(math.sqrt(2.0), np.float32))
        one = gb.constant("one", np.array(1.0, np.float32))
        half = gb.constant("half", np.array(0.5, np.float32))
        y = gb.node("Div", [x, sqrt2], "div")
        y = gb.node("Erf", [y], "erf")
        y = gb.node("Add", [y, one], "add")
        y = gb.node("Mul", [x, y], "mul")
        return gb.node("Mul", [y, half], "mul_half")


def encoder_layer(gb, x):
    """Pre-LN encoder layer: x + Attn(LN(x)), then x + FFN(LN(x))."""
    h = layer_norm(gb, x, D_MODEL, "norm1")
    with gb.scope("self_attn"):
        h = self_attention(gb, h)
    x = gb.node("Add", [x, h], "residual1")
    h = layer_norm(gb, x, D_MODEL, "norm2")
    with gb.scope("ffn"):
        h = linear_matmul(gb, h, D_MODEL, D_FF, "fc1")
        h = gelu_erf(gb, h)
        h = linear_matmul(gb, h, D_FF, D_MODEL, "fc2")
    return gb.node("Add", [x, h], "residual2")


def build_transformer_encoder():
    gb = GraphBuilder("transformer_encoder", seed=1003)
    ids = gb.input("input_ids", TensorProto.INT64, [BATCH, SEQ])
    with gb.scope("embeddings"):
        table = gb.param("token.weight", normal(gb.rng, (VOCAB, D_MODEL), 1.0))
        pos = gb.param("position.weight", normal(gb.rng, (SEQ, D_MODEL), 0.5))
        x = gb.node("Gather", [table, ids], "token", axis=0)  # [B,S,D]
        x = gb.node("Add", [x, pos], "add_position")
    for i in range(LAYERS):
        with gb.scope(f"layers.{i}"):
            x = encoder_layer(gb, x)
    scale = gb.param("norm.weight", uniform(gb.rng, (D_MODEL,), 0.8, 1.2))
    bias = gb.param("norm.bias", normal(gb.rng, (D_MODEL,), 0.05))
    gb.node("LayerNormalization", [x, scale, bias], "norm", outputs=["hidden"], axis=-1,
            epsilon=1e-5)
    gb.output("hidden", TensorProto.FLOAT, [BATCH, SEQ, D_MODEL])
    return gb.make_model("2-layer pre-LN transformer encoder, 4 heads, d_model 64, vocab 100.")


# --------------------------------------------------------------------------------------------
# 4. mlp_softmax
# --------------------------------------------------------------------------------------------
def build_mlp_softmax():
    gb = GraphBuilder("mlp_softmax", seed=1004)
    x = gb.input("input", TensorProto.FLOAT, [BATCH, 64])
    x = relu(gb, linear_matmul(gb, x, 64, 128, "fc1"), "relu1")
    x = relu(gb, linear_gemm(gb, x, 128, 64, "fc2"), "relu2")
    x = linear_gemm(gb, x, 64, 10, "fc3")
    gb.node("Softmax", [x], "softmax", outputs=["probabilities"], axis=-1)
    gb.output("probabilities", TensorProto.FLOAT, [BATCH, 10])
    return gb.make_model("MLP classifier: MatMul+Add+Relu, Gemm+Relu, Gemm, Softmax.")


# --------------------------------------------------------------------------------------------
# 5. resnet50 (opt-in)
# --------------------------------------------------------------------------------------------
def bottleneck(gb, x, cin, width, stride):
    """ResNet-50 v1 bottleneck (stride on the first 1x1 conv, as in the original paper)."""
    cout = width * 4
    y = conv_bn_relu(gb, x, cin, width, 1, stride, conv_name="conv1", bn_name="bn1",
                     relu_name="relu1")
    y = conv_bn_relu(gb, y, width, width, 3, 1, conv_name="conv2", bn_name="bn2",
                     relu_name="relu2")
    # Small gamma on the last BN of the residual branch keeps activations bounded over
    # 16 random blocks (akin to zero-init-residual training).
    y = conv_bn(gb, y, width, cout, 1, 1, conv_name="conv3", bn_name="bn3", gamma=(0.1, 0.3))
    if stride != 1 or cin != cout:
        shortcut = conv_bn(gb, x, cin, cout, 1, stride, conv_name="downsample.0",
                           bn_name="downsample.1")
    else:
        shortcut = x
    y = gb.node("Add", [y, shortcut], "add")
    return relu(gb, y, "relu3")


def build_resnet50():
    gb = GraphBuilder("resnet50", seed=1005)
    x = gb.input("input", TensorProto.FLOAT, [BATCH, 3, 224, 224])
    x = conv_bn_relu(gb, x, 3, 64, 7, 2, conv_name="conv1", bn_name="bn1")  # -> 112x112
    x = gb.node("MaxPool", [x], "maxpool", kernel_shape=[3, 3], strides=[2, 2],
                pads=[1, 1, 1, 1])  # -> 56x56
    cin = 64
    stages = [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]
    for stage, (width, blocks, stride) in enumerate(stages, start=1):
        for block in range(blocks):
            with gb.scope(f"layer{stage}.{block}"):
                x = bottleneck(gb, x, cin, width, stride if block == 0 else 1)
            cin = width * 4
    classifier_head(gb, x, cin, 1000, "logits")
    return gb.make_model("ResNet-50 v1 (bottlenecks 3-4-6-3) with random weights.")


# --------------------------------------------------------------------------------------------
# 6. densenet_mini (opt-in)
# --------------------------------------------------------------------------------------------
DENSE_GROWTH, DENSE_LAYERS = 12, (6, 6, 6)


def bn_relu_conv(gb, x, cin, cout, k, stride=1):
    """DenseNet's pre-activation unit: BN -> ReLU -> Conv (no bias)."""
    x = relu(gb, batch_norm(gb, x, cin, "norm"), "relu")
    return conv(gb, x, cin, cout, k, stride, name="conv")


def dense_layer(gb, x, cin):
    """DenseNet-BC layer: a 1x1 bottleneck to 4*growth channels, a 3x3 conv to growth
    channels, and the result concatenated to the layer's input along the channels."""
    with gb.scope("bottleneck"):
        y = bn_relu_conv(gb, x, cin, 4 * DENSE_GROWTH, 1)
    with gb.scope("growth"):
        y = bn_relu_conv(gb, y, 4 * DENSE_GROWTH, DENSE_GROWTH, 3)
    return gb.node("Concat", [x, y], "concat", axis=1)


def build_densenet_mini():
    gb = GraphBuilder("densenet_mini", seed=1006)
    x = gb.input("input", TensorProto.FLOAT, [BATCH, 3, 32, 32])
    cin = 2 * DENSE_GROWTH
    x = conv(gb, x, 3, cin, 3, name="conv0")
    for block, layers in enumerate(DENSE_LAYERS, start=1):
        for layer in range(layers):
            with gb.scope(f"denseblock{block}.denselayer{layer + 1}"):
                x = dense_layer(gb, x, cin)
            cin += DENSE_GROWTH
        if block < len(DENSE_LAYERS):  # transition: halve channels and resolution
            with gb.scope(f"transition{block}"):
                x = bn_relu_conv(gb, x, cin, cin // 2, 1)
                x = gb.node("AveragePool", [x], "pool", kernel_shape=[2, 2], strides=[2, 2])
            cin //= 2
    x = relu(gb, batch_norm(gb, x, cin, "norm5"), "relu5")
    classifier_head(gb, x, cin, 10, "logits")
    return gb.make_model("DenseNet-BC-style CNN: 3 dense blocks of 6 layers (growth 12) whose "
                         "outputs are concatenated, with transitions; pre-activation BN-ReLU.")


# --------------------------------------------------------------------------------------------
# 7. mobilenetv2 (opt-in): full size, for the model benchmarks
# --------------------------------------------------------------------------------------------
def build_mobilenetv2():
    # MobileNetV2 1.0, Table 2 of the paper
    return mobilenetv2("mobilenetv2", 1007, 224,
                       [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                        (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)], 1280, 1000,
                       "MobileNetV2 1.0 at 224x224 (17 inverted residual blocks, ReLU6 as "
                       "Clip, BatchNorm kept), 1000 classes, random weights.")


# --------------------------------------------------------------------------------------------
# 8. bert_base (opt-in): a BERT-base-sized encoder, for the model benchmarks
# --------------------------------------------------------------------------------------------
BERT_VOCAB, BERT_SEQ, BERT_HIDDEN, BERT_HEADS, BERT_FFN, BERT_LAYERS = 30522, 128, 768, 12, 3072, 12
BERT_HEAD_DIM = BERT_HIDDEN // BERT_HEADS


def bert_linear(gb, x, fin, fout, name):
    """A BERT dense layer: MatMul with weight [in, out] + Add(bias), weights N(0, 0.02)."""
    w = gb.param(f"{name}.weight", normal(gb.rng, (fin, fout), 0.02))
    b = gb.param(f"{name}.bias", normal(gb.rng, (fout,), 0.02))
    with gb.scope(name):
        y = gb.node("MatMul", [x, w], "MatMul")
        return gb.node("Add", [y, b], "Add")


def bert_layer_norm(gb, x, name):
    scale = gb.param(f"{name}.weight", uniform(gb.rng, (BERT_HIDDEN,), 0.9, 1.1))
    bias = gb.param(f"{name}.bias", normal(gb.rng, (BERT_HIDDEN,), 0.02))
    return gb.node("LayerNormalization", [x, scale, bias], name, axis=-1, epsilon=1e-12)


def bert_heads(gb, x, name, perm):
    """[B,S,D] -> Reshape [B,S,H,Dh] (a constant target, -1 for the batch) -> Transpose."""
    with gb.scope(name):
        target = gb.constant("shape", np.array([-1, BERT_SEQ, BERT_HEADS, BERT_HEAD_DIM],
                                               np.int64))
        x = gb.node("Reshape", [x, target], "reshape")
        return gb.node("Transpose", [x], "transpose", perm=perm)


def bert_attention(gb, x):
    q = bert_heads(gb, bert_linear(gb, x, BERT_HIDDEN, BERT_HIDDEN, "query"), "query_heads",
                   perm=[0, 2, 1, 3])  # [B,H,S,Dh]
    k = bert_heads(gb, bert_linear(gb, x, BERT_HIDDEN, BERT_HIDDEN, "key"), "key_heads",
                   perm=[0, 2, 3, 1])  # [B,H,Dh,S]
    v = bert_heads(gb, bert_linear(gb, x, BERT_HIDDEN, BERT_HIDDEN, "value"), "value_heads",
                   perm=[0, 2, 1, 3])  # [B,H,S,Dh]
    scores = gb.node("MatMul", [q, k], "scores")  # [B,H,S,S]
    scale = gb.constant("scale", np.array(math.sqrt(BERT_HEAD_DIM), np.float32))
    scores = gb.node("Div", [scores, scale], "scaled_scores")
    probs = gb.node("Softmax", [scores], "softmax", axis=-1)
    ctx = gb.node("MatMul", [probs, v], "context")  # [B,H,S,Dh]
    with gb.scope("merge_heads"):
        ctx = gb.node("Transpose", [ctx], "transpose", perm=[0, 2, 1, 3])
        target = gb.constant("shape", np.array([-1, BERT_SEQ, BERT_HIDDEN], np.int64))
        ctx = gb.node("Reshape", [ctx, target], "reshape")
    return bert_linear(gb, ctx, BERT_HIDDEN, BERT_HIDDEN, "output.dense")


def bert_encoder_layer(gb, x):
    """Post-LN BERT layer: LN(x + Attn(x)), then LN(h + FFN(h))."""
    with gb.scope("attention"):
        h = bert_attention(gb, x)
        x = bert_layer_norm(gb, gb.node("Add", [h, x], "residual"), "output.LayerNorm")
    h = bert_linear(gb, x, BERT_HIDDEN, BERT_FFN, "intermediate.dense")
    h = gelu_erf(gb, h, "intermediate.gelu")
    h = bert_linear(gb, h, BERT_FFN, BERT_HIDDEN, "output.dense")
    return bert_layer_norm(gb, gb.node("Add", [h, x], "residual"), "output.LayerNorm")


def build_bert_base():
    gb = GraphBuilder("bert_base", seed=1008)
    ids = gb.input("input_ids", TensorProto.INT64, [BATCH, BERT_SEQ])
    with gb.scope("embeddings"):
        words = gb.param("word_embeddings.weight",
                         normal(gb.rng, (BERT_VOCAB, BERT_HIDDEN), 0.02))
        # Positions 0..S-1 and token type 0 for every token: constants added to every row.
        positions = gb.param("position_embeddings.weight",
                             normal(gb.rng, (BERT_SEQ, BERT_HIDDEN), 0.02))
        token_type = gb.param("token_type_embeddings.weight",
                              normal(gb.rng, (BERT_HIDDEN,), 0.02))
        x = gb.node("Gather", [words, ids], "word", axis=0)  # [B,S,D]
        x = gb.node("Add", [x, positions], "add_position")
        x = gb.node("Add", [x, token_type], "add_token_type")
        x = bert_layer_norm(gb, x, "LayerNorm")
    for i in range(BERT_LAYERS):
        with gb.scope(f"encoder.layer.{i}"):
            x = bert_encoder_layer(gb, x)
    gb.node("Identity", [x], "last_hidden_state", outputs=["hidden"])
    gb.output("hidden", TensorProto.FLOAT, [BATCH, BERT_SEQ, BERT_HIDDEN])
    return gb.make_model("BERT-base-sized encoder: 12 post-LN layers, hidden 768, 12 heads, FFN "
                         "3072, vocab 30522, sequence 128, no attention mask; random weights.")


# --------------------------------------------------------------------------------------------
# Writing and validation
# --------------------------------------------------------------------------------------------
@dataclass
class ModelSpec:
    name: str
    build: Callable[[], onnx.ModelProto]
    int_high: int = 0          # exclusive upper bound for random integer inputs
    batches: tuple = (1, 3)    # batch sizes run in onnxruntime
    default: bool = True       # generated without --only / --resnet50


MODELS = {
    spec.name: spec
    for spec in [
        ModelSpec("resnet_mini", build_resnet_mini),
        ModelSpec("mobilenetv2_mini", build_mobilenetv2_mini),
        ModelSpec("transformer_encoder", build_transformer_encoder, int_high=VOCAB),
        ModelSpec("mlp_softmax", build_mlp_softmax),
        ModelSpec("resnet50", build_resnet50, batches=(1,), default=False),
        ModelSpec("densenet_mini", build_densenet_mini, default=False),
        ModelSpec("mobilenetv2", build_mobilenetv2, default=False),
        ModelSpec("bert_base", build_bert_base, int_high=BERT_VOCAB,
                  default=False),
    ]
}


class ValidationError(RuntimeError):
    pass


def save(model, path, external_data):
    data_name = os.path.basename(path) + ".data"
    data_path = os.path.join(os.path.dirname(path), data_name)
    # onnx appends to an existing external-data file, and a stale one would be misleading.
    if os.path.exists(data_path):
        os.remove(data_path)
    if external_data:
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=data_name)
    else:
        onnx.save_model(model, path)


def dims_of(value_info):
    return [d.dim_param if d.HasField("dim_param") else d.dim_value
            for d in value_info.type.tensor_type.shape.dim]


def random_input(rng, value_info, batch, int_high):
    shape = [batch] + dims_of(value_info)[1:]
    dtype = helper.tensor_dtype_to_np_dtype(value_info.type.tensor_type.elem_type)
    if np.issubdtype(dtype, np.integer):
        return rng.integers(0, int_high, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def validate(path, spec):
    """check_model(full_check) + onnxruntime runs; raises ValidationError on any problem."""
    import onnxruntime as ort

    onnx.checker.check_model(path, full_check=True)
    model = onnx.load(path, load_external_data=False)
    for vi in list(model.graph.input) + list(model.graph.output):
        if dims_of(vi)[:1] != [BATCH]:
            raise ValidationError(f"{vi.name}: dim 0 is {dims_of(vi)[:1]}, expected '{BATCH}'")
    names = [n.name for n in model.graph.node]
    if not all(names) or len(set(names)) != len(names):
        raise ValidationError("node names must be set and unique")

    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    reference = None
    for batch in spec.batches:
        feeds = {vi.name: random_input(rng, vi, batch, spec.int_high) for vi in model.graph.input}
        if reference is not None:  # row 0 of this batch repeats the batch-1 input
            for name, value in reference[0].items():
                feeds[name][0] = value[0]
        results = sess.run(None, feeds)
        for vi, result in zip(model.graph.output, results):
            expected = [batch] + dims_of(vi)[1:]
            if list(result.shape) != expected:
                raise ValidationError(f"{vi.name}: shape {list(result.shape)} at batch {batch}, "
                                      f"expected {expected}")
            if not np.all(np.isfinite(result)):
                raise ValidationError(f"{vi.name}: non-finite values at batch {batch}")
            print(f"    batch {batch}: {vi.name} {list(result.shape)} "
                  f"(mean |x| {np.abs(result).mean():.4g})")
        if reference is None:
            reference = (feeds, results)
        else:
            for vi, ref, got in zip(model.graph.output, reference[1], results):
                scale = max(1.0, float(np.abs(ref).max()))
                if not np.allclose(ref[0], got[0], rtol=1e-3, atol=1e-4 * scale):
                    raise ValidationError(f"{vi.name}: row 0 at batch {batch} differs from batch 1")


def generate(spec, out_dir, external_data):
    path = os.path.join(out_dir, spec.name + ".onnx")
    start = time.perf_counter()
    model = spec.build()
    save(model, path, external_data and spec.name == "resnet50")
    size = os.path.getsize(path)
    if os.path.exists(path + ".data"):
        size += os.path.getsize(path + ".data")
    built = time.perf_counter() - start
    print(f"{path}: {len(model.graph.node)} nodes, {len(model.graph.initializer)} initializers, "
          f"{size / 1e6:.1f} MB, written in {built:.1f} s")
    validate(path, spec)
    print(f"    validated in {time.perf_counter() - start - built:.1f} s")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output-dir", default=os.path.dirname(os.path.abspath(__file__)),
                    help="output directory (default: this script's folder)")
    ap.add_argument("--only", nargs="+", choices=sorted(MODELS), metavar="NAME",
                    help=f"generate only these models: {', '.join(MODELS)}")
    ap.add_argument("--resnet50", action="store_true",
                    help="also generate resnet50.onnx (~100 MB of weights)")
    ap.add_argument("--external-data", action="store_true",
                    help="store resnet50 weights in resnet50.onnx.data next to the model")
    args = ap.parse_args(argv)

    names = list(args.only) if args.only else [n for n, s in MODELS.items() if s.default]
    if args.resnet50 and "resnet50" not in names:
        names.append("resnet50")
    os.makedirs(args.output_dir, exist_ok=True)
    for name in names:
        try:
            generate(MODELS[name], args.output_dir, args.external_data)
        except Exception as e:  # noqa: BLE001 - report which model failed, then exit non-zero
            print(f"error: {name}: {type(e).__name__}: {e}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
