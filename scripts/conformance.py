#!/usr/bin/env python3
"""Compile and run the ONNX backend tests with Anvil and check them against their expected outputs.

For each DIR/<kind>/<test>/ (the layout of scripts/gen_onnx_testdata.py: model.onnx and
test_data_set_N/{input,output}_M.pb) this

  1. compiles the model: `anvil-compile model.onnx -o <test>.so`;
  2. converts every data set's input_M.pb / output_M.pb to .npy, naming each after the M-th graph
     input / output, as the ONNX backend runner pairs them;
  3. runs `anvil-run <test>.so --input NAME=FILE ... --output-dir DIR --compare NAME=REF ...
     --rtol R --atol A` once per data set, and checks the outputs it wrote again with numpy
     (shape, dtype, values: anvil-run does not compare dtypes), so that a mismatch reports its
     largest error. bfloat16 tensors travel as float32 .npy files, as anvil-run expects.

Tolerances are the ONNX backend runner's: rtol=1e-3, atol=1e-7 (a test's data.json may override
them), rtol at least 2**-6 for bfloat16 outputs; a value matches if |out - ref| <= atol +
rtol * |ref|, NaN matching NaN, and shape and dtype must be equal.

Each test ends up

  passed   it compiled, and every data set ran and matched;
  skipped  Anvil does not support it yet: the compiler reported only "unsupported op",
           "cannot be lowered to linalg yet", "unsupported element type" or "... is/are not
           supported" errors, or the test's inputs/outputs are not tensors that .npy files can
           carry (sequences, optionals, maps, strings, complex, 2-, 4- and 8-bit numbers);
  failed   any other compile error, a compiler crash (a signal, an exit status other than 0
           or 1), a runtime error or crash, a timeout, or a wrong answer.

Progress goes to stderr; the summary goes to stdout and ends with the line
`N passed, N failed, N skipped`. The exit status is 0, or 1 if --require-all-pass is given and a
test did not pass, or if --min-node-pass-rate is given and the node tests fall short of it
(skipped tests count as not passed), or 2 on usage errors.

Examples:
  scripts/conformance.py --report docs/onnx-conformance.md        # all tests (make conformance)
  scripts/conformance.py --filter 'node/test_(relu|conv)' -v      # a few, with every outcome
  scripts/conformance.py --list-file test/conformance/ci-subset.txt --require-all-pass
"""
from __future__ import annotations

import argparse
import collections
import concurrent.futures
import dataclasses
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

# The compile-error helpers are shared with the import sweep (same reason keys in both reports).
from import_sweep import check_run_args, error_lines, normalise, signal_name

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_KINDS = ("node", "simple", "pytorch-converted", "pytorch-operator")
STATUSES = ("passed", "failed", "skipped")
DEFAULT_RTOL = 1e-3  # onnx/backend/test/loader and case/node: rtol=1e-3, atol=1e-7
DEFAULT_ATOL = 1e-7
BFLOAT16_RTOL = 2.0 ** -6  # onnx/backend/test/runner: two bfloat16 ULPs
PROGRESS_EVERY = 100
TOP_REASONS = 15  # reasons shown on stdout; the markdown report lists all of them
EXAMPLES_PER_REASON = 3
MAX_LOG_KEPT = 4000  # characters of compiler/runtime stderr kept per test for --json
CI_SUBSET_MAX = 120

# TensorProto element types that .npy files carry (bfloat16 as float32, as anvil-run does).
NPY_ELEM_TYPES = {1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32",
                  7: "int64", 9: "bool", 10: "float16", 11: "float64", 12: "uint32",
                  13: "uint64", 16: "bfloat16"}
RUN_ERROR, RUN_MISMATCH = 1, 2  # anvil-run's exit statuses besides 0

NOT_TENSOR = {"sequence_type": "sequence", "optional_type": "optional", "map_type": "map",
              "sparse_tensor_type": "sparse tensor", "opaque_type": "opaque"}

_UNSUPPORTED_OP_RE = re.compile(r"unsupported op\s+'([^']+)'")
_NOT_LOWERED_RE = re.compile(r"'([\w.]+)' cannot be lowered to linalg yet")
_UNSUPPORTED_TYPE_RE = re.compile(r"unsupported element type\s+'?(\w+)")
_NOT_SUPPORTED_RE = re.compile(r"\b(?:is|are) not supported\b")
_DOMAIN_RE = re.compile(r"\bdomain\s+'([^']*)'")
_EXPANDED_RE = re.compile(r"_expanded(?:_ver\d+)?$")
_KEY_PREFIX_RE = re.compile(r"^(?:<model>:\s*)?(?:node '…'(?:\s*\([^)]*\))?:\s*)?")


class UsageError(Exception):
    """A problem with the command line or environment; reported without a traceback."""


@dataclasses.dataclass
class Test:
    kind: str
    name: str
    dir: str

    @property
    def id(self) -> str:
        return f"{self.kind}/{self.name}"

    @property
    def model(self) -> str:
        return os.path.join(self.dir, "model.onnx")

    @property
    def expanded(self) -> bool:
        """A node test of an op's function body (`<test>_expanded[_verN]`)."""
        return self.kind == "node" and bool(_EXPANDED_RE.search(self.name))


