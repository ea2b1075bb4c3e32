#!/usr/bin/env python3
"""Builds Anvil artifacts by hand, for the runtime tests, the way anvil-compile emits them:
a plan blob in the exact binary layout of runtime/include/anvil/plan_format.h, a weights
blob, and an assembly file that pulls both in with .incbin between the global labels
anvil_plan_begin/_end and anvil_weights_begin/_end, linked with hand-written kernels
(kernels.c) into a shared object by `cc -shared -fPIC`.

  anvil_artifact.py build MODEL -o OUT.so [--corrupt KIND] [--cc CC] [--cflags FLAGS]
  anvil_artifact.py data MODEL --batch N -o DIR [--seed S]   inputs and numpy references
  anvil_artifact.py badnpy KIND -o FILE                      a malformed .npy file
  anvil_artifact.py patch-machine IN OUT MACHINE             rewrites the ELF e_machine
  anvil_artifact.py truncate IN OUT SIZE                     keeps the first SIZE bytes
                                                             (or fraction, if < 1) of a file
"""
import argparse
import os
import struct
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

# plan_format.h
MAGIC = b"ANVLPLN1"
VERSION = 1
CONST, INPUT_DIM, ADD, SUB, MUL, FLOORDIV, CEILDIV, MOD, MIN, MAX, SELECT_NEG = range(11)
INPUT, OUTPUT, CONSTANT, TEMP, VIEW = range(5)
KERNEL, COPY = range(2)
DTYPES = {"f32": 1, "f64": 2, "f16": 3, "bf16": 4, "i8": 5, "i16": 6, "i32": 7, "i64": 8,
          "u8": 9, "u16": 10, "u32": 11, "u64": 12, "bool": 13}
NUMPY = {"f32": np.float32, "f64": np.float64, "f16": np.float16, "i8": np.int8,
         "i16": np.int16, "i32": np.int32, "i64": np.int64, "u8": np.uint8, "u16": np.uint16,
         "u32": np.uint32, "u64": np.uint64, "bool": np.bool_}


class Plan:
    """An execution plan under construction; serialize() writes the blob."""

    def __init__(self):
        self.version = VERSION
        self.exprs = []  # each a list of (opcode, operand)
        self.buffers = []  # each a dict of the fields of plan_format.h
        self.inputs = []  # (buffer, name)
        self.outputs = []
        self.steps = []
        self.num_kernels = 0
        self.weights = bytearray()

    def expr(self, *ops):
        """Adds an expression; returns the size that names it."""
        self.exprs.append(list(ops))
        return -len(self.exprs)

    def buffer(self, kind, dtype, dims, ref=0, strides=None, offset=0, byte_size=0,
               first=0, last=0):
        self.buffers.append(dict(kind=kind, dtype=DTYPES[dtype], dims=list(dims), ref=ref,
                                 strides=list(strides or []), offset=offset,
                                 byte_size=byte_size, first=first, last=last))
        return len(self.buffers) - 1

    def input(self, name, dtype, dims):
        b = self.buffer(INPUT, dtype, dims, ref=len(self.inputs))
        self.inputs.append((b, name))
        return b

    def output(self, name, dtype, dims):
        b = self.buffer(OUTPUT, dtype, dims, ref=len(self.outputs))
        self.outputs.append((b, name))
        return b

    def constant(self, array):
        while len(self.weights) % 64:
            self.weights.append(0)
        offset = len(self.weights)
        data = np.ascontiguousarray(array).tobytes()
        self.weights += data
        dtype = next(k for k, v in NUMPY.items() if v == array.dtype.type)
        return self.buffer(CONSTANT, dtype, array.shape, offset=offset, byte_size=len(data))

    def temp(self, dtype, dims, first, last):
        return self.buffer(TEMP, dtype, dims, first=first, last=last)

    def view(self, base, dims, strides, offset=0):
        return self.buffer(VIEW, "f32", dims, ref=base, strides=strides, offset=offset)

    def kernel(self, kernel, args, grid_kind=0, extent=0):
        self.num_kernels = max(self.num_kernels, kernel + 1)
        self.steps.append(dict(kind=KERNEL, kernel=kernel, grid_kind=grid_kind,
                               extent=extent, args=list(args)))

    def copy(self, src, dst):
        self.steps.append(dict(kind=COPY, src=src, dst=dst))

    def serialize(self):
        out = bytearray(MAGIC)
        out += struct.pack("<7I", self.version, len(self.exprs), len(self.buffers),
                           len(self.inputs), len(self.outputs), len(self.steps),
                           self.num_kernels)
        for ops in self.exprs:
            out += struct.pack("<I", len(ops))
            for opcode, operand in ops:
                out += struct.pack("<IIq", opcode, 0, operand)
        for b in self.buffers:
            out += struct.pack("<BBHI", b["kind"], b["dtype"], len(b["dims"]), b["ref"])
            out += struct.pack(f"<{len(b['dims'])}q", *b["dims"])
            if b["kind"] == VIEW:
                out += struct.pack(f"<{len(b['strides'])}q", *b["strides"])
            out += struct.pack("<qQII", b["offset"], b["byte_size"], b["first"], b["last"])
        for buffer, name in self.inputs + self.outputs:
            encoded = name.encode()
            out += struct.pack("<II", buffer, len(encoded)) + encoded
        for s in self.steps:
            if s["kind"] == KERNEL:
                out += struct.pack("<IIIqI", KERNEL, s["kernel"], s["grid_kind"], s["extent"],
                                   len(s["args"]))
                out += struct.pack(f"<{len(s['args'])}I", *s["args"])
            else:
                out += struct.pack("<III", s["kind"], s["src"], s["dst"])
        return bytes(out)


