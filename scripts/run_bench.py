#!/usr/bin/env python3
"""`make bench`: runs the whole benchmark suite of issue 5 and writes docs/performance.md and
docs/performance.svg.

Usage:
    run_bench.py [--build build] [--threads 1 2] [--quick] [--out DIR]
                 [--md docs/performance.md] [--svg docs/performance.svg]
                 [--no-kernels] [--no-models]

In order: anvil-bench-fma (the FMA peak), then anvil-bench-gemm and anvil-bench-conv once per
--threads value (Google Benchmark, JSON into --out), then scripts/bench_models.py (Anvil
against onnxruntime on every model, every batch in {1, 8}, every --threads value), then
scripts/bench_report.py on everything (--out/results.json). OPENBLAS_L2_SIZE is removed
from the environment of everything this script runs, and OPENBLAS_CORETYPE is set to the
kernel OpenBLAS is fastest with here: its own CPU detection (the variable unset) or one of
OPENBLAS_CORES, whichever runs a 1024³ sgemm fastest in a short probe (an OpenBLAS that does
not know the CPU falls back to a generic kernel ten times slower than its AVX-512 one). The
machine's setting is left alone.

--quick: short Google Benchmark runs without the 2048³ GEMM, and bench_models.py --quick.
Exit status: 0 when every benchmark ran and every Anvil result matched its reference; 1
otherwise (the report is still written, with the failures listed at its top).
"""
import argparse
import datetime
import json
import os
import platform
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import bench_models  # noqa: E402
import bench_report  # noqa: E402

OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
# Kernels the OpenBLAS probe tries besides its own detection (names OPENBLAS_CORETYPE takes).
OPENBLAS_CORES = ("SkylakeX", "Cooperlake", "SapphireRapids", "Haswell", "Zen")


# The scripts run with the project's venv (numpy, onnx, onnxruntime), as
# `make bench` runs them: the command lines written to docs/performance.md say so.
PYTHON = ".venv/bin/python"


def command_line(cmd):
    return " ".join(shlex.quote(os.path.relpath(c, ROOT) if os.path.isabs(c) and
                                c.startswith(ROOT) else c) for c in cmd)


def first_line(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return next((line.strip() for line in out.splitlines() if line.strip()), "unknown")


def machine_info():
    info = {}
    try:
        with open("/proc/cpuinfo") as f:
            cpuinfo = f.read()
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines()
                      if line.startswith("model name")), platform.processor())
        flags = next((line.split(":", 1)[1].split() for line in cpuinfo.splitlines()
                      if line.startswith("flags")), [])
        info["CPU"] = model
        family = next((int(line.split(":")[1]) for line in cpuinfo.splitlines()
                       if line.startswith("cpu family")), None)
        number = next((int(line.split(":")[1]) for line in cpuinfo.splitlines()
                       if line.startswith("model\t")), None)
        if family is not None:
            # AMD family 25 (0x19) is Zen 3/4, 26 (0x1a) Zen 5: Zen 4 runs a 512-bit FMA as
            # two 256-bit halves, so its AVX-512 peak is its AVX2 peak.
            info["CPU"] += f" (family {family:#x}, model {number:#x})"
        info["vector ISA"] = ", ".join(f for f in ("avx512f", "avx512bw", "avx512_vnni",
                                                   "avx512_bf16", "avx2", "fma") if f in flags)
    except OSError:
        info["CPU"] = platform.processor() or "unknown"
    info["cores"] = os.cpu_count()
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
        info["memory"] = f"{kib / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    info["OS"] = f"{platform.system()} {platform.release()}"
    return info


def versions(build):
    result = {}
    commit = first_line(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    # What the timed code is built from: the compiler and the runtime.
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "codegen",
                            "dialects", "frontend", "passes", "runtime", "tools"],
                           capture_output=True, text=True).stdout.strip()
    result["Anvil"] = f"{commit}{' + uncommitted compiler/runtime changes' if dirty else ''}"
    result["LLVM/MLIR"] = first_line(["/usr/lib/llvm-22/bin/llvm-config", "--version"])
    result["C++ compiler"] = first_line(["c++", "--version"])
    result["Google Benchmark"] = first_line(["dpkg-query", "-W", "-f=${Version}",
                                             "libbenchmark-dev"])
    try:
        import numpy
        import onnxruntime
        result["onnxruntime"] = onnxruntime.__version__
        result["numpy"] = numpy.__version__
    except ImportError:
        result["onnxruntime"] = "not installed"
    return result


def openblas_prefix(coretype):
    """The `env ...` prefix that runs a command with OpenBLAS's kernel `coretype` (None: its
    own detection)."""
    if coretype is None:
        return "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "
    return f"env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE={coretype} "


def probe_openblas(gemm, env, quick):
    """The OPENBLAS_CORETYPE (None: unset) under which OpenBLAS runs a 1024³ sgemm fastest,
    and each candidate's GFLOP/s."""
    rates = {}
    for coretype in (None, *OPENBLAS_CORES):
        child = dict(env)
        if coretype is not None:
            child["OPENBLAS_CORETYPE"] = coretype
        cmd = [gemm, "--benchmark_filter=^gemm/1024x1024x1024/openblas/",
               f"--benchmark_min_time={0.05 if quick else 0.2}", "--benchmark_format=json"]
        try:
            done = subprocess.run(cmd, env=child, capture_output=True, text=True, timeout=120)
            runs = json.loads(done.stdout).get("benchmarks", [])
            rates[coretype] = max(float(b.get("GFLOPS", 0)) for b in runs) if runs else 0.0
        except (OSError, subprocess.SubprocessError, ValueError):
            rates[coretype] = 0.0
    best = max(rates, key=lambda c: (rates[c], c is None))
    return best, rates


