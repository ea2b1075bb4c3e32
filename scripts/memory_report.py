#!/usr/bin/env python3
"""Memory report for issue 4: the arena against its lower bound, and the peak resident memory
of `anvil-run` against onnxruntime's on the same model, as a markdown table.

Usage:
    memory_report.py [--build build] [--models build/models] [--generated DIR]
                     [--only NAME ...] [--threads T] [--batch B] [--runs N] [--work DIR]

For each model (every *.onnx in --models, plus resnet50 and densenet_mini from
test/models/gen_models.py, generated into --generated when missing): compile it with
anvil-compile, run `anvil-run --bench` on random inputs, and run onnxruntime in a separate
process on random inputs of the same shapes (every symbolic dim = --batch), the same number
of threads and runs. The peak RSS of each process comes from wait4(); the arena and its lower
bound from anvil-run's `memory:` line.

The line above the table also gives the peak RSS of a process that only imports numpy and
onnxruntime: the part of onnxruntime's figure that does not depend on the model. The arena and RSS acceptance of
issue 4 (arena <= 1.05 x bound, anvil-run RSS <= onnxruntime's) is summarised under the table.
Exit status: 0 when every model compiled and ran, 1 otherwise.
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GENERATED = ("resnet50", "densenet_mini")
ARENA_LIMIT = 1.05

MEMORY_LINE = re.compile(r"^memory: arena (\d+) bytes .*, lower bound (\d+) bytes .*, "
                         r"ratio [0-9.]+, placement ([a-z-]+);", re.M)

# Runs a model in onnxruntime on random inputs (default session options: all graph
# optimizations on) and prints {"p50_ms", "runs", "version"} as JSON: argv = model, threads,
# batch, warmup runs, timed runs. Shared with bench_models.py.
ORT_CHILD = r"""
import json, sys, time
import numpy as np
import onnxruntime as ort
model, threads, batch, warmup, runs = sys.argv[1], *map(int, sys.argv[2:6])
options = ort.SessionOptions()
options.intra_op_num_threads = threads
options.inter_op_num_threads = 1
options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
options.log_severity_level = 3
session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
rng = np.random.default_rng(0)
feeds = {}
for value in session.get_inputs():
    shape = [d if isinstance(d, int) and d >= 0 else batch for d in value.shape]
    if value.type == "tensor(float)":
        feeds[value.name] = rng.uniform(-1, 1, shape).astype(np.float32)
    elif value.type in ("tensor(int64)", "tensor(int32)"):
        dtype = np.int64 if value.type == "tensor(int64)" else np.int32
        feeds[value.name] = rng.integers(0, 10, shape).astype(dtype)
    else:
        sys.exit(f"input '{value.name}': unsupported type {value.type}")
times = []
for i in range(warmup + runs):
    start = time.perf_counter()
    session.run(None, feeds)
    if i >= warmup:
        times.append((time.perf_counter() - start) * 1e3)