@dataclasses.dataclass
class Result:
    test: Test
    status: str = "passed"  # one of STATUSES
    reasons: list[str] = dataclasses.field(default_factory=list)  # grouping keys; not for passed
    detail: str = ""  # one line: what exactly went wrong
    op: str | None = None  # node tests: the ONNX op the test is named after
    seconds: float = 0.0
    log: str = ""  # compiler/runtime stderr of the step that failed
    bound: list[str] = dataclasses.field(default_factory=list)  # inputs compiled as constants

    def fail(self, status: str, reasons: list[str] | str, detail: str = "", log: str = ""):
        self.status = status
        self.reasons = [reasons] if isinstance(reasons, str) else reasons
        self.detail = detail or self.reasons[0]
        self.log = log[-MAX_LOG_KEPT:]
        return self


# --------------------------------------------------------------------------------------------
# The model and its test data


def op_name(node) -> str:
    return node.op_type if node.domain in ("", "ai.onnx") else f"{node.domain}.{node.op_type}"


def tested_op(test: Test, model) -> str | None:
    """The op a node test is named after: its single node's op, or for an expanded test (a
    function body) that of the test it expands. Every non-expanded ONNX node test has one node."""
    if test.kind != "node":
        return None
    if test.expanded:
        import onnx
        base = os.path.join(os.path.dirname(test.dir), _EXPANDED_RE.sub("", test.name),
                            "model.onnx")
        try:
            model = onnx.load(base, load_external_data=False)
        except Exception:  # noqa: BLE001 - no base test: fall back to the expanded graph
            return None
    ops = [op_name(n) for n in model.graph.node]
    return ops[0] if len(set(ops)) == 1 else None


def io_problem(model) -> str | None:
    """Why the model's inputs/outputs cannot travel as .npy files, or None if they can."""
    import onnx
    inits = {t.name for t in model.graph.initializer}
    values = [("input", v) for v in model.graph.input if v.name not in inits]
    values += [("output", v) for v in model.graph.output]
    for role, value in values:
        kind = value.type.WhichOneof("value")
        if kind in NOT_TENSOR:
            return f"{NOT_TENSOR[kind]} {role}s (not tensors)"
        if kind != "tensor_type":
            return f"{role}s of unknown type"
        elem = value.type.tensor_type.elem_type
        if elem not in NPY_ELEM_TYPES:
            name = onnx.TensorProto.DataType.Name(elem) if elem else "UNDEFINED"
            return f"{name} {role}s (no .npy element type)"
    return None


def tolerances(test: Test) -> tuple[float, float]:
    """rtol, atol of a test: the ONNX defaults unless its data.json overrides them."""
    rtol, atol = DEFAULT_RTOL, DEFAULT_ATOL
    path = os.path.join(test.dir, "data.json")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        rtol, atol = float(data.get("rtol", rtol)), float(data.get("atol", atol))
    return rtol, atol


def data_sets(test: Test) -> list[str]:
    sets = [d for d in os.listdir(test.dir) if re.fullmatch(r"test_data_set_\d+", d)]
    return [os.path.join(test.dir, d) for d in sorted(sets, key=lambda d: int(d.rsplit("_", 1)[1]))]


def numbered(dirpath: str, prefix: str) -> list[str]:
    """DIR/prefix_0.pb, prefix_1.pb, ... in order; raises ValueError on a gap."""
    found = {}
    for f in os.listdir(dirpath):
        if m := re.fullmatch(re.escape(prefix) + r"_(\d+)\.pb", f):
            found[int(m.group(1))] = os.path.join(dirpath, f)
    if sorted(found) != list(range(len(found))):
        raise ValueError(f"{os.path.basename(dirpath)} has a gap in its {prefix}_N.pb files")
    return [found[i] for i in range(len(found))]


def load_tensor(path: str):
    import onnx
    from onnx import numpy_helper
    tensor = onnx.TensorProto()
    with open(path, "rb") as f:
        tensor.ParseFromString(f.read())
    return numpy_helper.to_array(tensor)


def is_bfloat16(value) -> bool:
    return value.dtype.name == "bfloat16"


def npy_value(value):
    """`value` as .npy can hold it: bfloat16 (an ml_dtypes type) widened to float32, the way
    anvil-run reads and writes bf16 tensors."""
    import numpy as np
    return value.astype(np.float32) if is_bfloat16(value) else value


def safe_file_name(index: int, name: str) -> str:
    return f"{index}_" + re.sub(r"[^\w.-]", "_", name)[:80] + ".npy"


# --------------------------------------------------------------------------------------------
# Comparing


def compare(name: str, out, ref, rtol: float, atol: float) -> tuple[str, str] | None:
    """None if `out` matches `ref` the way the ONNX backend runner checks; else (reason, detail)."""
    import numpy as np
    if out.shape != ref.shape:
        return "wrong output shape", (f"output '{name}': shape {list(out.shape)}, "
                                      f"expected {list(ref.shape)}")
    if out.dtype != ref.dtype:
        return "wrong output dtype", f"output '{name}': dtype {out.dtype}, expected {ref.dtype}"
    if out.size == 0:
        return None
    with np.errstate(all="ignore"):
        ok = np.isclose(out, ref, rtol=rtol, atol=atol, equal_nan=True)
        if ok.all():
            return None
        o, r = out.astype(np.float64), ref.astype(np.float64)
        err = np.where(ok, 0.0, np.abs(o - r))
        err = np.where(np.isnan(err), np.inf, err)  # a NaN where a number was expected
    worst = np.unravel_index(int(np.argmax(err)), err.shape)
    where = f" at {list(map(int, worst))}" if out.ndim else ""
    return "wrong values", (f"output '{name}': {int((~ok).sum())} of {out.size} elements "
                            f"differ; max abs error {float(err[worst]):.3g}{where} "
                            f"(got {float(o[worst]):.9g}, expected {float(r[worst]):.9g}; "
                            f"rtol={rtol:g}, atol={atol:g})")