# ---- Models -------------------------------------------------------------------------------

W = (np.arange(12, dtype=np.float32).reshape(4, 3) - 5.5) / 4
BIAS = np.array([0.5, -1.0, 0.25], dtype=np.float32)


def basic():
    """x, y: f32 [N,4] (y's batch tied to x's). Steps: s = x + y (workgroups over rows,
    into a TEMP); COPY s -> output 'sum'; m = s @ W + bias (constant weights, TEMP);
    'relu' = relu of a VIEW that flattens m to [N*3]; COPY of a strided VIEW (column 2 of
    m) into a TEMP; 'col2' = 2 * that column; 'total' (rank 0) = sum of 'relu'."""
    p = Plan()
    n = p.expr((INPUT_DIM, 0))
    n3 = p.expr((INPUT_DIM, 0), (CONST, 3), (MUL, 0))
    x = p.input("x", "f32", [n, 4])
    y = p.input("y", "f32", [n, 4])  # INPUT_DIM(0, 0) is not y's own dim: a tied dim
    w = p.constant(W)
    bias = p.constant(BIAS)
    out_sum = p.output("sum", "f32", [n, 4])
    out_relu = p.output("relu", "f32", [n3])
    out_col2 = p.output("col2", "f32", [n])
    out_total = p.output("total", "f32", [])
    t_sum = p.temp("f32", [n, 4], 0, 2)
    t_mm = p.temp("f32", [n, 3], 2, 4)
    flat = p.view(t_mm, [n3], [1])
    col = p.view(t_mm, [n], [3], offset=2)
    t_col = p.temp("f32", [n], 4, 5)
    p.kernel(0, [x, y, t_sum], grid_kind=1, extent=n)
    p.copy(t_sum, out_sum)
    p.kernel(1, [t_sum, w, bias, t_mm], grid_kind=1, extent=n)
    p.kernel(2, [flat, out_relu], grid_kind=1, extent=n3)
    p.copy(col, t_col)
    p.kernel(3, [t_col, out_col2])
    p.kernel(4, [out_relu, out_total])
    return p