def run_kernels(args, env, commands, errors):
    """Runs the Google Benchmark binaries; returns their JSON documents."""
    binaries = {name: os.path.join(args.build, "bin", f"anvil-bench-{name}")
                for name in ("fma", "gemm", "conv")}
    missing = [path for path in binaries.values() if not os.access(path, os.X_OK)]
    if missing:
        errors.append(f"{', '.join(missing)} not built: install the bench dependencies "
                      "(scripts/bootstrap.sh) and build (cmake --build BUILD)")
        return []
    quick = ["--benchmark_min_time=0.05"] if args.quick else []
    coretype, rates = probe_openblas(binaries["gemm"], env, args.quick)
    args.openblas_probe = {"chosen": coretype or "its own detection",
                           "gflops": {c or "its own detection": r for c, r in rates.items()}}
    print("== OpenBLAS 1024³ sgemm probe: " + ", ".join(
        f"{c or 'own detection'} {r:.0f}" for c, r in rates.items()) +
        f" GFLOP/s; using {coretype or 'its own detection'}", flush=True)
    env = dict(env)
    if coretype is not None:
        env["OPENBLAS_CORETYPE"] = coretype
    runs = [("fma", [], quick)]
    for threads in args.threads:
        gemm_filter = ["--benchmark_filter=-2048x2048"] if args.quick else []
        runs.append(("gemm", [f"--threads={threads}"], quick + gemm_filter))
        runs.append(("conv", [f"--threads={threads}"], quick))
    documents = []
    for name, options, extra in runs:
        tag = name + "".join("-t" + o.split("=")[1] for o in options)
        out = os.path.join(args.out, f"{tag}.json")
        cmd = [binaries[name], *options, *extra, f"--benchmark_out={out}",
               "--benchmark_out_format=json"]
        commands.append(openblas_prefix(coretype) + command_line(cmd))
        print(f"== {command_line(cmd)}", flush=True)
        done = subprocess.run(cmd, env=env)
        if done.returncode:
            errors.append(f"{os.path.basename(cmd[0])} {' '.join(options)} exited with status "
                          f"{done.returncode} (its error messages are above)")
        try:
            with open(out) as f:
                documents.append(json.load(f))
        except (OSError, ValueError) as e:
            errors.append(f"{out}: {e}")
    return documents


def run_models(args, commands, errors):
    argv = ["--build", args.build, "--threads", *map(str, args.threads)]
    if args.quick:
        argv.append("--quick")
    model_args = bench_models.parse_args(argv)
    commands.append(command_line([PYTHON, os.path.join(HERE, "bench_models.py"), *argv]))
    print(f"== {commands[-1]}", flush=True)
    try:
        document, failures = bench_models.run(model_args, log=sys.stdout)
    except bench_models.BenchError as e:
        errors.append(f"bench_models.py: {e}")
        return None
    print(bench_models.format_table(document["results"]), flush=True)
    errors += [f"bench_models.py: {message}" for message in failures]
    return document


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--threads", nargs="+", type=int, default=[1, 2],
                    help="thread counts for kernels and models (default 1 2)")
    ap.add_argument("--quick", action="store_true", help="a short smoke run")
    ap.add_argument("--out", help="raw results (default BUILD/bench)")
    ap.add_argument("--md", default=os.path.join(ROOT, "docs", "performance.md"))
    ap.add_argument("--svg", default=os.path.join(ROOT, "docs", "performance.svg"))
    ap.add_argument("--no-kernels", action="store_true", help="skip the kernel benchmarks")
    ap.add_argument("--no-models", action="store_true", help="skip the model benchmarks")
    args = ap.parse_args(argv)
    if min(args.threads) < 1:
        ap.error("--threads must be at least 1")
    args.build = os.path.abspath(args.build)
    args.out = args.out or os.path.join(args.build, "bench")
    os.makedirs(args.out, exist_ok=True)

    env = {k: v for k, v in os.environ.items() if k not in OPENBLAS_VARS}
    machine_env = {k: os.environ.get(k) for k in OPENBLAS_VARS}
    os.environ.clear()
    os.environ.update(env)  # for bench_models' children too

    commands = [f"make bench  # = .venv/bin/python scripts/run_bench.py "
                f"--build {os.path.relpath(args.build, ROOT)}"
                f"{' --quick' if args.quick else ''} --threads "
                f"{' '.join(map(str, args.threads))}, which runs:"]
    errors = []
    results = {
        "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "quick": args.quick,
        "machine": machine_info(),
        "versions": versions(args.build),
        "machine_openblas_env": machine_env,
    }
    results["kernels"] = [] if args.no_kernels else run_kernels(args, env, commands, errors)
    results["openblas_probe"] = getattr(args, "openblas_probe", None)
    results["models"] = None if args.no_models else run_models(args, commands, errors)
    kernels = bench_report.Kernels(results["kernels"])
    for key, name in (("openblas_config", "OpenBLAS"), ("onednn_version", "oneDNN")):
        if kernels.context(key):
            results["versions"][name] = kernels.context(key)
    path = os.path.join(args.out, "results.json")
    commands.append(command_line([PYTHON, os.path.join(HERE, "bench_report.py"), path, "--md", args.md,
                                  "--svg", args.svg]))
    results["commands"] = commands
    results["errors"] = errors
    with open(path, "w") as f:
        json.dump(results, f, indent=1)
    with open(args.md, "w") as f:
        f.write(bench_report.render_markdown(results, os.path.relpath(
            args.svg, os.path.dirname(os.path.abspath(args.md)))))
    with open(args.svg, "w") as f:
        f.write(bench_report.render_svg(results))
    print(f"wrote {args.md}, {args.svg} and {path}")
    for message in errors:
        print(f"run_bench: error: {message}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
