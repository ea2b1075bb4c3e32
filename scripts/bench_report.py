#!/usr/bin/env python3
"""Renders the benchmark results that scripts/run_bench.py collects into docs/performance.md
and docs/performance.svg (a bar chart of the ratios, written by hand: no plotting library).

Usage:
    bench_report.py RESULTS.json [--md OUT.md] [--svg OUT.svg] [--svg-link NAME]

RESULTS.json holds: "kernels", the Google Benchmark JSON documents of anvil-bench-fma,
anvil-bench-gemm and anvil-bench-conv (one per thread count); "models", the document of
scripts/bench_models.py; and "machine", "versions", "commands", "generated", "quick",
"errors". Exit status 0, or 1 when RESULTS.json cannot be read.
"""
import argparse
import json
import math
import re
import sys
from collections import defaultdict
from xml.sax.saxutils import escape

# Issue 5's acceptance figures.
GEMM_PEAK_TARGET = 75.0      # % of the FMA peak, 1024^3, one thread
GEMM_OPENBLAS_TARGET = 0.9   # x OpenBLAS, same shape and run
CONV_ONEDNN_TARGET = 0.8     # geomean x oneDNN over ResNet-50's 3x3 and 1x1 layers
MODEL_ORT_TARGET = 1.2       # Anvil latency / onnxruntime's, batch 1, 2 threads
MODEL_ORT_GOAL = 1.0         # the geomean goal
ACCEPTANCE_MODELS = ("resnet50", "mobilenetv2", "bert_base")

SUFFIX = re.compile(r"(/manual_time|/real_time|/threads:\d+)+$")


def geomean(values):
    values = [v for v in values if v and v > 0]
    return math.exp(sum(map(math.log, values)) / len(values)) if values else None


def plural(count, noun):
    return f"{count} {noun}{'' if count == 1 else 's'}"


def fmt(value, digits=1, unit=""):
    return "–" if value is None else f"{value:.{digits}f}{unit}"


# --------------------------------------------------------------------------------------------
# Reading Google Benchmark documents
# --------------------------------------------------------------------------------------------
class Kernels:
    """The kernel results, by thread count: fma[(isa, threads)] = GFLOP/s,
    gemm[threads][shape][impl] and conv[threads][(model, shape)][impl] = entry dict
    (GFLOPS, peak_pct, label, error)."""

    def __init__(self, documents):
        self.fma = {}
        self.gemm = defaultdict(lambda: defaultdict(dict))
        self.conv = defaultdict(lambda: defaultdict(dict))
        self.peak = {}
        self.contexts = []
        self.errors = []
        for doc in documents:
            context = doc.get("context", {})
            self.contexts.append(context)
            threads = int(context.get("anvil_threads", 0) or 0)
            if threads and context.get("peak_gflops"):
                self.peak[threads] = float(context["peak_gflops"])
            for bench in doc.get("benchmarks", []):
                if bench.get("run_type", "iteration") != "iteration":
                    continue
                name = SUFFIX.sub("", bench.get("run_name") or bench["name"])
                parts = name.split("/")
                entry = {"GFLOPS": bench.get("GFLOPS"), "peak_pct": bench.get("peak_pct"),
                         "kernel_GFLOPS": bench.get("kernel_GFLOPS"),
                         "label": bench.get("label", ""),
                         "error": bench.get("error_message") if bench.get("error_occurred")
                         else None}
                if entry["error"]:
                    self.errors.append(f"{name}: {entry['error']}")
                if parts[0] == "fma" and len(parts) == 2:
                    self.fma[(parts[1], int(bench.get("threads", 1)))] = entry["GFLOPS"]
                elif parts[0] == "gemm" and len(parts) == 3:
                    self.gemm[threads][parts[1]][parts[2]] = entry
                elif parts[0] == "conv" and len(parts) == 4:
                    self.conv[threads][(parts[1], parts[2])][parts[3]] = entry
        # With several threads, % of peak is against anvil-bench-fma's peak for that many
        # threads (Google Benchmark's own threads, the widest ISA): a binary's startup probe
        # read as low as one core's there (OpenBLAS's load-time workers on the other core).
        for threads in set(self.gemm) | set(self.conv):
            fma = [v for (isa, t), v in self.fma.items() if t == threads and v]
            if threads <= 1 or not fma:
                continue
            self.peak[threads] = max(fma)
            for table in (self.gemm, self.conv):
                for impls in table.get(threads, {}).values():
                    for entry in impls.values():
                        if entry.get("GFLOPS") and not entry.get("error"):
                            entry["peak_pct"] = 100 * entry["GFLOPS"] / max(fma)

    def context(self, key):
        for context in self.contexts:
            if key in context:
                return context[key]
        return None