# --------------------------------------------------------------------------------------------
# Compile errors


def compile_reasons(stderr: str, model: str) -> tuple[str, list[str]]:
    """('skipped', keys) if every error says Anvil does not support something yet, else
    ('failed', [key of the first other error])."""
    messages = error_lines(stderr)
    skips, others = [], []
    for message in messages:
        if m := _UNSUPPORTED_OP_RE.search(message):
            op = m.group(1)
            domain = _DOMAIN_RE.search(message)
            if domain and domain.group(1) not in ("", "ai.onnx"):
                op = f"{domain.group(1)}.{op}"
            key = f"unsupported op: {op}"
        elif m := _NOT_LOWERED_RE.search(message):
            key = f"not lowered to linalg yet: {m.group(1)}"
        elif m := _UNSUPPORTED_TYPE_RE.search(message):
            key = f"unsupported element type: {m.group(1)}"
        elif _NOT_SUPPORTED_RE.search(message):
            key = "not supported: " + _KEY_PREFIX_RE.sub("", normalise(message, model))
        else:
            others.append(message)
            continue
        if key not in skips:
            skips.append(key)
    if others:
        key = _KEY_PREFIX_RE.sub("", normalise(others[0], model))
        return "failed", ["compile error: " + key]
    if skips:
        return "skipped", skips
    return "failed", ["compile error: exit status 1 without an error message"]


def exit_detail(returncode: int) -> str:
    if returncode < 0:
        return f"killed by {signal_name(-returncode)}"
    if returncode > 128 and returncode - 128 < signal.NSIG:
        return f"exit status {returncode} ({signal_name(returncode - 128)}?)"
    return f"exit status {returncode}"


def first_message(stderr: str) -> str:
    """The first `error:` message, else the last non-blank line of stderr."""
    if messages := error_lines(stderr):
        return messages[0]
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[-1] if lines else ""


# --------------------------------------------------------------------------------------------
# Running one test


