#!/usr/bin/env python3
"""Run Anvil's ONNX importer over every ONNX backend test model and summarise the results.

For each DIR/<kind>/<test>/model.onnx (the layout written by scripts/gen_onnx_testdata.py) this
runs `anvil-compile MODEL --emit=graph -o /dev/null` and classifies the outcome:

  passed   exit code 0
  failed   exit code 1 with a diagnostic on stderr; failures are grouped by a *reason key*:
           "unsupported op: X" for unsupported-op errors (one key per distinct op), otherwise
           the first error line with quoted names, paths and numbers normalised away
  crash    killed by a signal, or any exit code other than 0/1 (a compiler bug)
  hang     did not finish within --timeout seconds (a compiler bug)

Progress goes to stderr; the summary goes to stdout and always ends with the line
`N passed, N failed` (crashes and hangs count as failed). The exit status is 0, or 1 if any
test crashed or hung or if --min-pass-rate is given and the node tests fall short of it, or 2
on usage errors (missing compiler, missing test data, ...).

Example:
  scripts/import_sweep.py --compiler build/bin/anvil-compile --data build/onnxdata \\
      --report sweep.md --json sweep.json
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
import threading
import time

DEFAULT_KINDS = ("node", "simple", "pytorch-converted", "pytorch-operator")
STATUSES = ("passed", "failed", "crash", "hang")
PROGRESS_EVERY = 100
TOP_REASONS = 25  # reasons shown on stdout; the markdown report lists all of them
EXAMPLES_PER_REASON = 3
MAX_STDERR_KEPT = 4000  # characters of stderr kept per test for --json
MAX_KEY_LEN = 160

NO_DIAGNOSTIC = "exit 1 without an error message"


class UsageError(Exception):
    """A problem with the command line or environment; reported without a traceback."""


@dataclasses.dataclass
class Test:
    kind: str
    name: str
    model: str

    @property
    def id(self) -> str:
        return f"{self.kind}/{self.name}"


@dataclasses.dataclass
class Result:
    test: Test
    status: str  # one of STATUSES
    returncode: int | None  # None for hangs
    seconds: float
    stderr: str
    reasons: list[str] = dataclasses.field(default_factory=list)  # failures only
    detail: str = ""  # one-line explanation for crashes and hangs


# --------------------------------------------------------------------------------------------
# Failure reasons

_ERROR_RE = re.compile(r"\berror:\s*(.*)")
_UNSUPPORTED_OP_RE = re.compile(
    r"unsupported op(?:erator|eration)?(?:\s+type)?\b\s*:?\s*"
    r"(?:'([^']+)'|\"([^\"]+)\"|`([^`]+)`|([A-Za-z_][\w.:]*))?", re.IGNORECASE)
_NOT_OP_NAMES = {"in", "at", "for", "of", "on", "with", "from", "found", "encountered", "here"}
_OP_RE = re.compile(r"\bop\s+(?:'([^']+)'|\"([^\"]+)\"|([A-Za-z_][\w.:]*))")
_DOMAIN_RE = re.compile(r"\bdomain\s+'([^']*)'")
_QUOTED_RE = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`")
_PATH_RE = re.compile(r"(?:[\w.-]*/)+[\w.-]+")
_NUMBER_RE = re.compile(r"\b0x[0-9a-fA-F]+\b|(?<![A-Za-z_])[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def error_lines(stderr: str) -> list[str]:
    """The messages of the `error: ...` lines of a diagnostic (the text after `error:`)."""
    return [m.group(1).strip() for line in stderr.splitlines() if (m := _ERROR_RE.search(line))]


def unsupported_op(message: str) -> str | None:
    """The op type named by an "unsupported op" message (with its domain if not the default)."""
    m = _UNSUPPORTED_OP_RE.search(message)
    if not m:
        return None
    op = next((g for g in m.groups() if g), None)
    if op is not None and op.lower() in _NOT_OP_NAMES:
        op = None
    if op is None:  # e.g. "node 'n0' (op Foo, ...): unsupported op": take the first `op X`
        op = first_op(message)
    if op is None:
        return "?"
    domain = _DOMAIN_RE.search(message)
    if domain and domain.group(1) not in ("", "ai.onnx") and "." not in op and ":" not in op:
        op = f"{domain.group(1)}.{op}"
    return op


def first_op(message: str) -> str | None:
    """The X of the first `op X` / `op 'X'` in a message that is not inside a quoted name."""
    quoted = [m.span() for m in _QUOTED_RE.finditer(message)]
    for m in _OP_RE.finditer(message):
        if not any(start < m.start() < end for start, end in quoted):
            return next(g for g in m.groups() if g)
    return None


def normalise(message: str, model: str) -> str:
    """A stable grouping key: strip the model path, quoted names, other paths and numbers."""
    key = message.replace(model, "<model>")
    key = _QUOTED_RE.sub("'…'", key)
    key = _PATH_RE.sub("<path>", key)
    key = _NUMBER_RE.sub("N", key)
    key = " ".join(key.split())
    return key if len(key) <= MAX_KEY_LEN else key[: MAX_KEY_LEN - 1] + "…"


def failure_reasons(stderr: str, model: str) -> list[str]:
    """Reason keys for a failed import: one per distinct unsupported op, else the first error."""
    messages = error_lines(stderr)
    ops = []
    for message in messages:
        op = unsupported_op(message)
        if op is not None and f"unsupported op: {op}" not in ops:
            ops.append(f"unsupported op: {op}")
    if ops:
        return ops
    if messages:
        return [normalise(messages[0], model)]
    # Something on stderr, but not in the `error: ...` form: use its first non-blank line.
    first = next((line for line in stderr.splitlines() if line.strip()), "")
    return [normalise(first, model) if first else NO_DIAGNOSTIC]


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""


def classify(test: Test, returncode: int | None, stderr: str, seconds: float,
             timeout: float) -> Result:
    result = Result(test, "passed", returncode, seconds, stderr[-MAX_STDERR_KEPT:])
    if returncode is None:
        result.status = "hang"
        result.detail = f"timed out after {timeout:g}s"
    elif returncode == 0:
        pass
    elif returncode == 1:
        result.status = "failed"
        result.reasons = failure_reasons(stderr, test.model) if stderr.strip() else [NO_DIAGNOSTIC]
    else:
        result.status = "crash"
        if returncode < 0:
            result.detail = f"killed by {signal_name(-returncode)}"
        elif returncode > 128 and returncode - 128 < signal.NSIG:
            # A shell or wrapper reports a signalled child as 128+N.
            result.detail = f"exit code {returncode} ({signal_name(returncode - 128)}?)"
        else:
            result.detail = f"exit code {returncode}"
        if tail := last_line(stderr):
            result.detail += f": {tail}"
    return result


# --------------------------------------------------------------------------------------------
# Running the compiler


class Runner:
    """Runs the compiler on one model at a time (thread-safe); can kill everything on Ctrl-C."""

    def __init__(self, compiler: str, timeout: float):
        self.compiler = compiler
        self.timeout = timeout
        self._live: set[subprocess.Popen] = set()
        self._lock = threading.Lock()
        self._stopping = False

    def run(self, test: Test) -> Result:
        cmd = [self.compiler, test.model, "--emit=graph", "-o", os.devnull]
        start = time.monotonic()
        with self._lock:
            if self._stopping:
                raise KeyboardInterrupt
            # Own session, so that a timeout kills the whole process group (a wrapper script's
            # children included) and a Ctrl-C at the terminal reaches only this script.
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, start_new_session=True)
            self._live.add(proc)
        try:
            try:
                _, err = proc.communicate(timeout=self.timeout)
                returncode = proc.returncode
            except subprocess.TimeoutExpired:
                self._kill(proc)
                _, err = proc.communicate()
                returncode = None
        finally:
            with self._lock:
                self._live.discard(proc)
        stderr = err.decode("utf-8", errors="replace")
        return classify(test, returncode, stderr, time.monotonic() - start, self.timeout)

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
                print(f"{result.status.upper():6} {result.test.id}"
                      + (f": {'; '.join(result.reasons)}" if result.reasons else "")
                      + (f": {result.detail}" if result.detail else ""), file=sys.stderr)
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
# Finding tests


def find_compiler(path: str) -> str:
    resolved = path if os.sep in path else shutil.which(path)
    if not resolved or not os.path.exists(resolved):
        raise UsageError(f"compiler not found: {path} (build it first, e.g. `cmake --build build`)")
    if os.path.isdir(resolved) or not os.access(resolved, os.X_OK):
        raise UsageError(f"compiler is not an executable file: {resolved}")
    return os.path.abspath(resolved)


def find_tests(data: str, kinds: list[str], pattern: re.Pattern | None) -> list[Test]:
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
            model = os.path.join(kind_dir, name, "model.onnx")
            test = Test(kind, name, model)
            if os.path.isfile(model) and (pattern is None or pattern.search(test.id)):
                tests.append(test)
    if not tests:
        if pattern is not None:
            raise UsageError(f"no test in {data} matches --filter {pattern.pattern!r}")
        raise UsageError(f"no test models (<kind>/<test>/model.onnx) found in {data}; {hint}")
    if missing:
        print(f"import_sweep: warning: {data} has no {', '.join(missing)} tests; {hint}",
              file=sys.stderr)
    return tests


# --------------------------------------------------------------------------------------------
# Summaries


@dataclasses.dataclass
class Summary:
    results: list[Result]
    kinds: list[str]
    seconds: float

    def __post_init__(self):
        self.by_kind: dict[str, collections.Counter[str]] = {
            k: collections.Counter() for k in self.kinds}
        self.reasons: dict[str, list[str]] = collections.defaultdict(list)  # key -> test ids
        for r in self.results:
            self.by_kind[r.test.kind][r.status] += 1
            for reason in r.reasons:
                self.reasons[reason].append(r.test.id)
        self.by_kind = {k: c for k, c in self.by_kind.items() if c}
        self.total = sum(self.by_kind.values(), collections.Counter())
        self.crashes = [r for r in self.results if r.status == "crash"]
        self.hangs = [r for r in self.results if r.status == "hang"]

    @property
    def passed(self) -> int:
        return self.total["passed"]

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed

    def sorted_reasons(self) -> list[tuple[str, list[str]]]:
        return sorted(self.reasons.items(), key=lambda kv: (-len(kv[1]), kv[0]))

    def pass_rate(self, kind: str) -> float | None:
        counts = self.by_kind.get(kind)
        return counts["passed"] / sum(counts.values()) if counts else None


def percent(counts: collections.Counter[str]) -> str:
    total = sum(counts.values())
    return f"{100.0 * counts['passed'] / total:.1f}%" if total else "-"


def examples(ids: list[str], fmt: str = "{}") -> str:
    shown = ", ".join(fmt.format(i) for i in ids[:EXAMPLES_PER_REASON])
    more = len(ids) - EXAMPLES_PER_REASON
    return shown + (f", +{more} more" if more > 0 else "")


def kind_rows(summary: Summary) -> list[list[str]]:
    rows = []
    for label, counts in [*summary.by_kind.items(), ("total", summary.total)]:
        rows.append([label, str(sum(counts.values()))] + [str(counts[s]) for s in STATUSES]
                    + [percent(counts)])
    return rows


KIND_HEADER = ["kind", "tests", *STATUSES, "pass rate"]


def print_summary(summary: Summary, compiler: str, out=sys.stdout) -> None:
    def p(*items):
        print(*items, file=out)

    p(f"Anvil import sweep: {len(summary.results)} models, {compiler}, {summary.seconds:.1f}s")
    p()
    widths = [max(len(row[i]) for row in [KIND_HEADER, *kind_rows(summary)])
              for i in range(len(KIND_HEADER))]
    for row in [KIND_HEADER, *kind_rows(summary)]:
        p("  " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                           for i, (c, w) in enumerate(zip(row, widths))))
    reasons = summary.sorted_reasons()
    if reasons:
        n_failed = summary.total["failed"]
        p()
        p(f"Top failure reasons ({len(reasons)} distinct over {n_failed} failed tests;"
          " a test with several unsupported ops counts under each):")
        width = len(str(len(reasons[0][1])))
        for key, ids in reasons[:TOP_REASONS]:
            p(f"  {len(ids):{width}}  {key}")
            p(f"  {'':{width}}    e.g. {examples(ids)}")
        if len(reasons) > TOP_REASONS:
            p(f"  ... and {len(reasons) - TOP_REASONS} more reasons (see --report / --json)")
    for title, items in (("Crashes", summary.crashes), ("Hangs", summary.hangs)):
        if items:
            p()
            p(f"{title} ({len(items)}):")
            for r in items:
                p(f"  {r.test.id}: {r.detail}")


def md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write_report(path: str, summary: Summary, compiler: str, data: str) -> None:
    lines = [
        "# Anvil import sweep",
        "",
        f"- compiler: `{compiler}`",
        f"- test data: `{os.path.abspath(data)}`",
        f"- {len(summary.results)} models in {summary.seconds:.1f}s:"
        f" **{summary.passed} passed, {summary.failed} failed**"
        f" ({len(summary.crashes)} crashes, {len(summary.hangs)} hangs)",
        "",
        "## Results by kind",
        "",
        "| " + " | ".join(KIND_HEADER) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(KIND_HEADER) - 1)) + "|",
    ]
    for row in kind_rows(summary):
        if row[0] == "total":
            row = [f"**{c}**" for c in row]
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "## Failure reasons", ""]
    reasons = summary.sorted_reasons()
    if reasons:
        lines += ["A test with several unsupported ops is counted under each of them.", "",
                  "| count | reason | examples |", "|---:|---|---|"]
        for key, ids in reasons:
            code = md_cell(key).replace("`", "'")
            lines.append(f"| {len(ids)} | `{code}` | {examples(ids, '`{}`')} |")
    else:
        lines.append("None.")
    for title, items in (("Crashes", summary.crashes), ("Hangs", summary.hangs)):
        lines += ["", f"## {title} ({len(items)})", ""]
        lines += [f"- `{r.test.id}`: {md_cell(r.detail)}" for r in items] or ["None."]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def write_json(path: str, summary: Summary, compiler: str, data: str) -> None:
    doc = {
        "compiler": compiler,
        "data": os.path.abspath(data),
        "seconds": round(summary.seconds, 3),
        "passed": summary.passed,
        "failed": summary.failed,
        "kinds": {k: {s: c[s] for s in STATUSES} for k, c in summary.by_kind.items()},
        "reasons": {k: ids for k, ids in summary.sorted_reasons()},
        "results": [
            {
                "kind": r.test.kind,
                "test": r.test.name,
                "model": r.test.model,
                "status": r.status,
                "returncode": r.returncode,
                "seconds": round(r.seconds, 3),
                "reasons": r.reasons,
                "detail": r.detail,
                "stderr": r.stderr,
            }
            for r in summary.results
        ],
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


# --------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--compiler", required=True, help="path to anvil-compile")
    ap.add_argument("--data", required=True, help="ONNX backend test data directory")
    ap.add_argument("--kinds", default=",".join(DEFAULT_KINDS),
                    help="comma-separated test kinds (default: %(default)s)")
    ap.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                    help="parallel compiler runs (default: %(default)s)")
    ap.add_argument("--timeout", type=float, default=20.0,
                    help="seconds before a run counts as a hang (default: %(default)s)")
    ap.add_argument("--filter", help="only tests whose KIND/NAME matches this regex (re.search)")
    ap.add_argument("--report", metavar="FILE.md", help="write a markdown summary")
    ap.add_argument("--json", metavar="FILE", help="write per-test results as JSON")
    ap.add_argument("--min-pass-rate", type=float, metavar="R",
                    help="fail unless at least this fraction (0..1) of the node tests pass")
    ap.add_argument("--verbose", "-v", action="store_true",
                    help="print every test's outcome to stderr")
    args = ap.parse_args(argv)
    if args.min_pass_rate is not None and not 0.0 <= args.min_pass_rate <= 1.0:
        ap.error("--min-pass-rate is a fraction between 0 and 1")
    return check_run_args(ap, args)


def check_run_args(ap: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.Namespace:
    """Checks --jobs/--timeout and parses --kinds/--filter (shared with conformance.py)."""
    if args.jobs < 1:
        ap.error("--jobs must be at least 1")
    if args.timeout <= 0:
        ap.error("--timeout must be positive")
    args.kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    if not args.kinds:
        ap.error("--kinds is empty")
    try:
        args.filter = re.compile(args.filter) if args.filter else None
    except re.error as e:
        ap.error(f"bad --filter regex: {e}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        compiler = find_compiler(args.compiler)
        tests = find_tests(args.data, args.kinds, args.filter)
    except UsageError as e:
        print(f"import_sweep: error: {e}", file=sys.stderr)
        return 2

    # Treat SIGTERM (e.g. a cancelled CI job) like Ctrl-C, so the compiler runs get killed too.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    print(f"running {compiler} on {len(tests)} models with {args.jobs} jobs...", file=sys.stderr)
    start = time.monotonic()
    try:
        results = run_all(tests, Runner(compiler, args.timeout), args.jobs, args.verbose)
    except KeyboardInterrupt:
        print("import_sweep: interrupted", file=sys.stderr)
        return 130
    summary = Summary(results, args.kinds, time.monotonic() - start)

    for path, write in ((args.report, write_report), (args.json, write_json)):
        if path:
            try:
                write(path, summary, compiler, args.data)
            except OSError as e:
                print(f"import_sweep: error: cannot write {path}: {e}", file=sys.stderr)
                return 2

    status = 1 if summary.crashes or summary.hangs else 0
    print_summary(summary, compiler)
    if args.min_pass_rate is not None:
        rate = summary.pass_rate("node")
        print()
        if rate is None:
            print(f"--min-pass-rate {args.min_pass_rate:g}: FAILED, no node tests were run")
            status = 1
        elif rate < args.min_pass_rate:
            print(f"--min-pass-rate {args.min_pass_rate:g}: FAILED, node pass rate is {rate:.4f}")
            status = 1
        else:
            print(f"--min-pass-rate {args.min_pass_rate:g}: ok, node pass rate is {rate:.4f}")
    print()
    print(f"{summary.passed} passed, {summary.failed} failed")
    return status


if __name__ == "__main__":
    sys.exit(main())
