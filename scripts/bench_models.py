#!/usr/bin/env python3
"""Model latency: Anvil (anvil-run --bench) against onnxruntime, same inputs' shapes, same
thread count, interleaved.

Usage:
    bench_models.py [--build build] [--models DIR] [--generated DIR] [--only NAME ...]
                    [--batch 1 8] [--threads 1 2] [--rounds 3] [--headline-rounds 7]
                    [--round-seconds 1.0]
                    [--max-runs 20] [--settle-seconds 0.3] [--quick] [--work DIR]
                    [--json OUT] [--tuning-db DB]

Models: every test/models model in --models (resnet_mini, mobilenetv2_mini,
transformer_encoder, mlp_softmax; `make models`), plus resnet50, mobilenetv2 (224x224) and
bert_base (12 layers, hidden 768, seq 128), which test/models/gen_models.py generates into
--generated when they are missing. Each model is compiled once with anvil-compile.

For each (model, batch, threads) pair the two engines take turns for --rounds rounds (the
order alternates between rounds), each a fresh process: `anvil-run --random-inputs --batch B
--threads T --warmup 1 --bench N`, and onnxruntime (CPU provider, default session options with
graph optimizations at ORT_ENABLE_ALL, intra-op threads T) on random inputs of the same shapes,
1 warm-up run then N timed ones. A probe of one run an engine, not counted, comes first; N is
what makes a round last about --round-seconds by it (at most --max-runs). The pairs on more
than one thread (issue 5's acceptance reads resnet50, mobilenetv2 and bert_base at batch 1, 2
threads) take --headline-rounds rounds (default 7): on this shared host a model's latency moves
between two levels for seconds at a time, most on 2 threads (MobileNetV2: 3.0 or 4.2-5.7 ms,
the same artifact; transformer_encoder at batch 8: 0.19 or 0.36 ms), and with 3 rounds one
level falling on one engine's median round and the other on the other's moved the ratio from
0.68x to 1.50x between runs. Each engine's process starts after a pause of --settle-seconds
(default 0.3): a vCPU of this host comes back slowly after the other engine's busy threads, and
anvil-run started within 50 ms of an onnxruntime run on 2 threads ran resnet_mini at batch 8 at
its 1-thread speed in half the rounds (0.71 against 0.40 ms; none after 0.3 s), while
onnxruntime's own timing starts after its Python start-up. The latency of an engine is the
median of its rounds' medians; the ratio is Anvil's latency over onnxruntime's (below 1: Anvil
is faster). The peak RSS of each engine is the largest of its processes' (GNU time, as
scripts/memory_report.py).

--tuning-db DB: each model is also compiled with `anvil-compile --tuning-db DB` (what
anvil-tune found), and that artifact is a third engine of every round ("tuned"), its
ratios reported against onnxruntime and against the untuned artifact.

--quick: the four test/models models only, 2 rounds of about 0.2 s: a smoke test.
Exit status: 0 when every pair ran; 1 otherwise (missing tools or models, a failed compile or
run: "error: ..." on stderr). The table goes to stdout; --json writes every figure.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from memory_report import GNU_TIME, ORT_CHILD, ReportError, peak_rss  # noqa: E402

SMALL = ("resnet_mini", "mobilenetv2_mini", "transformer_encoder", "mlp_softmax")
GENERATED = ("resnet50", "mobilenetv2", "bert_base")

BENCH_LINE = re.compile(r"^bench: (\d+) runs \((\d+) warmup\), (\d+) threads: p50 ([0-9.]+) ms",
                        re.M)

class BenchError(RuntimeError):
    pass


def find_models(args):
    """{name: path}; generates the missing GENERATED models into args.generated."""
    names = args.only or (list(SMALL) if args.quick else list(SMALL) + list(GENERATED))
    models = {}
    for name in names:
        if name in GENERATED:
            path = os.path.join(args.generated, name + ".onnx")
            if not os.path.exists(path):
                print(f"generating {path} ...", file=sys.stderr, flush=True)
                gen = subprocess.run(
                    [sys.executable, os.path.join(ROOT, "test", "models", "gen_models.py"),
                     "-o", args.generated, "--only", name],
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                if gen.returncode:
                    raise BenchError(f"model '{name}': gen_models.py failed: "
                                     f"{gen.stderr.strip()}")
        else:
            path = os.path.join(args.models, name + ".onnx")
        if not os.path.exists(path):
            hint = "make models" if name in SMALL else "test/models/gen_models.py --only NAME"
            raise BenchError(f"model '{name}': {path} does not exist ({hint}?)")
        models[name] = path
    return models


def compile_model(args, name, path, work, tuning_db=None):
    artifact = os.path.join(work, name + (".tuned.so" if tuning_db else ".so"))
    start = time.perf_counter()
    extra = ["--tuning-db", tuning_db] if tuning_db else []
    done = subprocess.run([args.compiler, path, "-o", artifact] + extra,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode:
        last = done.stderr.strip().splitlines()[-1:] or ["(no output)"]
        raise BenchError(f"{name}: anvil-compile failed (exit status {done.returncode}): "
                         f"{last[0]}")
    return artifact, time.perf_counter() - start


def run_anvil(args, name, artifact, batch, threads, runs, work):
    out, rss = peak_rss([args.runner, artifact, "--random-inputs", "--batch", str(batch),
                         "--threads", str(threads), "--warmup", "1", "--bench", str(runs),
                         "--output-dir", os.path.join(work, name + ".out")],
                        f"anvil-run on {name} (batch {batch}, {threads} threads)")
    m = BENCH_LINE.search(out)
    if not m:
        raise BenchError(f"anvil-run on {name}: no 'bench:' line in its output")
    return float(m.group(4)), rss


def run_ort(name, path, batch, threads, runs):
    out, rss = peak_rss([sys.executable, "-c", ORT_CHILD, path, str(threads), str(batch), "1",
                         str(runs)], f"onnxruntime on {name} (batch {batch}, {threads} threads)")
    try:
        result = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise BenchError(f"onnxruntime on {name}: unexpected output {out!r}") from None
    return result["p50_ms"], rss, result["version"]


def runs_for(p50_ms, args):
    return max(1, min(args.max_runs, round(args.round_seconds * 1e3 / max(p50_ms, 1e-3))))


def measure_pair(args, name, path, artifact, batch, threads, work, tuned_artifact=None):
    """Interleaved rounds of both engines (and the tuned artifact); returns the pair's result
    dict."""
    load = os.getloadavg()[0]  # others' work on the same cores shows in the timings
    anvil, ort, tuned, anvil_rss, ort_rss = [], [], [], 0, 0
    anvil_runs = ort_runs = 1
    version = None
    engines = ("anvil", "ort") + (("tuned",) if tuned_artifact else ())
    rounds = args.rounds
    if threads > 1:
        rounds = max(rounds, args.headline_rounds)
    # Round -1 is a probe of one run an engine that sizes the rounds and is not counted:
    # a lone run of a small model on 2 threads catches the thread pool cold
    # (transformer_encoder at batch 8: 0.42 ms, then 0.19-0.24 ms over 20 runs).
    timings, probe = {"anvil": anvil, "ort": ort, "tuned": tuned}, {}
    for r in range(-1, rounds):
        for engine in (engines if r % 2 == 0 else engines[::-1]):
            time.sleep(args.settle_seconds)
            if engine in ("anvil", "tuned"):
                p50, rss = run_anvil(args, name, artifact if engine == "anvil" else
                                     tuned_artifact, batch, threads, anvil_runs, work)
                anvil_rss = max(anvil_rss, rss)
            else:
                p50, rss, version = run_ort(name, path, batch, threads, ort_runs)
                ort_rss = max(ort_rss, rss)
            if r >= 0:
                timings[engine].append(p50)
            else:
                probe[engine] = p50
        if r == -1:
            anvil_runs, ort_runs = runs_for(probe["anvil"], args), runs_for(probe["ort"], args)
    anvil_ms, ort_ms = statistics.median(anvil), statistics.median(ort)
    extra = {}
    if tuned:
        tuned_ms = statistics.median(tuned)
        extra = {"tuned_ms": tuned_ms, "tuned_ratio": tuned_ms / ort_ms,
                 "tuned_speedup": anvil_ms / tuned_ms, "tuned_round_ms": tuned}
    return {"model": name, "batch": batch, "threads": threads, **extra,
            "anvil_ms": anvil_ms, "ort_ms": ort_ms, "ratio": anvil_ms / ort_ms,
            "anvil_round_ms": anvil, "ort_round_ms": ort,
            "anvil_runs_per_round": anvil_runs, "ort_runs_per_round": ort_runs,
            "anvil_rss_bytes": anvil_rss, "ort_rss_bytes": ort_rss,
            "onnxruntime_version": version, "load_avg": load}


def format_table(results):
    """A markdown table of the pairs; with a tuned artifact its columns replace the RSS ones."""
    columns = [("model", "---", lambda r: r["model"]),
               ("batch", "---:", lambda r: r["batch"]),
               ("threads", "---:", lambda r: r["threads"]),
               ("Anvil ms", "---:", lambda r: f"{r['anvil_ms']:.3f}")]
    if any("tuned_ms" in r for r in results):
        columns += [("tuned Anvil ms", "---:", lambda r: f"{r['tuned_ms']:.3f}"),
                    ("onnxruntime ms", "---:", lambda r: f"{r['ort_ms']:.3f}"),
                    ("Anvil / ORT", "---:", lambda r: f"{r['ratio']:.2f}"),
                    ("tuned / ORT", "---:", lambda r: f"{r['tuned_ratio']:.2f}"),
                    ("tuning speed-up", "---:", lambda r: f"{r['tuned_speedup']:.3f}x")]
    else:
        columns += [("onnxruntime ms", "---:", lambda r: f"{r['ort_ms']:.3f}"),
                    ("Anvil / ORT", "---:", lambda r: f"{r['ratio']:.2f}"),
                    ("Anvil peak RSS", "---:", lambda r: f"{r['anvil_rss_bytes'] / 2**20:.0f} MiB"),
                    ("ORT peak RSS", "---:", lambda r: f"{r['ort_rss_bytes'] / 2**20:.0f} MiB")]
    row = lambda cells: "| " + " | ".join(str(c) for c in cells) + " |"
    lines = [row(name for name, _, _ in columns), "|" + "|".join(a for _, a, _ in columns) + "|"]
    lines += [row(cell(r) for _, _, cell in columns) for r in results]
    return "\n".join(lines)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"),
                    help="build directory with bin/anvil-compile and bin/anvil-run")
    ap.add_argument("--models", help="the test/models models (default BUILD/models)")
    ap.add_argument("--generated", help="where resnet50, mobilenetv2 and bert_base are "
                    "generated when missing (default BUILD/models-bench)")
    ap.add_argument("--only", nargs="+", choices=SMALL + GENERATED, metavar="NAME",
                    help=f"only these models: {', '.join(SMALL + GENERATED)}")
    ap.add_argument("--batch", nargs="+", type=int, help="batch sizes (default 1 8)")
    ap.add_argument("--threads", nargs="+", type=int, help="thread counts (default 1 2)")
    ap.add_argument("--rounds", type=int, help="interleaved rounds per pair (default 3)")
    ap.add_argument("--headline-rounds", type=int,
                    help="rounds of the pairs on more than one thread (among them issue 5's "
                    "acceptance pairs: resnet50, mobilenetv2, bert_base at batch 1, 2 threads; "
                    "default 7; with --quick, --rounds)")
    ap.add_argument("--round-seconds", type=float,
                    help="target length of one engine's round (default 1.0)")
    ap.add_argument("--max-runs", type=int, default=20, help="most timed runs in one round")
    ap.add_argument("--settle-seconds", type=float,
                    help="pause before each engine's process (default 0.3; with --quick, 0)")
    ap.add_argument("--quick", action="store_true", help="small models, short rounds")
    ap.add_argument("--work", help="directory for artifacts (default: a temporary one)")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--tuning-db", help="also time each model compiled with this tuning "
                    "database (a third engine)")
    args = ap.parse_args(argv)
    if args.tuning_db and not os.path.isfile(args.tuning_db):
        ap.error(f"--tuning-db: '{args.tuning_db}' does not exist")
    args.batch = args.batch or [1, 8]
    args.threads = args.threads or [1, 2]
    # (0 is an error below, not "the default")
    if args.rounds is None:
        args.rounds = 2 if args.quick else 3
    if args.headline_rounds is None:
        args.headline_rounds = args.rounds if args.quick else 7
    if args.round_seconds is None:
        args.round_seconds = 0.2 if args.quick else 1.0
    if args.settle_seconds is None:
        args.settle_seconds = 0.0 if args.quick else 0.3
    if min(args.batch + args.threads) < 1 or args.rounds < 1 or args.headline_rounds < 1 or \
            args.max_runs < 1 or args.round_seconds <= 0:
        ap.error("--batch, --threads, --rounds, --headline-rounds, --max-runs and "
                 "--round-seconds must be positive")
    if args.settle_seconds < 0:
        ap.error("--settle-seconds must not be negative")
    args.models = args.models or os.path.join(args.build, "models")
    args.generated = args.generated or os.path.join(args.build, "models-bench")
    args.compiler = os.path.join(args.build, "bin", "anvil-compile")
    args.runner = os.path.join(args.build, "bin", "anvil-run")
    return args


def run(args, log=sys.stderr):
    """Measures every pair; returns (results document, error messages)."""
    for tool in (args.compiler, args.runner):
        if not os.access(tool, os.X_OK):
            raise BenchError(f"{tool} is missing (build it, or pass --build)")
    models = find_models(args)
    results, errors, compile_seconds = [], [], {}
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or tmp
        os.makedirs(work, exist_ok=True)
        for name, path in models.items():
            print(f"compiling {name} ...", file=log, flush=True)
            try:
                artifact, compile_seconds[name] = compile_model(args, name, path, work)
                tuned = None
                if args.tuning_db:
                    tuned, _ = compile_model(args, name, path, work, args.tuning_db)
            except BenchError as e:
                errors.append(str(e))
                continue
            for batch in args.batch:
                for threads in args.threads:
                    print(f"  {name}: batch {batch}, {threads} threads", file=log, flush=True)
                    try:
                        results.append(measure_pair(args, name, path, artifact, batch,
                                                    threads, work, tuned))
                    except (BenchError, ReportError) as e:
                        errors.append(str(e))
    document = {"quick": args.quick, "rounds": args.rounds,
                "headline_rounds": args.headline_rounds,
                "round_seconds": args.round_seconds, "max_runs": args.max_runs,
                "settle_seconds": args.settle_seconds,
                "gnu_time": bool(GNU_TIME), "compile_seconds": compile_seconds,
                "results": results, "errors": errors}
    return document, errors


def main(argv=None):
    args = parse_args(argv)
    try:
        document, errors = run(args)
    except BenchError as e:
        print(f"bench_models: error: {e}", file=sys.stderr)
        return 1
    print(format_table(document["results"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(document, f, indent=1)
    for message in errors:
        print(f"bench_models: error: {message}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
