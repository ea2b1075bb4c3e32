#!/usr/bin/env python3
"""Measures anvil-tune on a suite of GEMM and Conv kernels of ResNet-50 and BERT-base shapes.

Each kernel is a one-node ONNX model (constant weights, so Anvil packs them at compile time)
tuned twice into fresh databases: by the model-guided search (default 64 trials) and by
random search (default 256 trials), both with the same seed, threads and jobs. From each
run's report.json it takes

* the speed-up of the winner over the default heuristics, as anvil-tune's final
  re-measurement gives it (winner and default timed run for run in alternation, same run);
* the best-so-far curve: the speed-up over the default of the best config among the first
  t trials (each trial is itself timed in alternation with the default).

The best-so-far curve takes each trial's time from the search, where it was measured once
(a new best twice, keeping the second time): the best of many short, noisy measurements is
still the suite's least certain figure (one lucky trial could lift random search's curve at
256 trials before new bests were measured again). So the config that is best
after t trials, for t at the checkpoints 8, 16, 32, 64, 128, 256, is measured again,
outside the tuner: each is compiled into the model (anvil-compile --kernel-config) and the
kernel's own time per run (anvil-run --bench --profile) is taken in rounds that run every
config and the default once, in a shuffled order, the speed-up being the median over rounds
of the default's time over the config's. These re-measured curves are the suite's quality
figures; the search-time curves are kept beside them (--no-remeasure skips this;
--remeasure-only redoes it on an earlier OUT).

and writes OUT/tune_suite.md (tables, geomeans, the trial at which the model-guided search
reaches the quality random search reaches at its last trial), OUT/tune_suite.json and
OUT/tune_suite.svg (geomean curves of both strategies).

    scripts/tune_suite.py --build build --out /tmp/tune-suite [--threads 2] [--jobs 2]
        [--model-trials 64] [--random-trials 256] [--only NAME ...]
        [--rounds 9] [--cpu NAME] [--weights-cache warm|cold]
        [--no-remeasure | --remeasure-only]

--cpu tunes and re-measures code for another CPU than this machine's (e.g. x86-64-v3 for
AVX2, which an AVX-512 machine runs too); give it again with --remeasure-only.
--weights-cache cold times every kernel, in the tuner and in the re-measurement (anvil-run
--flush-weights), with its weights evicted from the caches before each run, as inside a
model whose weights outgrow them (BERT-base, ResNet-50); the default, warm, times them as
the one-node models run.

Run it on a quiet machine: the measurements take the whole machine (about a second per
trial on 2 cores).
"""
import argparse
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# name, kind, shape. gemm: (m, k, n); conv: (channels, size, filters, kernel, stride).
SUITE = [
    ("bert_qkv_128x768x768", "gemm", (128, 768, 768)),
    ("bert_ffn1_128x768x3072", "gemm", (128, 768, 3072)),
    ("bert_ffn2_128x3072x768", "gemm", (128, 3072, 768)),
    ("r50_layer1_3x3_64", "conv", (64, 56, 64, 3, 1)),
    ("r50_layer2_3x3_128", "conv", (128, 28, 128, 3, 1)),
    ("r50_layer3_3x3_256", "conv", (256, 14, 256, 3, 1)),
    ("r50_layer4_3x3_512", "conv", (512, 7, 512, 3, 1)),
    ("r50_layer1_1x1_64to256", "conv", (64, 56, 256, 1, 1)),
    ("r50_layer3_1x1_1024to256", "conv", (1024, 14, 256, 1, 1)),
]