def basic_reference(x, y):
    s = x + y
    m = s @ W + BIAS
    relu = np.maximum(m.reshape(-1), 0)
    return {"sum": s, "relu": relu, "col2": 2 * m[:, 2], "total": np.float32(relu.sum())}


DTYPE_SHAPES = [("f32", ["N", 3]), ("f64", [2]), ("f16", ["N"]), ("bf16", [3]),
                ("i8", [4]), ("i16", [2, 2]), ("i32", ["N", 2]), ("i64", [3]), ("u8", [5]),
                ("u16", [1]), ("u32", [2]), ("u64", [2]), ("bool", ["N"]), ("f32", [])]


def dtypes():
    """One input per dtype (some with a symbolic dim, one scalar), each copied by a COPY
    step to the output '<input>_out': exercises every dtype end to end without kernels."""
    p = Plan()
    pairs = []
    for i, (dtype, shape) in enumerate(DTYPE_SHAPES):
        dims = [p.expr((INPUT_DIM, i << 16 | d)) if s == "N" else s
                for d, s in enumerate(shape)]
        name = f"{dtype}_{i}"
        pairs.append((p.input(name, dtype, dims), name, dtype, dims))
    for b, name, dtype, dims in pairs:
        p.copy(b, p.output(name + "_out", dtype, dims))
    return p


def grid():
    """x: f32 [N]; 'wg' (i64 [N]) records wg_count * 1000 + wg_id for each item."""
    p = Plan()
    n = p.expr((INPUT_DIM, 0))
    x = p.input("x", "f32", [n])
    wg = p.output("wg", "i64", [n])
    p.kernel(5, [x, wg], grid_kind=1, extent=n)
    return p


def outer():
    """x: f32 [N]; 'outer' [N,N] = x x^T (kernel 6) and 'flat' [N*N] = a COPY of a VIEW
    that flattens it. A TEMP of [8 floordiv N] that no step uses makes N = 0 divide by zero;
    N = 2^32 makes N*N overflow: the run-time size checks."""
    p = Plan()
    n = p.expr((INPUT_DIM, 0))
    nn = p.expr((INPUT_DIM, 0), (INPUT_DIM, 0), (MUL, 0))
    eight_by_n = p.expr((CONST, 8), (INPUT_DIM, 0), (FLOORDIV, 0))
    x = p.input("x", "f32", [n])
    out = p.output("outer", "f32", [n, n])
    flat = p.output("flat", "f32", [nn])
    p.temp("f32", [eight_by_n], 0, 0)
    p.kernel(6, [x, out], grid_kind=1, extent=n)
    p.copy(p.view(out, [nn], [1]), flat)
    return p


MODELS = {"basic": basic, "dtypes": dtypes, "grid": grid, "outer": outer}


# ---- Corruptions (of the basic model) -----------------------------------------------------

