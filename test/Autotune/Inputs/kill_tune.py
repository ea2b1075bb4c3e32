#!/usr/bin/env python3
"""Kills anvil-tune with SIGKILL once it has reported --min-trials committed trials (its
progress lines on stderr are printed after each commit), then checks that the database
passes `anvil-tunedb DB check` and still holds every trial committed before the kill, and
that a rerun completes the budget without measuring any of them again. Prints one line
per step; exits non-zero on the first failure.

    kill_tune.py ANVIL_TUNE ANVIL_TUNEDB MODEL DB [--trials N] [--min-trials M]

No sleeps: the kill follows the tool's own output."""
import argparse
import re
import sqlite3
import subprocess
import sys
import threading

WATCHDOG_SECONDS = 120


def fail(message):
    sys.exit(f"kill_tune: {message}")


def trials(db):
    """(kernel key id, config, status) of every trial, read with Python's sqlite3."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return set(con.execute("SELECT kernel_id, config, status FROM trials"))
    finally:
        con.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("tune")
    ap.add_argument("tunedb")
    ap.add_argument("model")
    ap.add_argument("db")
    ap.add_argument("--trials", type=int, default=6)
    ap.add_argument("--min-trials", type=int, default=3)
    args = ap.parse_args()
    command = [args.tune, args.model, "--db", args.db, "--trials", str(args.trials),
               "--threads", "1"]

    tune = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(WATCHDOG_SECONDS, tune.kill)
    watchdog.start()
    reported = 0
    for line in tune.stderr:
        # "kernel 1/2 kernel_0: trial 3/6, ... (ok 41.0 us)": one per committed trial
        # (the final "(best ...)" line of a kernel commits no trial).
        if re.match(r"kernel \d+/\d+ \S+: trial \d+/\d+", line) and "(best " not in line:
            reported += 1
            if reported >= args.min_trials:
                break
    tune.kill()
    tune.wait()
    watchdog.cancel()
    if reported < args.min_trials:
        fail(f"anvil-tune reported {reported} trials before it stopped "
             f"(exit status {tune.returncode})")
    check = subprocess.run([args.tunedb, args.db, "check"], capture_output=True, text=True)
    if check.returncode != 0:
        fail(f"check failed after the kill:\n{check.stdout}{check.stderr}")
    killed = trials(args.db)
    # The tuner may have committed one more trial than it could report.
    if not reported <= len(killed) <= reported + 1:
        fail(f"{reported} trials reported committed, {len(killed)} in the database")
    print(f"kill: check ok, {reported} reported trials all in the database")

    rerun = subprocess.run(command, capture_output=True, text=True,
                           timeout=WATCHDOG_SECONDS)
    if rerun.returncode != 0:
        fail(f"the rerun failed:\n{rerun.stderr}")
    check = subprocess.run([args.tunedb, args.db, "check"], capture_output=True, text=True)
    if check.returncode != 0:
        fail(f"check failed after the rerun:\n{check.stdout}{check.stderr}")
    final = trials(args.db)
    if not killed <= final:
        fail(f"trials committed before the kill are gone: {sorted(killed - final)}")
    keys = {k for k, _, _ in final}
    per_key = {k: sum(1 for kk, _, _ in final if kk == k) for k in keys}
    if any(n != args.trials for n in per_key.values()):
        fail(f"the rerun did not complete the budget: {per_key}")
    new = int(sum(int(n) for n in re.findall(r"\((\d+) new\)", rerun.stderr)))
    if new != len(final) - len(killed):
        fail(f"the rerun reported {new} new trials, but added {len(final) - len(killed)}")
    print(f"rerun: completed {len(keys)} kernels x {args.trials} trials, "
          f"measured only the {new} missing ones, check ok")


if __name__ == "__main__":
    main()