def gflops(entry):
    return None if not entry or entry.get("error") else entry.get("GFLOPS")


def ratio(entry, peer):
    a, b = gflops(entry), gflops(peer)
    return a / b if a and b else None


def ms(value):
    return f"{value:.{1 if value >= 100 else 2 if value >= 1 else 3}f}"


def cell(entry):
    if not entry:
        return "–", "–"
    if entry.get("error"):
        return "**error**", "–"
    return fmt(entry.get("GFLOPS")), fmt(entry.get("peak_pct"), 0, "%")


def layer_of(*entries):
    """The layer an entry's label names (without the implementation after "; "), from the
    first of `entries` that has a label."""
    label = next((e["label"] for e in entries if e and e.get("label")), "")
    return label.split("; ")[0]


def short(text, width=44):
    """A chart label: without its parenthesized detail, at most `width` characters."""
    text = re.sub(r" \(.*\)$", "", text)
    return text if len(text) <= width else text[:width - 1] + "…"


def gemm_key(shape):
    m, k, n = (int(x) for x in shape.split("x"))
    return (0 if m == k == n else 1, m * k * n)


# --------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------
def gemm_table(kernels, threads):
    rows = kernels.gemm[threads]
    lines = [f"### GEMM, {plural(threads, 'thread')} "
             f"(peak {fmt(kernels.peak.get(threads))} GFLOP/s)", "",
             "| M×K×N | layer | Anvil GFLOP/s | % peak | OpenBLAS GFLOP/s | % peak "
             "| oneDNN GFLOP/s | % peak | Anvil ÷ OpenBLAS | Anvil ÷ oneDNN |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    vs_blas, vs_dnnl = [], []
    for shape in sorted(rows, key=gemm_key):
        impls = rows[shape]
        a, b, d = impls.get("anvil"), impls.get("openblas"), impls.get("onednn")
        rb, rd = ratio(a, b), ratio(a, d)
        vs_blas.append(rb)
        vs_dnnl.append(rd)
        layer = layer_of(a, b, d)
        lines.append(f"| {shape} | {layer} | {' | '.join(cell(a))} | {' | '.join(cell(b))} | "
                     f"{' | '.join(cell(d))} | {fmt(rb, 2, '×')} | {fmt(rd, 2, '×')} |")
    lines.append(f"| **geomean** | | | | | | | | **{fmt(geomean(vs_blas), 2, '×')}** | "
                 f"**{fmt(geomean(vs_dnnl), 2, '×')}** |")
    return lines


def conv_table(kernels, threads):
    rows = kernels.conv[threads]
    lines = [f"### Convolution, {plural(threads, 'thread')} "
             f"(peak {fmt(kernels.peak.get(threads))} GFLOP/s)", "",
             "| model | layer | shape (C, H×W, kernel/stride, OC, groups) | Anvil GFLOP/s "
             "| % peak | oneDNN GFLOP/s | % peak | Anvil ÷ oneDNN | Anvil's conv kernel "
             "alone GFLOP/s | kernel ÷ oneDNN |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    by_model = defaultdict(list)
    for (model, shape), impls in rows.items():
        a, d = impls.get("anvil"), impls.get("onednn")
        r = ratio(a, d)
        by_model[model].append(r)
        layer = layer_of(a, d)
        if layer.startswith(model + " "):
            layer = layer[len(model) + 1:]
        kernel = a.get("kernel_GFLOPS") if a and not a.get("error") else None
        dnn = gflops(d)
        lines.append(f"| {model} | {layer} | {shape} | {' | '.join(cell(a))} | "
                     f"{' | '.join(cell(d))} | {fmt(r, 2, '×')} | {fmt(kernel)} | "
                     f"{fmt(kernel / dnn if kernel and dnn else None, 2, '×')} |")
    for model, ratios in by_model.items():
        lines.append(f"| **{model} geomean** | | | | | | | **{fmt(geomean(ratios), 2, '×')}** | | |")
    return lines


def model_table(models):
    lines = ["| model | batch | threads | Anvil ms | onnxruntime ms | Anvil ÷ ORT "
             "| Anvil peak RSS | ORT peak RSS |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in models.get("results", []):
        lines.append(f"| {r['model']} | {r['batch']} | {r['threads']} | {ms(r['anvil_ms'])} | "
                     f"{ms(r['ort_ms'])} | {r['ratio']:.2f}× | "
                     f"{r['anvil_rss_bytes'] / 2**20:.0f} MiB | "
                     f"{r['ort_rss_bytes'] / 2**20:.0f} MiB |")
    groups = defaultdict(list)
    for r in models.get("results", []):
        groups[(r["batch"], r["threads"])].append(r["ratio"])
    for (batch, threads), ratios in sorted(groups.items()):
        lines.append(f"| **geomean** | {batch} | {threads} | | | "
                     f"**{fmt(geomean(ratios), 2, '×')}** | | |")
    return lines


def status(value, ok):
    if value is None:
        return "not measured"
    return "**pass**" if ok(value) else "**fail**"


def acceptance(kernels, models):
    rows = []
    gemm = kernels.gemm.get(1, {}).get("1024x1024x1024", {})
    a, b = gemm.get("anvil"), gemm.get("openblas")
    pct = None if not a or a.get("error") else a.get("peak_pct")
    rows.append(("1a. GEMM 1024³, 1 thread: % of FMA peak", f"≥ {GEMM_PEAK_TARGET:.0f}%",
                 fmt(pct, 1, "%"), status(pct, lambda v: v >= GEMM_PEAK_TARGET)))
    r = ratio(a, b)
    rows.append(("1b. GEMM 1024³, 1 thread: Anvil ÷ OpenBLAS", f"≥ {GEMM_OPENBLAS_TARGET}×",
                 fmt(r, 2, "×"), status(r, lambda v: v >= GEMM_OPENBLAS_TARGET)))
    threads = min(kernels.conv) if kernels.conv else None
    conv = [ratio(i.get("anvil"), i.get("onednn"))
            for (model, shape), i in kernels.conv.get(threads, {}).items()
            if model == "resnet50" and re.search(r"_k[13]s", shape)]
    g = geomean(conv) if conv and all(conv) else None
    rows.append((f"2. ResNet-50 3×3 and 1×1 convs, {plural(threads or 1, 'thread')}: "
                 "geomean Anvil ÷ oneDNN", f"≥ {CONV_ONEDNN_TARGET}×", fmt(g, 2, "×"),
                 status(g, lambda v: v >= CONV_ONEDNN_TARGET)))
    e2e = {r["model"]: r["ratio"] for r in (models or {}).get("results", [])
           if r["batch"] == 1 and r["threads"] == 2}
    for name in ACCEPTANCE_MODELS:
        v = e2e.get(name)
        rows.append((f"3. {name}, batch 1, 2 threads: Anvil ÷ onnxruntime latency",
                     f"≤ {MODEL_ORT_TARGET}×", fmt(v, 2, "×"),
                     status(v, lambda x: x <= MODEL_ORT_TARGET)))
    found = [e2e[n] for n in ACCEPTANCE_MODELS if n in e2e]
    g = geomean(found) if len(found) == len(ACCEPTANCE_MODELS) else None
    rows.append(("3. geomean of the three (goal)", f"≤ {MODEL_ORT_GOAL}×", fmt(g, 2, "×"),
                 status(g, lambda x: x <= MODEL_ORT_GOAL)))
    lines = ["| criterion | target | measured | status |", "|---|---:|---:|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return lines


def openblas_env(results):
    """The `env ...` prefix the kernel benchmarks ran under (see run_bench.probe_openblas)."""
    chosen = (results.get("openblas_probe") or {}).get("chosen")
    if chosen and chosen != "its own detection":
        return f"env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE={chosen} "
    return "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "


def openblas_note(results, kernels):
    """How OpenBLAS's kernel was chosen, for the notes."""
    probe = results.get("openblas_probe")
    core = str(kernels.context("openblas_core") or "?")
    if not probe:
        return ("- OpenBLAS ran with `OPENBLAS_CORETYPE` and `OPENBLAS_L2_SIZE` unset (its own "
                "CPU detection, which chose " + core + ")")
    rates = ", ".join(f"{name} {rate:.0f}" for name, rate in probe["gflops"].items())
    return ("- OpenBLAS ran with `OPENBLAS_L2_SIZE` unset and the kernel it was fastest with "
            "in a 1024³ sgemm probe before the run (" + rates + " GFLOP/s): " +
            probe["chosen"] + " (it reported " + core + ")")


def render_markdown(results, svg_link):
    kernels = Kernels(results.get("kernels", []))
    models = results.get("models")
    machine, versions = results.get("machine", {}), results.get("versions", {})
    out = ["# Performance",
           "",
           "<!-- Generated by scripts/run_bench.py (`make bench`); do not edit by hand. -->",
           "",
           f"Measured {results.get('generated', '?')} on the machine below with `make bench`. "
           "Anvil's kernels against OpenBLAS and oneDNN (GFLOP/s and % of the measured FMA "
           "peak), and whole models against onnxruntime (latency). Ratios above 1× for kernels "
           "and below 1× for models favour Anvil."]
    if results.get("quick"):
        out += ["", "**Quick mode** (`scripts/run_bench.py --quick`): short timings and the "
                "small test models only; a smoke test, not the figures to quote."]
    errors = list(results.get("errors", [])) + kernels.errors + \
        list((models or {}).get("errors", []))
    if errors:
        out += ["", "## Errors", "", "These runs failed; their cells say **error** or are "
                "missing:", ""] + [f"- {escape(e)}" for e in errors]

    out += ["", "## Against issue 5's acceptance", ""] + acceptance(kernels, models)
    out += ["", f"![Ratios: Anvil against OpenBLAS, oneDNN and onnxruntime]({svg_link})"]

    out += ["", "## Machine and versions", "", "| | |", "|---|---|"]
    for key, value in list(machine.items()) + list(versions.items()):
        out.append(f"| {key} | {escape(str(value))} |")
    fma_rows = sorted(kernels.fma.items())
    if fma_rows:
        out += ["", "Measured fp32 FMA peak (`anvil-bench-fma`: 12 independent FMA chains per "
                "thread):", "", "| ISA | threads | GFLOP/s |", "|---|---:|---:|"]
        out += [f"| {isa} | {threads} | {fmt(value)} |" for (isa, threads), value in fma_rows]
        wide, narrow = kernels.fma.get(("avx512", 1)), kernels.fma.get(("avx2", 1))
        if wide and narrow and wide < 1.2 * narrow:
            out += ["", "AVX-512 FMAs reach no more than AVX2 FMAs here: this CPU runs a 512-bit "
                    "FMA as two 256-bit halves (as AMD Zen 4 does), so its peak is that of "
                    "AVX2, and a kernel gains from AVX-512 only fewer instructions."]

    out += ["", "## Commands", "", "`make bench` ran, in this order:", "", "```sh"]
    out += results.get("commands", []) + ["```"]
    out += ["", "One binary or one model by hand (the binaries take Google Benchmark's flags, and "
            "`--help` lists their own):", "", "```sh",
            openblas_env(results) + "build/bin/anvil-bench-gemm --threads=2 "
            "--benchmark_filter='gemm/1024x1024x1024/'",
            openblas_env(results) + "build/bin/anvil-bench-conv "
            "--benchmark_filter='conv/resnet50/' --work_dir=/tmp/conv  # keeps models, artifacts",
            ".venv/bin/python scripts/bench_models.py --only resnet50 --batch 1 --threads 2",
            "```"]

    out += ["", "## Kernels", "",
            "Each binary times Anvil and its peers in the same process with the same thread "
            "count. GFLOP/s is the mean rate over the timed runs. `% peak`: with one thread, the "
            "timed runs are cut into windows of at least 2 ms, each followed by a ~1 ms probe "
            "of the FMA peak on the same core, and the figure is the median over the windows "
            "of window rate ÷ probe rate (kernel and yardstick "
            "measured side by side, so a drift in the host's speed moves both); with more "
            "threads (where the libraries' spinning workers would take the probe's cores) it "
            "is GFLOP/s against `anvil-bench-fma`'s peak for that many threads. "
            "Anvil's time is a one-node ONNX model (weights as constant "
            "initializers) compiled by `anvil-compile` and run through the runtime's C API "
            "(`anvil_session_run`), so it includes whatever Anvil does inside (a matmul's "
            "constant weight and a convolution's constant filter are stored as panels at "
            "compile time; a filter whose output channels are not a multiple of the register "
            "tile's columns is packed at run time, included). A convolution's model takes and returns NHWC "
            "(Transposes around the Conv, which Anvil's layout pass cancels against its "
            "channels-last conv), and oneDNN picks its own layouts (`format_tag::any`), "
            "reordering the weights, input and output untimed: each side runs in its own "
            "layout, as inside a model, where layout conversions happen only at the edges. "
            "Every Anvil result is checked against OpenBLAS (GEMM) or oneDNN (Conv) before it "
            "is timed. The model of a padded convolution also copies its input into a "
            "zero-bordered buffer (and zero-fills the output of a conv without bias); in a "
            "model the kernel that produces the input writes it there in its epilogue. So "
            "the conv tables also give Anvil's conv kernel alone: its time in the runtime's "
            "per-step profile (`anvil_session_step_profile`) over more runs (at least 50 and about 0.2 s; one batch of runs, so noisier than the main figure). For a "
            "memory-bound depthwise conv the copy and fills are most of the model's time."]
    for threads in sorted(kernels.gemm):
        out += [""] + gemm_table(kernels, threads)
    for threads in sorted(kernels.conv):
        out += [""] + conv_table(kernels, threads)

    out += ["", "## Models", ""]
    if models and models.get("results"):
        out += [f"`anvil-run --bench` against onnxruntime {versions.get('onnxruntime', '')} "
                "(CPU provider, ORT_ENABLE_ALL, `intra_op_num_threads` = threads) on random "
                f"inputs. {models.get('rounds')} interleaved rounds per pair "
                + (f"({models['headline_rounds']} for the pairs on 2 threads and more) "
                   if models.get("headline_rounds") else "") +
                "(fresh processes, "
                f"about {models.get('round_seconds')} s each, after one untimed run, sized by "
                "an uncounted probe run"
                + (f", each started {models['settle_seconds']} s after the last"
                   if models.get("settle_seconds") else "") + "); a "
                "latency is the median of the rounds' medians. Peak RSS is the largest of "
                "the engine's processes (onnxruntime's includes the Python interpreter and "
                "numpy, about 60 MiB). Anvil compile times (s): " +
                ", ".join(f"{k} {v:.1f}" for k, v in models.get("compile_seconds", {}).items())
                + ".", ""]
        out += model_table(models)
    else:
        out.append("Not run.")

    loads = [c.get("load_avg") for c in kernels.contexts if c.get("load_avg")]
    model_loads = [r["load_avg"] for r in (models or {}).get("results", []) if "load_avg" in r]
    out += ["", "## Caveats", "",
            "- The machine has 2 cores. Anything else running (a compile) halves what a "
            "benchmark gets; the 1-minute load averages when each kernel binary started were "
            + (", ".join(f"{l[0]:.2f}" for l in loads) if loads else "not recorded") +
            (f", and at the start of the model pairs between {min(model_loads):.2f} and "
             f"{max(model_loads):.2f}" if model_loads else "") + " (the suite's own runs "
            "account for 1 to 2 of that). onnxruntime's threads spin while they wait, which "
            "makes its 2-thread runs the most sensitive to a "
            "busy core.",
            openblas_note(results, kernels) + "; the machine's environment sets " + (", ".join(
                f"{k}={v}" for k, v in results.get("machine_openblas_env", {}).items() if v)
                or "neither") + ", which can select a slower kernel.",
            "- Debian's Google Benchmark prints \"Library was built as DEBUG\": that is the "
            "library's own bookkeeping, not the timed code, which is built with -O3."]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------
# SVG
# --------------------------------------------------------------------------------------------
def chart_panels(results):
    kernels = Kernels(results.get("kernels", []))
    panels = []
    if kernels.gemm:
        threads = min(kernels.gemm)
        rows = [(short(f"{s} {layer_of(i.get('anvil'), i.get('openblas'))}"),
                 ratio(i.get("anvil"), i.get("openblas")))
                for s, i in sorted(kernels.gemm[threads].items(), key=lambda x: gemm_key(x[0]))]
        panels.append((f"GEMM, {plural(threads, 'thread')}: Anvil GFLOP/s ÷ OpenBLAS "
                       "(higher is better)",
                       rows, GEMM_OPENBLAS_TARGET, True))
    if kernels.conv:
        threads = min(kernels.conv)
        rows = [(short(f"{m} {layer_of(i.get('anvil'), i.get('onednn')).split(' ', 1)[-1]}"),
                 ratio(i.get("anvil"), i.get("onednn")))
                for (m, _), i in kernels.conv[threads].items()]
        panels.append((f"Conv, {plural(threads, 'thread')}: Anvil GFLOP/s ÷ oneDNN "
                       "(higher is better)",
                       rows, CONV_ONEDNN_TARGET, True))
    models = (results.get("models") or {}).get("results", [])
    if models:
        rows = [(f"{r['model']} b{r['batch']} t{r['threads']}", r["ratio"]) for r in models]
        panels.append(("Models: Anvil latency ÷ onnxruntime (lower is better)", rows,
                       MODEL_ORT_TARGET, False))
    return panels


def render_svg(results):
    panels = chart_panels(results)
    width, label_w, plot_w, row_h, head_h, gap = 900, 300, 500, 16, 46, 24
    values = [v for _, rows, target, _ in panels for _, v in rows if v] + [1.0]
    values += [target for _, _, target, _ in panels]
    steps = [m * 10 ** e for e in range(-4, 5) for m in (1, 2, 5)]
    lo = max([t for t in steps if t <= min(values)] or steps[:1])
    hi = min([t for t in steps if t >= max(values)] or steps[-1:])
    lo, hi = min(lo, 0.5), max(hi, 2.0)

    def x(v):
        return label_w + (math.log10(v) - math.log10(lo)) / \
            (math.log10(hi) - math.log10(lo)) * plot_w

    ticks = [t for t in steps if lo <= t <= hi]
    height = sum(head_h + row_h * len(rows) + gap for _, rows, _, _ in panels) + 20
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
           "<!-- Generated by scripts/bench_report.py; do not edit. -->",
           f'<rect width="{width}" height="{height}" fill="white"/>']
    y = 10
    for title, rows, target, higher_is_better in panels:
        out.append(f'<text x="10" y="{y + 14}" font-size="13" font-weight="bold">'
                   f'{escape(title)}</text>')
        top, bottom = y + head_h - 8, y + head_h + row_h * len(rows)
        for t in ticks:
            out.append(f'<line x1="{x(t):.1f}" y1="{top}" x2="{x(t):.1f}" y2="{bottom}" '
                       'stroke="#ddd"/>')
            out.append(f'<text x="{x(t):.1f}" y="{top - 4}" text-anchor="middle" '
                       f'fill="#555">{t:g}×</text>')
        y += head_h
        for label, value in rows:
            out.append(f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end">'
                       f'{escape(label)}</text>')
            if value:
                ok = value >= target if higher_is_better else value <= target
                left, right = sorted((x(1.0), x(value)))
                out.append(f'<rect class="bar" x="{left:.1f}" y="{y + 3}" '
                           f'width="{max(right - left, 1):.1f}" height="{row_h - 5}" '
                           f'fill="{"#2e7d32" if ok else "#c62828"}"/>')
                out.append(f'<text x="{label_w + plot_w + 8}" y="{y + 12}">{value:.2f}×</text>')
            else:
                out.append(f'<text x="{label_w + plot_w + 8}" y="{y + 12}" fill="#c62828">'
                           'error</text>')
            y += row_h
        out.append(f'<line x1="{x(1.0):.1f}" y1="{top}" x2="{x(1.0):.1f}" y2="{bottom}" '
                   'stroke="black"/>')
        out.append(f'<line x1="{x(target):.1f}" y1="{top}" x2="{x(target):.1f}" '
                   f'y2="{bottom}" stroke="#1565c0" stroke-dasharray="4,3"/>')
        out.append(f'<text x="{x(target) + 3:.1f}" y="{bottom + 11}" fill="#1565c0">'
                   f'target {target:g}×</text>')
        y += gap
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results", help="the results JSON of scripts/run_bench.py")
    ap.add_argument("--md", help="write the markdown here (default: stdout)")
    ap.add_argument("--svg", help="write the chart here")
    ap.add_argument("--svg-link", default="performance.svg",
                    help="how the markdown refers to the chart (default performance.svg)")
    args = ap.parse_args(argv)
    try:
        with open(args.results) as f:
            results = json.load(f)
    except (OSError, ValueError) as e:
        print(f"bench_report: error: {args.results}: {e}", file=sys.stderr)
        return 1
    markdown = render_markdown(results, args.svg_link)
    if args.md:
        with open(args.md, "w") as f:
            f.write(markdown)
    else:
        sys.stdout.write(markdown)
    if args.svg:
        with open(args.svg, "w") as f:
            f.write(render_svg(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