def corrupt(plan, kind):
    """Applies one defect; returns (plan bytes, extra C flags)."""
    cflags = []
    if kind == "bad-opcode":
        plan.exprs[0] = [(42, 0)]
    elif kind == "stack-underflow":
        plan.exprs[1] = [(INPUT_DIM, 0), (MUL, 0)]
    elif kind == "stack-leftover":
        plan.exprs[0] = [(CONST, 1), (CONST, 2)]
    elif kind == "input-dim-range":
        plan.exprs[0] = [(INPUT_DIM, 5 << 16)]
    elif kind == "expr-range":
        plan.buffers[0]["dims"][0] = -100
    elif kind == "buffer-range":
        plan.steps[0]["args"][2] = 99
    elif kind == "bad-kind":
        plan.buffers[6]["kind"] = 9
    elif kind == "bad-dtype":
        plan.buffers[0]["dtype"] = 99
    elif kind == "rank9":
        plan.temp("f32", [1] * 9, 0, 0)
    elif kind == "view-forward":
        plan.buffers[10]["ref"] = 10
    elif kind == "const-range":
        plan.buffers[2]["offset"] = len(plan.weights)
    elif kind == "live-range":
        plan.buffers[12]["first"] = 5
    elif kind == "bad-step":
        plan.steps[1]["kind"] = 7
    elif kind == "kernel-range":
        plan.steps[0]["kernel"] = 40
    elif kind == "dup-name":
        plan.outputs[1] = (plan.outputs[1][0], "sum")
    elif kind == "missing-kernel":
        plan.num_kernels = 8  # kernels.c defines anvil_kernel_0 .. anvil_kernel_6
    elif kind == "bad-version":
        plan.version = 2
    elif kind in ("bad-magic", "bad-magic-extra"):
        if kind == "bad-magic-extra":
            cflags.append("-DEXTRA_MAGIC")
    elif kind in ("truncated-plan", "trailing-bytes", "dlopen-fails"):
        pass
    else:
        sys.exit(f"unknown corruption {kind}")
    blob = plan.serialize()
    if kind.startswith("bad-magic"):
        blob = b"ANVLPLN0" + blob[8:]
    elif kind == "truncated-plan":
        blob = blob[:len(blob) // 2]
    elif kind == "trailing-bytes":
        blob += b"\0" * 4
    return blob, cflags


# ---- Commands -----------------------------------------------------------------------------

ASM = """\t.section .rodata.anvil_weights,"a"
\t.balign 64
\t.globl anvil_weights_begin
\t.type anvil_weights_begin, @object
anvil_weights_begin:
\t.incbin "{weights}"
\t.globl anvil_weights_end
anvil_weights_end:
\t.section .rodata.anvil_plan,"a"
\t.globl anvil_plan_begin
\t.type anvil_plan_begin, @object
anvil_plan_begin:
\t.incbin "{plan}"
\t.globl anvil_plan_end
anvil_plan_end:
\t.section .note.GNU-stack,"",@progbits
"""


def build(args):
    plan = MODELS[args.model]()
    blob, cflags = corrupt(plan, args.corrupt) if args.corrupt else (plan.serialize(), [])
    out = os.path.abspath(args.o)
    work = out + ".parts"
    os.makedirs(work, exist_ok=True)
    paths = {k: os.path.join(work, k + ".bin") for k in ("plan", "weights")}
    with open(paths["plan"], "wb") as f:
        f.write(blob)
    with open(paths["weights"], "wb") as f:
        f.write(plan.weights)
    asm = os.path.join(work, "artifact.S")
    with open(asm, "w") as f:
        f.write(ASM.format(**paths))
    cmd = [args.cc, "-shared", "-fPIC", "-O2", "-o", out, os.path.join(HERE, "kernels.c"), asm]
    cmd += cflags + args.cflags.split()
    if args.corrupt == "dlopen-fails":
        # Linked against a library that is deleted right after: dlopen cannot resolve it.
        dep = os.path.join(work, "libanvil_test_dep.so")
        src = os.path.join(work, "dep.c")
        with open(src, "w") as f:
            f.write("int anvil_test_dep(void) { return 1; }\n")
        subprocess.check_call([args.cc, "-shared", "-fPIC", "-o", dep, src])
        cmd += ["-DNEEDS_DEP", "-L" + work, "-lanvil_test_dep"]
        subprocess.check_call(cmd)
        os.remove(dep)
        return
    subprocess.check_call(cmd)


def data(args):
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.o, exist_ok=True)

    def save(name, array):
        np.save(os.path.join(args.o, name + ".npy"), array)

    n = args.batch
    if args.model == "basic":
        x = rng.standard_normal((n, 4)).astype(np.float32)
        y = rng.standard_normal((n, 4)).astype(np.float32)
        save("x", x)
        save("y", y)
        for name, ref in basic_reference(x, y).items():
            save("ref_" + name, ref)
    elif args.model == "dtypes":
        for i, (dtype, shape) in enumerate(DTYPE_SHAPES):
            shape = [n if s == "N" else s for s in shape]
            if dtype in ("f32", "f64", "f16"):
                a = rng.standard_normal(shape).astype(NUMPY[dtype])
            elif dtype == "bf16":  # exchanged as f32 .npy; values exact in bf16
                a = (rng.integers(-64, 64, shape) / 8).astype(np.float32)
            elif dtype == "bool":
                a = rng.integers(0, 2, shape).astype(np.bool_)
            else:
                info = np.iinfo(NUMPY[dtype])
                a = rng.integers(info.min, info.max, shape, dtype=NUMPY[dtype],
                                 endpoint=True)
            save(f"{dtype}_{i}", a)
    else:
        sys.exit(f"no data for model {args.model}")