class Runner:
    """Compiles and runs one test at a time (thread-safe); can kill everything on Ctrl-C."""

    def __init__(self, compiler: str, runner: str, timeout: float, workdir: str):
        self.compiler = compiler
        self.runner = runner
        self.timeout = timeout
        self.workdir = workdir
        self._live: set[subprocess.Popen] = set()
        self._lock = threading.Lock()
        self._stopping = False

    def _exec(self, cmd: list[str]) -> tuple[int | None, str]:
        """(exit status or None on timeout, stdout+stderr)."""
        with self._lock:
            if self._stopping:
                raise KeyboardInterrupt
            # Own session, so that a timeout kills the whole process group and a Ctrl-C at the
            # terminal reaches only this script.
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, start_new_session=True)
            self._live.add(proc)
        try:
            try:
                out, _ = proc.communicate(timeout=self.timeout)
                returncode = proc.returncode
            except subprocess.TimeoutExpired:
                self._kill(proc)
                out, _ = proc.communicate()
                returncode = None
        finally:
            with self._lock:
                self._live.discard(proc)
        return returncode, out.decode("utf-8", errors="replace")

    @staticmethod
    def _kill(proc: subprocess.Popen) -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            proc.kill()

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            for proc in self._live:
                self._kill(proc)

    def run(self, test: Test) -> Result:
        if self._stopping:
            raise KeyboardInterrupt
        start = time.monotonic()
        tmp = tempfile.mkdtemp(prefix=test.name[:60] + ".", dir=self.workdir)
        try:
            result = self._run(test, tmp)
        except KeyboardInterrupt:
            raise
        except Exception as e:  # noqa: BLE001 - a bug here must not lose the other results
            result = Result(test).fail("failed", "conformance.py internal error",
                                       f"conformance.py internal error: {type(e).__name__}: {e}")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        result.seconds = time.monotonic() - start
        return result

    def _run(self, test: Test, tmp: str) -> Result:
        import numpy as np
        import onnx
        result = Result(test)
        try:
            model = onnx.load(test.model, load_external_data=False)
        except Exception as e:  # noqa: BLE001 - any protobuf/IO problem: a broken test
            return result.fail("failed", "test data: cannot load model.onnx",
                               f"cannot load model: {e}")
        result.op = tested_op(test, model)

        # 1. Compile. If that fails and the test feeds small parameter inputs (a shape,
        # axes, k, scalar bounds), compile again per data set with them bound as
        # constants (--bind-input): Anvil needs such values at compile time.
        artifact = os.path.join(tmp, test.name[:80] + ".so")
        sets = data_sets(test)
        failure = self._compile(result, test.model, artifact, [])
        if failure is not None:
            try:
                params = parameter_inputs(sets[0], [v.name for v in model.graph.input]) \
                    if sets else []
            except ValueError:  # odd test data (sequences): keep the first outcome
                params = []
            if not params:
                return failure
            result = Result(test, op=result.op)
            result.bound = [name for _, name, _ in params]

        # 2. Check that the inputs and outputs can travel as .npy files.
        if problem := io_problem(model):
            return result.fail("skipped", problem)
        inits = {t.name for t in model.graph.initializer}
        inputs = [v.name for v in model.graph.input]
        outputs = [v.name for v in model.graph.output]
        try:
            rtol, atol = tolerances(test)
        except (OSError, ValueError, TypeError, AttributeError) as e:
            return result.fail("failed", "test data: bad data.json", f"data.json: {e}")
        if not sets:
            return result.fail("failed", "test data: no test_data_set_N directory")

        # 3. Run each data set.
        for ds in sets:
            label = os.path.basename(ds)
            try:
                in_files, out_files = numbered(ds, "input"), numbered(ds, "output")
                if len(in_files) > len(inputs) or len(out_files) != len(outputs):
                    raise ValueError(f"{label} has {len(in_files)} inputs and {len(out_files)} "
                                     f"outputs; the model has {len(inputs)} and {len(outputs)}")
                missing = [n for n in inputs[len(in_files):] if n not in inits]
                if missing:
                    raise ValueError(f"{label} has no value for input '{missing[0]}'")
                feeds = [(inputs[i], load_tensor(p)) for i, p in enumerate(in_files)]
                refs = [(outputs[i], load_tensor(p)) for i, p in enumerate(out_files)]
            except (OSError, ValueError) as e:
                return result.fail("failed", "test data: unreadable or incomplete", str(e))
            except Exception as e:  # noqa: BLE001 - protobuf decode errors
                return result.fail("failed", "test data: unreadable or incomplete", f"{label}: {e}")

            work = os.path.join(tmp, label)
            out_dir = os.path.join(work, "out")
            os.makedirs(out_dir)
            set_artifact = artifact
            if result.bound:
                set_artifact = os.path.join(work, "bound.so")
                binds = [f"{name}={in_files[i]}" for i, name, _ in
                         parameter_inputs(ds, inputs) if name in result.bound]
                if len(binds) != len(result.bound):
                    return result.fail("failed", "test data: parameter inputs differ "
                                       "between data sets")
                failure = self._compile(result, test.model, set_artifact, binds)
                if failure is not None:
                    return failure
            cmd = [self.runner, set_artifact]
            for i, (name, value) in enumerate(feeds):
                if name in result.bound:
                    continue
                path = os.path.join(work, "in" + safe_file_name(i, name))
                np.save(path, npy_value(value))
                cmd += ["--input", f"{name}={path}"]
            cmd += ["--output-dir", out_dir]
            checks = []  # (name, reference, rtol) as the ONNX runner checks each output
            for i, (name, value) in enumerate(refs):
                path = os.path.join(work, "ref" + safe_file_name(i, name))
                np.save(path, npy_value(value))
                cmd += ["--compare", f"{name}={path}"]
                checks.append((name, npy_value(value),
                               max(rtol, BFLOAT16_RTOL) if is_bfloat16(value) else rtol))
            # anvil-run takes one rtol: the loosest; the check below applies each output's own.
            cmd += ["--rtol", repr(max(c[2] for c in checks)), "--atol", repr(atol)]

            returncode, log = self._exec(cmd)
            log = log.replace(tmp + os.sep, "")
            where = f"{label}: " if len(sets) > 1 else ""
            if returncode is None:
                return result.fail("failed", "run timeout",
                                   f"{where}anvil-run timed out after {self.timeout:g}s")
            if returncode == RUN_ERROR:
                message = first_message(log) or "exit status 1 without an error message"
                return result.fail("failed", "runtime error: " + normalise(message, artifact),
                                   where + message, log)
            if returncode not in (0, RUN_MISMATCH):
                detail = exit_detail(returncode)
                return result.fail("failed", f"runtime crash: {detail.split(':')[0]}",
                                   f"{where}anvil-run {detail}: {first_message(log)}", log)
            mismatch = check_outputs(out_dir, checks, atol)
            if returncode == RUN_MISMATCH and not mismatch:
                return result.fail("failed", "anvil-run --compare reports a mismatch, numpy none",
                                   where + first_message(log), log)
            if mismatch:
                key = mismatch[0]
                if returncode == 0 and key != "wrong output dtype":  # anvil-run checks no dtypes
                    key += " (anvil-run --compare passed it)"
                return result.fail("failed", key, where + mismatch[1], log)
        return result


    def _compile(self, result: Result, model: str, artifact: str,
                 binds: list[str]) -> Result | None:
        """Compiles `model`; None on success, otherwise `result` marked failed or skipped."""
        cmd = [self.compiler, model, "-o", artifact]
        for b in binds:
            cmd += ["--bind-input", b]
        returncode, log = self._exec(cmd)
        if returncode is None:
            return result.fail("failed", "compile timeout",
                               f"compile: timed out after {self.timeout:g}s")
        if returncode == 1:
            status, keys = compile_reasons(log, model)
            detail = first_message(log).replace(model + ": ", "")
            return result.fail(status, keys, detail or keys[0], log)
        if returncode != 0:
            detail = exit_detail(returncode)
            return result.fail("failed", f"compiler crash: {detail.split(':')[0]}",
                               f"compile: {detail}: {first_message(log)}", log)
        if not os.path.isfile(artifact):
            return result.fail("failed", "compile: exit status 0 but no artifact written")
        return None


def parameter_inputs(ds: str, inputs: list[str]) -> list[tuple[int, str, str]]:
    """The inputs of data set `ds` that look like parameters rather than data:
    scalars, int32/int64/float32 vectors of at most 16 elements after the first
    input (shapes, axes, pads, k, repeats, Resize scales and roi), and a first
    input that is such an int64 vector (ConstantOfShape's shape).
    Returns (index, name, .pb path)."""
    import numpy as np
    params = []
    for i, path in enumerate(numbered(ds, "input")):
        if i >= len(inputs):
            break
        try:
            value = load_tensor(path)
        except Exception:  # noqa: BLE001 - not a plain tensor: not a parameter
            continue
        if not isinstance(value, np.ndarray) or value.dtype.kind not in "iuf":
            continue
        # The first input is usually data, except an int64 shape (ConstantOfShape).
        small_vector = value.dtype in (np.int32, np.int64, np.float32) \
            and value.ndim == 1 and value.size <= 16 \
            and (i > 0 or value.dtype == np.int64)
        if value.ndim == 0 or small_vector:
            params.append((i, inputs[i], path))
    return params