times.sort()
print(json.dumps({"p50_ms": times[(len(times) + 1) // 2 - 1] if times else None,
                  "runs": runs, "version": ort.__version__}))
"""

ORT_IMPORT_ONLY = "import numpy, onnxruntime"
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


class ReportError(RuntimeError):
    pass


def peak_rss(cmd, what):
    """Runs cmd; returns (stdout, peak RSS in bytes) of that one process.

    Linux carries a process's peak RSS across exec(), so a child forked straight from this
    Python process would report at least this process's own RSS (~10 MiB). GNU time forks the
    command from a small process instead; without it, wait4() gives the inflated figure."""
    with tempfile.TemporaryDirectory() as tmp:
        rss_file = os.path.join(tmp, "rss")
        if GNU_TIME:
            cmd = [GNU_TIME, "-f", "%M", "-o", rss_file, *cmd]
        with open(os.path.join(tmp, "out"), "w+b") as out, \
                open(os.path.join(tmp, "err"), "w+b") as err:
            child = subprocess.Popen(cmd, stdout=out, stderr=err)
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = code = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read().decode(), err.read().decode()
        if code != 0:
            last = stderr.strip().splitlines()[-1] if stderr.strip() else " ".join(cmd)
            raise ReportError(f"{what} failed (exit status {code}): {last}")
        kib = int(open(rss_file).read().split()[-1]) if GNU_TIME else usage.ru_maxrss
    return stdout, kib * 1024


def find_models(args):
    if args.only:
        names = args.only
    else:
        names = sorted(os.path.splitext(os.path.basename(p))[0]
                       for p in glob.glob(os.path.join(args.models, "*.onnx")))
        names += [n for n in GENERATED if n not in names]
    models = {}
    for name in names:
        path = os.path.join(args.models, name + ".onnx")
        if not os.path.exists(path) and name in GENERATED:
            path = os.path.join(args.generated, name + ".onnx")
            if not os.path.exists(path):
                print(f"generating {path} ...", file=sys.stderr)
                subprocess.run([sys.executable, os.path.join(ROOT, "test", "models",
                                                             "gen_models.py"),
                                "-o", args.generated, "--only", name],
                               check=True, stdout=subprocess.DEVNULL)
        if not os.path.exists(path):
            raise ReportError(f"model '{name}': {path} does not exist (make models?)")
        models[name] = path
    return models


def measure(name, path, args, work):
    artifact = os.path.join(work, name + ".so")
    subprocess.run([args.compiler, path, "-o", artifact], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    out, anvil_rss = peak_rss(
        [args.runner, artifact, "--random-inputs", "--batch", str(args.batch),
         "--bench", str(args.runs), "--warmup", "1", "--threads", str(args.threads),
         "--output-dir", os.path.join(work, name + ".out")], f"anvil-run on {name}")
    m = MEMORY_LINE.search(out)
    if not m:
        raise ReportError(f"anvil-run on {name}: no 'memory:' line in its output")
    _, ort_rss = peak_rss([sys.executable, "-c", ORT_CHILD, path, str(args.threads),
                           str(args.batch), "1", str(args.runs)], f"onnxruntime on {name}")
    return {"arena": int(m.group(1)), "bound": int(m.group(2)), "placement": m.group(3),
            "anvil_rss": anvil_rss, "ort_rss": ort_rss}


def human(n):
    for unit in ("B", "KiB", "MiB"):
        if n < 1024 or unit == "MiB":
            return f"{n} B" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"),
                    help="build directory with bin/anvil-compile and bin/anvil-run")
    ap.add_argument("--models", help="directory of .onnx models (default BUILD/models)")
    ap.add_argument("--generated", help="where resnet50 and densenet_mini are generated "
                    "(default BUILD/models-memory)")
    ap.add_argument("--only", nargs="+", metavar="NAME", help="only these models")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--batch", type=int, default=1, help="every symbolic dim (default 1)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per process (default 5)")
    ap.add_argument("--work", help="directory for artifacts (default: a temporary one)")
    args = ap.parse_args(argv)
    if args.threads < 1 or args.batch < 1 or args.runs < 1:
        ap.error("--threads, --batch and --runs must be at least 1")
    args.models = args.models or os.path.join(args.build, "models")
    args.generated = args.generated or os.path.join(args.build, "models-memory")
    args.compiler = os.path.join(args.build, "bin", "anvil-compile")
    args.runner = os.path.join(args.build, "bin", "anvil-run")
    for tool in (args.compiler, args.runner):
        if not os.access(tool, os.X_OK):
            print(f"memory_report: error: {tool} is missing (build it, or pass --build)",
                  file=sys.stderr)
            return 1
    try:
        models = find_models(args)
    except (ReportError, subprocess.CalledProcessError) as e:
        print(f"memory_report: error: {e}", file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or tmp
        os.makedirs(work, exist_ok=True)
        _, baseline = peak_rss([sys.executable, "-c", ORT_IMPORT_ONLY], "importing onnxruntime")
        rows, failed = [], []
        for name, path in models.items():
            print(f"measuring {name} ...", file=sys.stderr)
            try:
                rows.append((name, measure(name, path, args, work)))
            except subprocess.CalledProcessError as e:
                failed.append(f"{name}: anvil-compile failed: {e.stderr.strip()}")
            except ReportError as e:
                failed.append(str(e))

    print(f"Batch {args.batch}, {args.threads} threads, {args.runs} runs per process; "
          f"importing numpy + onnxruntime alone peaks at {human(baseline)} RSS.")
    if not GNU_TIME:
        print("(no /usr/bin/time: each peak RSS includes this script's own, about 10 MiB)")
    print()
    print("| model | arena | lower bound | arena/bound | placement | anvil-run peak RSS "
          "| ORT peak RSS | RSS anvil/ORT |")
    print("|---|---:|---:|---:|---|---:|---:|---:|")
    for name, r in rows:
        ratio = r["arena"] / r["bound"] if r["bound"] else 1.0
        print(f"| {name} | {human(r['arena'])} | {human(r['bound'])} | {ratio:.3f} | "
              f"{r['placement']} | {human(r['anvil_rss'])} | {human(r['ort_rss'])} | "
              f"{r['anvil_rss'] / r['ort_rss']:.2f} |")
    arena_ok = sum(1 for _, r in rows if r["arena"] <= ARENA_LIMIT * r["bound"] or
                   not r["bound"])
    rss_ok = sum(1 for _, r in rows if r["anvil_rss"] <= r["ort_rss"])
    print(f"\narena <= {ARENA_LIMIT} x lower bound: {arena_ok} of {len(rows)} models; "
          f"anvil-run peak RSS <= onnxruntime's: {rss_ok} of {len(rows)} models")
    for message in failed:
        print(f"memory_report: error: {message}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