def write_model(path, kind, shape):
    rng = np.random.default_rng(0)
    if kind == "gemm":
        m, k, n = shape
        w = (rng.standard_normal((k, n)) * 0.05).astype(np.float32)
        node = helper.make_node("MatMul", ["x", "w"], ["y"])
        x_dims, y_dims = [m, k], [m, n]
    else:
        c, size, f, kernel, stride = shape
        w = (rng.standard_normal((f, c, kernel, kernel)) * 0.05).astype(np.float32)
        pad = kernel // 2
        node = helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[kernel] * 2,
                                strides=[stride] * 2, pads=[pad] * 4)
        out = (size + 2 * pad - kernel) // stride + 1
        x_dims, y_dims = [1, c, size, size], [1, f, out, out]
    graph = helper.make_graph(
        [node], path.stem, [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_dims)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_dims)],
        [numpy_helper.from_array(w, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, path)


def main_kernel(report):
    """The tuned kernel of most work (the GEMM or Conv; layout transposes are skipped)."""
    tuned = [k for k in report["kernels"] if not k.get("skipped")]
    if not tuned:
        raise SystemExit("tune_suite.py: error: no kernel was tuned")
    return max(tuned, key=lambda k: k["work"])


def compared(trial):
    """An ok trial with a time that counts: not one the tuner recorded as contended (measured
    while the host gave the process fewer cores than the default uses)."""
    return (trial["status"] == "ok" and bool(trial.get("medianNs"))
            and not trial.get("message", "").startswith("contended: "))


def curve(kernel, trials):
    """Best-so-far speed-up over the default after each of the first `trials` trials."""
    default = kernel["defaultNs"]
    best, out = None, []
    for t in kernel["trials"][:trials]:
        if compared(t):
            best = t["medianNs"] if best is None else min(best, t["medianNs"])
        out.append(default / best if best else 1.0)
    while len(out) < trials:  # a space smaller than the budget was measured whole
        out.append(out[-1] if out else 1.0)
    return out


def checkpoints(trials):
    """The trials after which the best config is re-measured: 8, 16, 32, ... and the last."""
    return [c for c in (8, 16, 32, 64, 128, 256, 512, 1024) if c < trials] + [trials]


def incumbents(kernel, trials):
    """{checkpoint: config} of the best compared trial (search time) within the first t trials;
    the default config before any."""
    best, out, marks = None, {}, checkpoints(trials)
    for i, t in enumerate(kernel["trials"][:trials]):
        if compared(t) and (best is None or t["medianNs"] < best["medianNs"]):
            best = t
        if i + 1 in marks:
            out[i + 1] = best["config"] if best else kernel["defaultConfig"]
    for c in marks:  # a space smaller than the budget was measured whole
        if c not in out:
            out[c] = best["config"] if best else kernel["defaultConfig"]
    return out


def kernel_us(anvil_run, artifact, symbol, threads, runs, cold):
    """The kernel's own time per run, from anvil-run --bench --profile (its outputs go to
    a folder beside the artifact, not the current directory); `cold`: the weights evicted
    from the caches before each run (--flush-weights)."""
    outputs = artifact.parent / "remeasure-outputs"
    proc = subprocess.run([str(anvil_run), str(artifact), "--random-inputs", "--bench",
                           str(runs), "--threads", str(threads), "--profile", "--output-dir",
                           str(outputs)] + (["--flush-weights"] if cold else []),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"tune_suite.py: error: anvil-run {artifact} failed: {proc.stderr}")
    m = re.search(rf"^\s+{re.escape(symbol)}\s+\d+\s+([0-9.]+)", proc.stdout, re.M)
    if not m:
        raise SystemExit(f"tune_suite.py: error: no {symbol} in the profile of {artifact}")
    return float(m.group(1))


def remeasure(args, name, work):
    """Re-measured speed-ups of the incumbents at the checkpoints, per strategy."""
    reports = {s: main_kernel(json.loads((work / f"{s}-report" / "report.json").read_text()))
               for s in ("model", "random")}
    trials = {"model": args.model_trials, "random": args.random_trials}
    at = {s: incumbents(k, trials[s]) for s, k in reports.items()}
    k = reports["model"]
    configs = sorted({c for v in at.values() for c in v.values()} - {k["defaultConfig"]})
    model = work / f"{name}.onnx"
    bins = args.build / "bin"
    artifacts = {k["defaultConfig"]: work / "remeasure-default.so"}
    cpu = [f"--cpu={args.cpu}"] if args.cpu else []
    subprocess.run([str(bins / "anvil-compile"), str(model), "-o",
                    str(artifacts[k["defaultConfig"]])] + cpu, check=True)
    for i, config in enumerate(configs):
        artifacts[config] = work / f"remeasure-{i}.so"
        subprocess.run([str(bins / "anvil-compile"), str(model), "--kernel-config",
                        f"{k['indices'][0]}={config}", "-o", str(artifacts[config])] + cpu,
                       check=True)
    rng = random.Random(args.seed)
    ratios = {c: [] for c in configs}
    order = list(artifacts)
    for _ in range(args.rounds):
        rng.shuffle(order)
        us = {c: kernel_us(bins / "anvil-run", artifacts[c], k["symbol"], args.threads,
                           args.bench_runs, args.weights_cache == "cold") for c in order}
        for c in configs:
            ratios[c].append(us[k["defaultConfig"]] / us[c])
    speedup = {c: sorted(r)[len(r) // 2] for c, r in ratios.items()}
    speedup[k["defaultConfig"]] = 1.0
    for a in artifacts.values():
        a.unlink()
    shutil.rmtree(work / "remeasure-outputs", ignore_errors=True)
    return {s: {str(c): {"config": cfg, "speedup": speedup[cfg]} for c, cfg in v.items()}
            for s, v in at.items()}


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def peak_gflops(args):
    """The FMA peak of --threads threads (anvil-bench-fma, the ISA of --cpu), GFLOP/s; None
    when the binary is missing or fails (the table then has no % of peak)."""
    if args.peak_gflops:
        return args.peak_gflops
    bench = args.build / "bin" / "anvil-bench-fma"
    if not bench.exists():
        return None
    avx512 = not args.cpu or args.cpu == "native" or "avx512" in args.cpu or args.cpu in (
        "x86-64-v4", "skylake-avx512", "cascadelake", "icelake-server", "sapphirerapids",
        "emeraldrapids", "graniterapids", "znver4", "znver5")
    isa = "avx512" if avx512 else "avx2"
    proc = subprocess.run([str(bench), f"--benchmark_filter=^fma/{isa}/real_time/threads:"
                           f"{args.threads}$", "--benchmark_format=json"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        return float(json.loads(proc.stdout)["benchmarks"][0]["GFLOPS"])
    except (ValueError, KeyError, IndexError):
        return None


def flops(kind, shape):
    """Floating-point operations of one run of a suite kernel (2 per multiply-add)."""
    if kind == "gemm":
        m, k, n = shape
        return 2 * m * k * n
    c, size, f, kernel, stride = shape
    out = (size + 2 * (kernel // 2) - kernel) // stride + 1
    return 2 * out * out * f * c * kernel * kernel


def tune(args, model, strategy, trials, out_dir):
    db = out_dir / f"{strategy}.db"
    report = out_dir / f"{strategy}-report"
    if db.exists():
        db.unlink()
    cmd = [str(args.build / "bin" / "anvil-tune"), str(model), "--db", str(db), "--trials",
           str(trials), "--strategy", strategy, "--threads", str(args.threads), "--jobs",
           str(args.jobs), "--seed", str(args.seed), "--min-work", "2000000", "--report",
           str(report), "--no-model-check",
           # Each kernel is timed as its one-node model runs (weights where the last run
           # left them), or with --weights-cache cold as inside a model whose weights do not
           # stay cached; the re-measurement below times it the same way.
           "--weights-cache", args.weights_cache] + (["--cpu", args.cpu] if args.cpu else [])
    start = time.time()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"tune_suite.py: error: {' '.join(cmd)} failed")
    seconds = time.time() - start
    data = json.loads((report / "report.json").read_text())
    k = main_kernel(data)
    return {"seconds": seconds, "speedup": k["defaultNs"] / k["bestNs"], "defaultNs": k["defaultNs"],
            "bestNs": k["bestNs"], "bestConfig": k["bestConfig"], "space": k["spaceSize"],
            "strategyUsed": k["strategy"], "trials": len(k["trials"]), "curve": curve(k, trials),
            "command": " ".join(cmd)}


def remeasured_geomeans(results, trials):
    """{strategy: {checkpoint: geomean re-measured speed-up}} (empty without them)."""
    if not results or not all("remeasured" in r for r in results):
        return {}
    return {s: {c: geomean([r["remeasured"][s][str(c)]["speedup"] for r in results])
                for c in checkpoints(trials[s])} for s in ("model", "random")}


def svg(results, model_trials, random_trials, path):
    w, h, left, bottom, top, right = 640, 360, 60, 40, 20, 20
    curves = {s: [geomean([r[s]["curve"][t] for r in results]) for t in range(n)]
              for s, n in (("model", model_trials), ("random", random_trials))}
    again = remeasured_geomeans(results, {"model": model_trials, "random": random_trials})
    every = list(curves.values()) + [list(v.values()) for v in again.values() if v]
    ymax = max(max(c) for c in every) * 1.05
    ymin = min(1.0, min(min(c) for c in every) * 0.98)  # re-measured may fall below 1
    xs = lambda t: left + (w - left - right) * t / max(random_trials - 1, 1)
    ys = lambda v: h - bottom - (h - bottom - top) * (v - ymin) / max(ymax - ymin, 1e-9)
    lines = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
             'font-family="sans-serif" font-size="12">',
             f'<rect width="{w}" height="{h}" fill="white"/>',
             f'<line x1="{left}" y1="{h-bottom}" x2="{w-right}" y2="{h-bottom}" stroke="black"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{h-bottom}" stroke="black"/>',
             f'<text x="{w/2}" y="{h-8}" text-anchor="middle">trial</text>',
             f'<text x="14" y="{h/2}" transform="rotate(-90 14 {h/2})" text-anchor="middle">'
             'geomean best-so-far speed-up</text>']
    for i in range(5):
        v = ymin + (ymax - ymin) * i / 4
        lines.append(f'<text x="{left-6}" y="{ys(v)+4:.1f}" text-anchor="end">{v:.2f}</text>')
    for t in (0, 64, 128, 192, 256):
        if t < random_trials:
            lines.append(f'<text x="{xs(t):.1f}" y="{h-bottom+16}" text-anchor="middle">{t}</text>')
    for (name, c), color in zip(curves.items(), ("#c0392b", "#2471a3")):
        pts = " ".join(f"{xs(t):.1f},{ys(v):.1f}" for t, v in enumerate(c))
        lines.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{pts}"/>')
        lines.append(f'<text x="{w-right-4}" y="{ys(c[-1])-6:.1f}" text-anchor="end" '
                     f'fill="{color}">{name} (search-time)</text>')
        if name in again:
            pts = " ".join(f"{xs(t - 1):.1f},{ys(v):.1f}" for t, v in again[name].items())
            lines.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" '
                         f'stroke-dasharray="6 4" points="{pts}"/>')
            for t, v in again[name].items():
                lines.append(f'<circle cx="{xs(t - 1):.1f}" cy="{ys(v):.1f}" r="4" '
                             f'fill="{color}"/>')
    if again:
        lines.append(f'<text x="{left+8}" y="{top+12}">dashed, dots: the best configs '
                     're-measured</text>')
    lines.append("</svg>")
    path.write_text("\n".join(lines) + "\n")
    return curves


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", type=Path, default=Path("build"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cpu", help="the CPU to generate code for, as anvil-tune and "
                        "anvil-compile take it (default: this machine)")
    parser.add_argument("--weights-cache", choices=("warm", "cold"), default="warm",
                        help="time the kernels with their weights where the last run left "
                        "them (warm, as the one-node models run) or evicted from the caches "
                        "before each run (cold, as in a model whose weights outgrow them); "
                        "give it again with --remeasure-only")
    parser.add_argument("--model-trials", type=int, default=64)
    parser.add_argument("--random-trials", type=int, default=256)
    parser.add_argument("--only", nargs="*", help="kernel names (see SUITE)")
    parser.add_argument("--rounds", type=int, default=9,
                        help="rounds of the re-measurement (each runs every config once)")
    parser.add_argument("--bench-runs", type=int, default=100,
                        help="anvil-run --bench runs per config and round")
    parser.add_argument("--peak-gflops", type=float,
                        help="the FMA peak of --threads threads, for the %% of peak column "
                        "(default: measured with anvil-bench-fma at the start)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--no-remeasure", action="store_true",
                      help="search-time curves only")
    mode.add_argument("--remeasure-only", action="store_true",
                      help="re-measure the incumbents of an earlier run in OUT (no tuning)")
    args = parser.parse_args()
    if args.random_trials < args.model_trials:
        # The tables compare random search at the model-guided search's budget.
        parser.error(f"--random-trials ({args.random_trials}) must be at least "
                     f"--model-trials ({args.model_trials})")
    if not (args.build / "bin" / "anvil-tune").exists():
        raise SystemExit(f"tune_suite.py: error: no anvil-tune in {args.build}/bin (build first)")
    names = [s[0] for s in SUITE]
    for name in args.only or []:
        if name not in names:
            raise SystemExit(f"tune_suite.py: error: unknown kernel '{name}' (known: "
                             f"{', '.join(names)})")
    args.out.mkdir(parents=True, exist_ok=True)
    peak = None if args.remeasure_only else peak_gflops(args)
    results = []
    if args.remeasure_only:
        saved = args.out / "tune_suite.json"
        if not saved.exists():
            raise SystemExit(f"tune_suite.py: error: --remeasure-only needs an earlier run's "
                             f"{saved}")
        results = json.loads(saved.read_text())
    for name, kind, shape in ([] if args.remeasure_only else SUITE):
        if args.only and name not in args.only:
            continue
        work = args.out / name
        work.mkdir(exist_ok=True)
        model = work / f"{name}.onnx"
        write_model(model, kind, shape)
        entry = {"name": name, "kind": kind, "shape": list(shape),
                 "flops": flops(kind, shape), "peakGflops": peak}
        for strategy, trials in (("model", args.model_trials), ("random", args.random_trials)):
            print(f"tune_suite: {name}: {strategy}, {trials} trials ...", file=sys.stderr, flush=True)
            entry[strategy] = tune(args, model, strategy, trials, work)
            r = entry[strategy]
            print(f"tune_suite: {name}: {strategy}: {r['speedup']:.3f}x in {r['seconds']:.0f} s "
                  f"(space {r['space']})", file=sys.stderr, flush=True)
        results.append(entry)
        (args.out / "tune_suite.json").write_text(json.dumps(results, indent=1) + "\n")
    if not args.no_remeasure:
        for r in results:
            if args.only and r["name"] not in args.only:
                continue
            print(f"tune_suite: {r['name']}: re-measuring the best configs at the checkpoints "
                  f"({args.rounds} rounds) ...", file=sys.stderr, flush=True)
            r["remeasured"] = remeasure(args, r["name"], args.out / r["name"])
            (args.out / "tune_suite.json").write_text(json.dumps(results, indent=1) + "\n")

    curves = svg(results, args.model_trials, args.random_trials, args.out / "tune_suite.svg")
    random_final = curves["random"][-1]
    reach = next((t + 1 for t, v in enumerate(curves["model"]) if v >= random_final), None)
    md = ["# anvil-tune on GEMM and Conv kernels of ResNet-50 and BERT-base", "",
          f"`scripts/tune_suite.py --build {args.build} --out {args.out} --threads {args.threads} "
          f"--jobs {args.jobs} --model-trials {args.model_trials} --random-trials "
          f"{args.random_trials}" + (f" --cpu {args.cpu}" if args.cpu else "") +
          (" --weights-cache cold" if args.weights_cache == "cold" else "") +
          f"`, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores.", "",
          "Speed-up: the default config's time over the winner's, from anvil-tune's final "
          "re-measurement (both timed run for run in alternation). Best-so-far: the best trial's "
          "speed-up within the first N trials (each trial timed in alternation with the default).",
          "Default: % of peak: the default config's rate (the model-guided search's time of it) "
          "against the FMA peak of as many threads (anvil-bench-fma, measured at the start of "
          "the run): 1 / that is the most any config could gain.",
          "", "| kernel | space | default: % of peak | model: speed-up | model: tuning s | "
          "random: speed-up | "
          f"random: best at {args.model_trials} | random: best at {args.random_trials} | "
          "random: tuning s |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]

    def peak_share(r):
        """The default's share of the FMA peak, or None without a peak."""
        if not r.get("peakGflops") or not r.get("flops"):
            return None
        return r["flops"] / r["model"]["defaultNs"] / r["peakGflops"]

    for r in results:
        m, rd = r["model"], r["random"]
        share = peak_share(r)
        md.append(f"| {r['name']} | {m['space']} | "
                  + (f"{100 * share:.0f}%" if share else "-") + " | "
                  f"{m['speedup']:.3f}x | {m['seconds']:.0f} | "
                  f"{rd['speedup']:.3f}x | {rd['curve'][args.model_trials - 1]:.3f}x | "
                  f"{rd['curve'][-1]:.3f}x | {rd['seconds']:.0f} |")
    gm = geomean([r["model"]["speedup"] for r in results])
    gr = geomean([r["random"]["speedup"] for r in results])
    shares = [peak_share(r) for r in results]
    md += ["", f"Geomean speed-up of the winners: model-guided ({args.model_trials} trials) "
           f"**{gm:.3f}x**, random ({args.random_trials} trials) **{gr:.3f}x**.", ""]
    if all(shares):
        md += [f"The defaults run at {100 * geomean(shares):.0f}% of the FMA peak (geomean): "
               f"if every tuned config ran at the peak, the geomean speed-up would be "
               f"{1 / geomean(shares):.3f}x.", ""]
    md += [
           f"Geomean best-so-far: model-guided {curves['model'][-1]:.3f}x at trial "
           f"{args.model_trials}; random {curves['random'][args.model_trials - 1]:.3f}x at trial "
           f"{args.model_trials} and {random_final:.3f}x at trial {args.random_trials}. "
           + (f"Model-guided reaches random's trial-{args.random_trials} quality at trial "
              f"**{reach}**." if reach else
              f"Model-guided does **not** reach random's trial-{args.random_trials} quality "
              f"within {args.model_trials} trials."), "",
           "![best-so-far curves](tune_suite.svg)", ""]
    again = remeasured_geomeans(results, {"model": args.model_trials,
                                          "random": args.random_trials})
    if again:
        cols = [("model", c) for c in again["model"]] + [("random", c) for c in again["random"]]
        md += ["## Re-measured", "",
               f"The best config after t trials, compiled into the model and timed again with "
               f"anvil-run --bench {args.bench_runs} --profile (the kernel's own time), "
               f"{args.rounds} rounds each running every config and the default once in a "
               f"shuffled order; speed-up: the median over rounds of the default's time over "
               f"the config's.", "",
               "| kernel | " + " | ".join(f"{s} @{c}" for s, c in cols) + " |",
               "|---|" + "---:|" * len(cols)]
        for r in results:
            md.append(f"| {r['name']} | " + " | ".join(
                f"{r['remeasured'][s][str(c)]['speedup']:.3f}x" for s, c in cols) + " |")
        md.append("| **geomean** | " + " | ".join(f"**{again[s][c]:.3f}x**" for s, c in cols)
                  + " |")
        target = again["random"][max(again["random"])]
        first = next((c for c, v in again["model"].items() if v >= target), None)
        md += ["", f"Re-measured, model-guided reaches random search's trial-"
               f"{max(again['random'])} quality ({target:.3f}x) "
               + (f"at trial **{first}**." if first else
                  f"**not** within {args.model_trials} trials "
                  f"({again['model'][max(again['model'])]:.3f}x at trial "
                  f"{max(again['model'])})."), ""]
    (args.out / "tune_suite.md").write_text("\n".join(md))
    print("\n".join(md))


if __name__ == "__main__":
    main()