def output_file(out_dir: str, name: str) -> str:
    """Where anvil-run writes output `name`: characters other than [-_.A-Za-z0-9] become '_'."""
    base = "_" if name in (".", "..") else re.sub(r"[^-_.A-Za-z0-9]", "_", name)
    return os.path.join(out_dir, base + ".npy")


def check_outputs(out_dir: str, checks, atol: float) -> tuple[str, str] | None:
    import numpy as np
    for name, ref, rtol in checks:
        path = output_file(out_dir, name)
        if not os.path.isfile(path):
            return "output not written", (f"output '{name}': {os.path.basename(path)} was not "
                                          "written")
        try:
            out = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as e:
            return "output unreadable", (f"output '{name}': cannot read "
                                         f"{os.path.basename(path)}: {e}")
        if problem := compare(name, out, ref, rtol, atol):
            return problem
    return None


def run_all(tests: list[Test], runner: Runner, jobs: int, verbose: bool) -> list[Result]:
    results: list[Result] = []
    counts: collections.Counter[str] = collections.Counter()
    start = time.monotonic()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=jobs)
    try:
        futures = [pool.submit(runner.run, test) for test in tests]
        for future in concurrent.futures.as_completed(futures):
            result = future.result()
            results.append(result)
            counts[result.status] += 1
            if verbose:
                print(f"{result.status.upper():7} {result.test.id}"
                      + (f": {result.detail}" if result.status != "passed" else ""),
                      file=sys.stderr, flush=True)
            done = len(results)
            if done % PROGRESS_EVERY == 0 or done == len(tests):
                print(f"[{done:{len(str(len(tests)))}}/{len(tests)}] "
                      + ", ".join(f"{counts[s]} {s}" for s in STATUSES)
                      + f" ({time.monotonic() - start:.1f}s)", file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        runner.stop()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()
    order = {test.id: i for i, test in enumerate(tests)}
    results.sort(key=lambda r: order[r.test.id])
    return results


# --------------------------------------------------------------------------------------------
# Finding the tools and the tests


def find_tool(path: str | None, defaults: list[str], what: str, hint: str) -> str:
    candidates = [path] if path else [os.path.join(REPO, d) for d in defaults]
    for candidate in candidates:
        resolved = candidate if os.sep in candidate else shutil.which(candidate)
        if resolved and os.path.isfile(resolved) and os.access(resolved, os.X_OK):
            return os.path.abspath(resolved)
    shown = path or " or ".join(os.path.relpath(c) for c in candidates)
    raise UsageError(f"{what} not found: {shown} ({hint})")


def find_tests(data: str, kinds: list[str], pattern: re.Pattern | None,
               listed: list[str] | None) -> list[Test]:
    hint = "run `make testdata` to generate the ONNX backend test data"
    if not os.path.isdir(data):
        raise UsageError(f"test data directory not found: {data}; {hint}")
    tests, missing = [], []
    for kind in kinds:
        kind_dir = os.path.join(data, kind)
        if not os.path.isdir(kind_dir):
            missing.append(kind)
            continue
        for name in sorted(os.listdir(kind_dir)):
            test = Test(kind, name, os.path.join(kind_dir, name))
            if os.path.isfile(test.model):
                tests.append(test)
    if missing:
        print(f"conformance: warning: {data} has no {', '.join(missing)} tests; {hint}",
              file=sys.stderr)
    if listed is not None:
        by_id = {t.id: t for t in tests}
        unknown = [i for i in listed if i not in by_id]
        if unknown:
            raise UsageError(f"--list-file names {len(unknown)} test(s) not in {data} (kinds "
                             f"{','.join(kinds)}): {', '.join(unknown[:5])}"
                             + (" ..." if len(unknown) > 5 else ""))
        tests = [by_id[i] for i in sorted(set(listed), key=listed.index)]
    if pattern is not None:
        tests = [t for t in tests if pattern.search(t.id)]
        if not tests:
            raise UsageError(f"no test matches --filter {pattern.pattern!r}")
    if not tests:
        raise UsageError(f"no tests (<kind>/<test>/model.onnx) found in {data}; {hint}")
    return tests


def read_list_file(path: str) -> list[str]:
    """Test ids (KIND/NAME), one per line; blank lines and `#` comments are ignored."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise UsageError(f"cannot read --list-file {path}: {e.strerror}") from None
    ids = []
    for number, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.count("/") != 1:
            raise UsageError(f"{path}:{number}: expected KIND/TEST (e.g. node/test_relu), "
                             f"got {line!r}")
        ids.append(line)
    if not ids:
        raise UsageError(f"--list-file {path} names no tests")
    return ids


# --------------------------------------------------------------------------------------------
# Summaries


@dataclasses.dataclass
class Summary:
    results: list[Result]
    kinds: list[str]

    def __post_init__(self):
        self.by_kind: dict[str, collections.Counter[str]] = {
            k: collections.Counter() for k in self.kinds}
        self.reasons: dict[str, dict[str, list[str]]] = {
            "failed": collections.defaultdict(list), "skipped": collections.defaultdict(list)}
        for r in self.results:
            self.by_kind[r.test.kind][r.status] += 1
            for reason in r.reasons:
                self.reasons[r.status][reason].append(r.test.id)
        self.by_kind = {k: c for k, c in self.by_kind.items() if c}
        self.total = sum(self.by_kind.values(), collections.Counter())

    def count(self, status: str) -> int:
        return self.total[status]

    def sorted_reasons(self, status: str) -> list[tuple[str, list[str]]]:
        return sorted(self.reasons[status].items(), key=lambda kv: (-len(kv[1]), kv[0]))

    def pass_rate(self, kind: str) -> float | None:
        counts = self.by_kind.get(kind)
        return counts["passed"] / sum(counts.values()) if counts else None

    def ops(self) -> dict[str, dict[str, list[Result]]]:
        """Per op: its direct node tests and its expanded (function body) node tests."""
        ops: dict[str, dict[str, list[Result]]] = collections.defaultdict(
            lambda: {"direct": [], "expanded": []})
        for r in self.results:
            if r.op:
                ops[r.op]["expanded" if r.test.expanded else "direct"].append(r)
        return ops


def percent(passed: int, total: int) -> str:
    return f"{100.0 * passed / total:.1f}%" if total else "-"


def examples(ids: list[str], fmt: str = "{}") -> str:
    """The first few ids, preferring single-op tests with short names (the clearest repros)."""
    best = sorted(ids, key=lambda i: (bool(_EXPANDED_RE.search(i)), len(i), i))
    shown = ", ".join(fmt.format(i) for i in best[:EXAMPLES_PER_REASON])
    more = len(ids) - EXAMPLES_PER_REASON
    return shown + (f", +{more} more" if more > 0 else "")


KIND_HEADER = ["kind", "tests", *STATUSES, "pass rate"]


def kind_rows(summary: Summary) -> list[list[str]]:
    rows = []
    for label, counts in [*summary.by_kind.items(), ("total", summary.total)]:
        total = sum(counts.values())
        rows.append([label, str(total)] + [str(counts[s]) for s in STATUSES]
                    + [percent(counts["passed"], total)])
    return rows


def print_summary(summary: Summary, seconds: float, list_failed: bool, out=sys.stdout) -> None:
    def p(*items):
        print(*items, file=out)

    p(f"Anvil ONNX conformance: {len(summary.results)} tests in {seconds:.1f}s")
    p()
    rows = [KIND_HEADER, *kind_rows(summary)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(KIND_HEADER))]
    for row in rows:
        p("  " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                           for i, (c, w) in enumerate(zip(row, widths))))
    for status in ("failed", "skipped"):
        reasons = summary.sorted_reasons(status)
        if not reasons:
            continue
        p()
        p(f"Top {status} reasons ({len(reasons)} distinct over {summary.count(status)} tests):")
        width = len(str(len(reasons[0][1])))
        for key, ids in reasons[:TOP_REASONS]:
            p(f"  {len(ids):{width}}  {key}")
            p(f"  {'':{width}}    e.g. {examples(ids)}")
        if len(reasons) > TOP_REASONS:
            p(f"  ... and {len(reasons) - TOP_REASONS} more (see --report / --json)")
    failed = [r for r in summary.results if r.status == "failed"]
    if list_failed and 0 < len(failed) <= 30:
        p()
        p("Failed tests:")
        for r in failed:
            p(f"  {r.test.id}: {r.detail}")


def unbound_node_rate(summary: Summary) -> str:
    node = [r for r in summary.results if r.test.kind == "node"]
    passed = sum(1 for r in node if r.status == "passed" and not r.bound)
    return f"{percent(passed, len(node))} ({passed} of {len(node)})" if node else "-"


def bound_passed(summary: Summary) -> int:
    return sum(1 for r in summary.results if r.status == "passed" and r.bound)


def md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def md_code(text: str) -> str:
    return "`" + md_cell(text).replace("`", "'") + "`"


def write_report(path: str, summary: Summary) -> None:
    import onnx
    from onnx import defs

    node_rate = summary.pass_rate("node")
    lines = [
        "<!-- generated by scripts/conformance.py (make conformance); do not edit -->",
        "# ONNX backend conformance",
        "",
        f"Every ONNX {onnx.__version__} backend test (`make testdata`) compiled with "
        "`anvil-compile` and run with `anvil-run` against its expected outputs, with the ONNX "
        f"runner's tolerances (rtol={DEFAULT_RTOL:g}, atol={DEFAULT_ATOL:g}). A test is "
        "*skipped* when Anvil does not support it yet: the compiler reports an unsupported op, "
        "an op not lowered yet, an unsupported element type or another feature it does not "
        "support, or the test's inputs/outputs "
        "are not plain tensors (sequences, optionals, strings, 2-, 4- and 8-bit numbers). "
        "Everything else that does not match is *failed*. Regenerate with `make conformance`.",
        "",
        f"**{summary.count('passed')} passed, {summary.count('failed')} failed, "
        f"{summary.count('skipped')} skipped.** Node pass rate: "
        + (f"**{100.0 * node_rate:.1f}%**" if node_rate is not None else "-")
        + " (skipped tests count as not passed).",
        "",
        f"{bound_passed(summary)} of the passed tests feed *parameter inputs* (a shape, "
        "axes, pads, k, scales, scalar bounds: scalars and int/float vectors of up to 16 "
        "elements after "
        "the first input) that Anvil needs at compile time; they pass when compiled with those "
        "inputs bound to the data set's values (`anvil-compile --bind-input NAME=FILE.pb`), "
        "which is how such a model is compiled. The op table counts them as passed. "
        f"Without them the node pass rate is {unbound_node_rate(summary)}.",
        "",
        "| " + " | ".join(KIND_HEADER) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(KIND_HEADER) - 1)) + "|",
    ]
    for row in kind_rows(summary):
        if row[0] == "total":
            row = [f"**{c}**" for c in row]
        lines.append("| " + " | ".join(row) + " |")

    ops = summary.ops()
    names = sorted({s.name for s in defs.get_all_schemas() if s.domain == ""} | set(ops),
                   key=lambda n: ("." in n, n))
    tested = [n for n in names if n in ops and ops[n]["direct"]]
    passing = [n for n in tested if any(r.status == "passed" for r in ops[n]["direct"])]
    lines += [
        "",
        "## By op",
        "",
        "Node tests are attributed to the op they are named after: every ONNX node test is a "
        "one-node model of that op, and its `_expanded` twin runs the op's function body "
        "(other ops) on the same data, so it counts in its own column. *Why not* is the most "
        "common reason among the op's direct tests that did not pass.",
        "",
        f"Ops with at least one passing node test: {len(passing)} of {len(tested)} tested "
        f"({len(names)} ops in all).",
        "",
        "| op | passed / tests | failed | skipped | expanded passed / tests | why not |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name in names:
        direct = ops.get(name, {}).get("direct", [])
        expanded = ops.get(name, {}).get("expanded", [])
        if not direct and not expanded:
            lines.append(f"| {name} | — | | | | no node test |")
            continue
        count = collections.Counter(r.status for r in direct)
        why = collections.Counter(r.reasons[0] for r in direct if r.status != "passed")
        top = min(why.items(), key=lambda kv: (-kv[1], kv[0]))[0] if why else ""
        exp = (f"{sum(r.status == 'passed' for r in expanded)} / {len(expanded)}"
               if expanded else "—")
        lines.append(f"| {name} | {count['passed']} / {len(direct)} | {count['failed'] or ''} "
                     f"| {count['skipped'] or ''} | {exp} | {md_cell(top)} |")

    for status, title in (("failed", "Failure reasons"), ("skipped", "Skip reasons")):
        lines += ["", f"## {title}", ""]
        reasons = summary.sorted_reasons(status)
        if status == "skipped" and reasons:
            alone = collections.Counter(r.reasons[0] for r in summary.results
                                        if r.status == "skipped" and len(r.reasons) == 1)
            lines += ["A test skipped for several reasons counts under each; *alone* counts the "
                      "tests with no other reason (supporting that op would let them run).", "",
                      "| tests | alone | reason | examples |", "|---:|---:|---|---|"]
            lines += [f"| {len(ids)} | {alone[key]} | {md_code(key)} | {examples(ids, '`{}`')} |"
                      for key, ids in reasons]
        elif reasons:
            lines += ["| tests | reason | examples |", "|---:|---|---|"]
            lines += [f"| {len(ids)} | {md_code(key)} | {examples(ids, '`{}`')} |"
                      for key, ids in reasons]
        else:
            lines.append("None.")

    failed = [r for r in summary.results if r.status == "failed"]
    lines += ["", f"## Failed tests ({len(failed)})", ""]
    lines += [f"- `{r.test.id}`: {md_cell(r.detail)}" for r in failed] or ["None."]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def write_json(path: str, summary: Summary, seconds: float) -> None:
    doc = {
        "seconds": round(seconds, 3),
        **{s: summary.count(s) for s in STATUSES},
        "kinds": {k: {s: c[s] for s in STATUSES} for k, c in summary.by_kind.items()},
        "results": [
            {"kind": r.test.kind, "test": r.test.name, "status": r.status, "op": r.op,
             "expanded": r.test.expanded, "seconds": round(r.seconds, 3),
             "reasons": r.reasons, "detail": r.detail, "log": r.log, "bound": r.bound}
            for r in summary.results
        ],
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


def test_cost(test: Test) -> int:
    """How expensive a test is to compile and run, roughly: the bytes of its model and data."""
    total = 0
    for root, _, files in os.walk(test.dir):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    return total


def write_ci_subset(path: str, summary: Summary, per_op: int, limit: int) -> int:
    """The cheapest passing direct node tests, `per_op` per op (fewer if the list would exceed
    `limit`), and the two cheapest passing tests of each other kind. Deterministic."""
    chosen: list[Test] = []
    ops = summary.ops()
    candidates = {op: sorted((r.test for r in d["direct"] if r.status == "passed"),
                             key=lambda t: (test_cost(t), t.name)) for op, d in ops.items()}
    candidates = {op: c for op, c in candidates.items() if c}
    others = collections.defaultdict(list)
    for r in summary.results:
        if r.test.kind != "node" and r.status == "passed":
            others[r.test.kind].append(r.test)
    for n in range(per_op, 0, -1):
        if sum(min(len(c), n) for c in candidates.values()) + 2 * len(others) <= limit or n == 1:
            per_op = n
            break
    for op in sorted(candidates):
        chosen += candidates[op][:per_op]
    for kind in sorted(others):
        chosen += sorted(others[kind], key=lambda t: (test_cost(t), t.name))[:2]
    lines = ["# The conformance tests that `make check` runs (test/conformance/ci-subset.test):",
             "# the cheapest passing node tests of every op that passes one, and a few model",
             "# tests. Every listed test must pass. Regenerate after `make conformance` with",
             "#   make conformance \\",
             "#     CONFORMANCE_ARGS='--write-ci-subset test/conformance/ci-subset.txt'",
             ""]
    lines += [t.id for t in sorted(chosen, key=lambda t: (t.kind != "node", t.id))]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return len(chosen)


# --------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--compiler", help="anvil-compile (default: build/bin/anvil-compile)")
    ap.add_argument("--runner", help="anvil-run (default: build/bin/anvil-run, else "
                                     "build-rt/bin/anvil-run)")
    ap.add_argument("--data", default=os.path.join(REPO, "build", "onnx-testdata"),
                    help="ONNX backend test data directory (default: build/onnx-testdata)")
    ap.add_argument("--kinds", default=",".join(DEFAULT_KINDS),
                    help="comma-separated test kinds (default: %(default)s)")
    ap.add_argument("--filter", help="only tests whose KIND/NAME matches this regex (re.search)")
    ap.add_argument("--list-file", metavar="FILE",
                    help="only the tests named in FILE, one KIND/NAME per line (# comments)")
    ap.add_argument("--jobs", "-j", type=int, default=2,
                    help="tests run in parallel (default: %(default)s)")
    ap.add_argument("--timeout", type=float, default=60.0,
                    help="seconds each compile and each run may take (default: %(default)s)")
    ap.add_argument("--report", metavar="FILE.md", help="write the markdown report")
    ap.add_argument("--json", metavar="FILE", help="write per-test results as JSON")
    ap.add_argument("--min-node-pass-rate", type=float, metavar="R",
                    help="exit 1 unless at least this fraction (0..1) of the node tests pass")
    ap.add_argument("--require-all-pass", action="store_true",
                    help="exit 1 unless every test run passes (skipped ones included)")
    ap.add_argument("--write-ci-subset", metavar="FILE",
                    help="write a list file of cheap passing tests, one or two per op")
    ap.add_argument("--verbose", "-v", action="store_true",
                    help="print every test's outcome to stderr")
    args = ap.parse_args(argv)
    if args.min_node_pass_rate is not None and not 0.0 <= args.min_node_pass_rate <= 1.0:
        ap.error("--min-node-pass-rate is a fraction between 0 and 1")
    return check_run_args(ap, args)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import numpy  # noqa: F401
        import onnx  # noqa: F401
    except ImportError as e:
        print(f"conformance: error: {e.name} is not installed; run with the venv's python "
              "(.venv/bin/python, made by scripts/bootstrap.sh)", file=sys.stderr)
        return 2
    try:
        compiler = find_tool(args.compiler, ["build/bin/anvil-compile"], "compiler",
                             "build it first: make build")
        runner = find_tool(args.runner, ["build/bin/anvil-run", "build-rt/bin/anvil-run"],
                           "runner", "build it first: make build")
        listed = read_list_file(args.list_file) if args.list_file else None
        tests = find_tests(args.data, args.kinds, args.filter, listed)
    except UsageError as e:
        print(f"conformance: error: {e}", file=sys.stderr)
        return 2

    # Treat SIGTERM (e.g. a cancelled CI job) like Ctrl-C, so that child processes die too.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    print(f"conformance: {len(tests)} tests, {args.jobs} jobs; {compiler}, {runner}",
          file=sys.stderr)
    start = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="anvil-conformance.") as workdir:
            results = run_all(tests, Runner(compiler, runner, args.timeout, workdir),
                              args.jobs, args.verbose)
    except KeyboardInterrupt:
        print("conformance: interrupted", file=sys.stderr)
        return 130
    seconds = time.monotonic() - start
    summary = Summary(results, args.kinds)

    outputs = [(args.report, lambda p: write_report(p, summary)),
               (args.json, lambda p: write_json(p, summary, seconds)),
               (args.write_ci_subset, lambda p: print(
                   f"conformance: wrote {write_ci_subset(p, summary, 2, CI_SUBSET_MAX)} tests "
                   f"to {p}", file=sys.stderr))]
    for path, write in outputs:
        if path:
            try:
                write(path)
            except OSError as e:
                print(f"conformance: error: cannot write {path}: {e.strerror}", file=sys.stderr)
                return 2

    status = 0
    print_summary(summary, seconds, list_failed=not args.require_all_pass)
    if args.min_node_pass_rate is not None:
        rate = summary.pass_rate("node")
        verdict = ("FAILED, no node tests were run" if rate is None else
                   f"{'ok' if rate >= args.min_node_pass_rate else 'FAILED'}, node pass rate "
                   f"is {rate:.4f}")
        print(f"\n--min-node-pass-rate {args.min_node_pass_rate:g}: {verdict}")
        status = 1 if rate is None or rate < args.min_node_pass_rate else status
    if args.require_all_pass:
        not_passed = len(results) - summary.count("passed")
        print("\n--require-all-pass: " + ("ok" if not not_passed else
              f"FAILED, {not_passed} of {len(results)} tests did not pass"))
        for r in results:
            if r.status != "passed":
                print(f"  {r.status.upper()} {r.test.id}: {r.detail}")
        status = 1 if not_passed else status
    print()
    print(f"({bound_passed(summary)} of the passed tests compiled with parameter inputs "
          "bound, --bind-input)")
    print(f"{summary.count('passed')} passed, {summary.count('failed')} failed, "
          f"{summary.count('skipped')} skipped")
    return status


if __name__ == "__main__":
    sys.exit(main())
