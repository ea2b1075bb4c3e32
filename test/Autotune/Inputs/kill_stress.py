#!/usr/bin/env python3
"""Kills `anvil-tunedb DB stress` with SIGKILL, several times, each time once it has
reported at least --min-commits commits, and checks after each kill that the database
passes `anvil-tunedb DB check` and holds every trial reported as committed. Then checks
that a last, uninterrupted run appends exactly its trials. Exits non-zero on the first
failure; prints one line per step otherwise.

No sleeps: the kill happens after reading the tool's output, so the test does not depend
on how fast the machine is."""
import argparse
import re
import subprocess
import sys
import threading

# A stress run that is never killed would take minutes; it is killed long before.
UNBOUNDED_TRIALS = "100000"
# Generous: a run reaches --min-commits in well under a second.
WATCHDOG_SECONDS = 60


def fail(message):
    sys.exit(f"kill_stress: {message}")


def run(tool, db, *args):
    result = subprocess.run([tool, db, *args], capture_output=True, text=True,
                            timeout=WATCHDOG_SECONDS)
    if result.returncode != 0:
        fail(f"'anvil-tunedb {' '.join(args)}' exited with {result.returncode}:\n"
             f"{result.stdout}{result.stderr}")
    return result.stdout


def trials_in(tool, db):
    match = re.search(r"^trials: (\d+)$", run(tool, db, "info"), re.MULTILINE)
    if not match:
        fail("'anvil-tunedb info' printed no trial count")
    return int(match.group(1))


def last_commit(lines):
    """The number of the last 'committed <i>' line, 0 if there is none."""
    last = 0
    for line in lines:
        match = re.fullmatch(r"committed (\d+)\n?", line)
        if not match:
            fail(f"unexpected output line {line!r}")
        last = int(match.group(1))
    return last


def kill_after_commits(tool, db, min_commits):
    """Starts a stress run, SIGKILLs it once it has reported min_commits commits, and
    returns the last commit number it reported before it died."""
    stress = subprocess.Popen([tool, db, "stress", "--trials", UNBOUNDED_TRIALS],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(WATCHDOG_SECONDS, stress.kill)
    watchdog.start()
    last = 0
    for line in stress.stdout:
        last = last_commit([line])
        if last >= min_commits:
            break
    stress.kill()  # SIGKILL: no destructor, no atexit, no flush
    stress.wait()
    watchdog.cancel()
    # It kept committing until the signal arrived: what it printed meanwhile is still
    # in the pipe.
    last = max(last, last_commit(stress.stdout.readlines()))
    if last < min_commits:
        fail(f"the stress run stopped after {last} commits "
             f"(exit status {stress.returncode}):\n{stress.stderr.read()}")
    return last


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("tool", help="the anvil-tunedb binary")
    ap.add_argument("db", help="the database (created if missing)")
    ap.add_argument("--min-commits", type=int, default=200)
    ap.add_argument("--kills", type=int, default=3)
    ap.add_argument("--final-trials", type=int, default=50)
    args = ap.parse_args()

    before = 0
    for kill in range(1, args.kills + 1):
        committed = kill_after_commits(args.tool, args.db, args.min_commits)
        run(args.tool, args.db, "check")
        after = trials_in(args.tool, args.db)
        # The run may have committed one more trial than it could report.
        if not before + committed <= after <= before + committed + 1:
            fail(f"kill {kill}: {before} trials before the run, {committed} reported "
                 f"committed, but {after} in the database")
        print(f"kill {kill}: check ok, no committed trial lost")
        before = after

    out = run(args.tool, args.db, "stress", "--trials", str(args.final_trials))
    if last_commit(out.splitlines()) != args.final_trials:
        fail(f"the final run did not report {args.final_trials} commits:\n{out}")
    run(args.tool, args.db, "check")
    after = trials_in(args.tool, args.db)
    if after != before + args.final_trials:
        fail(f"the final run appended {after - before} trials, not {args.final_trials}")
    print(f"final run: appended {args.final_trials} trials, check ok")


if __name__ == "__main__":
    main()