def badnpy(args):
    """Malformed or unsupported .npy files, and well-formed ones of the wrong kind."""
    def header(descr, fortran, shape, version=1):
        text = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
            descr, fortran, shape)
        prefix = 10 if version == 1 else 12
        text += " " * ((-(prefix + len(text) + 1)) % 64) + "\n"
        size = struct.pack("<H" if version == 1 else "<I", len(text))
        return b"\x93NUMPY" + bytes([version, 0]) + size + text.encode()

    kind = args.kind
    body = np.arange(8, dtype=np.float32).tobytes()
    files = {
        "fortran": header("<f4", "True", "(2, 4)") + body,
        "big-endian": header(">f4", "False", "(2, 4)") + body,
        "truncated": header("<f4", "False", "(2, 4)") + body[:20],
        "garbage-header": b"\x93NUMPY\x01\x00\x10\x00{'descr': <<<>>\n",
        "bad-magic": b"PK\x03\x04 this is a zip file, not a .npy",
        "complex": header("<c8", "False", "(2, 2)") + body,
        "int32": header("<i4", "False", "(2, 4)") + body,
        "rank3": header("<f4", "False", "(2, 2, 2)") + body,
        "shape-2x5": header("<f4", "False", "(2, 5)") + body + body[:8],
        "empty": b"",
        # Well-formed: a version 2.0 header (4-byte length), and f32 data with NaNs.
        "v2": header("<f4", "False", "(2, 4)", version=2) + body,
        "nan": header("<f4", "False", "(2, 3)") + np.array(
            [np.nan, 1, -np.inf, np.nan, 0, np.inf], dtype=np.float32).tobytes(),
    }
    if kind not in files:
        sys.exit(f"unknown npy kind {kind}")
    with open(args.o, "wb") as f:
        f.write(files[kind])


def patch_machine(args):
    with open(args.input, "rb") as f:
        elf = bytearray(f.read())
    elf[18:20] = struct.pack("<H", args.machine)
    with open(args.output, "wb") as f:
        f.write(elf)


def truncate(args):
    with open(args.input, "rb") as f:
        blob = f.read()
    with open(args.output, "wb") as f:
        f.write(blob[:int(args.size if args.size >= 1 else len(blob) * args.size)])


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("model", choices=sorted(MODELS))
    b.add_argument("-o", required=True)
    b.add_argument("--corrupt")
    b.add_argument("--cc", default=os.environ.get("CC", "cc"))
    b.add_argument("--cflags", default=os.environ.get("ANVIL_ARTIFACT_CFLAGS", ""))
    d = sub.add_parser("data")
    d.add_argument("model", choices=sorted(MODELS))
    d.add_argument("--batch", type=int, required=True)
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("-o", required=True)
    n = sub.add_parser("badnpy")
    n.add_argument("kind")
    n.add_argument("-o", required=True)
    m = sub.add_parser("patch-machine")
    m.add_argument("input")
    m.add_argument("output")
    m.add_argument("machine", type=int)
    t = sub.add_parser("truncate")
    t.add_argument("input")
    t.add_argument("output")
    t.add_argument("size", type=float, help="bytes to keep, or a fraction (< 1)")
    args = ap.parse_args()
    {"build": build, "data": data, "badnpy": badnpy, "patch-machine": patch_machine,
     "truncate": truncate}[args.cmd](args)


if __name__ == "__main__":
    main()
