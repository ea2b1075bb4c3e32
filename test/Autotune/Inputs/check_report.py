"""Checks an anvil-tune report directory: report.json parses and is consistent (each tuned
kernel has a best config among its ok trials, a positive speed-up, trial 0 is the default),
and convergence.svg is an SVG with one curve per tuned kernel; when the model check ran,
each checked kernel's kept config is the one it chose (the default or a candidate that
beat the default alone), chosen only with an in-model ratio interval below 1, and all
back to the default when the kept configs' model was not faster. With a --list-kernels
document of the model compiled with the database, every kernel compiles with its kept
config. Prints one summary line.

    check_report.py DIR TUNED_KERNELS [KERNELS.json]
"""
import json
import sys
import xml.etree.ElementTree as ET


def main():
    path, want = sys.argv[1], int(sys.argv[2])
    doc = json.load(open(f"{path}/report.json"))
    tuned = [k for k in doc["kernels"] if "skipped" not in k]
    if len(tuned) != want:
        sys.exit(f"{len(tuned)} kernels tuned, expected {want}")
    trials = 0
    for k in tuned:
        ok = {t["config"] for t in k["trials"] if t["status"] == "ok"}
        if k["bestConfig"] not in ok:
            sys.exit(f"{k['symbol']}: best config is not an ok trial")
        contended = {t["config"] for t in k["trials"] if t["message"].startswith("contended")}
        if k["bestConfig"] in contended:
            sys.exit(f"{k['symbol']}: best config is a contended trial")
        if k["trials"][0]["config"] != k["defaultConfig"]:
            sys.exit(f"{k['symbol']}: trial 0 is not the default config")
        if not k["speedup"] > 0 or not k["bestNs"] > 0:
            sys.exit(f"{k['symbol']}: no speed-up or time")
        if abs(k["speedup"] - k["defaultNs"] / k["bestNs"]) > 1e-3 * k["speedup"]:
            sys.exit(f"{k['symbol']}: speed-up is not the default's time over the best's")
        # The default is a contender of the final pick at its own time: for latency the
        # winner is never slower.
        if doc["objective"] == "latency" and k["bestNs"] > k["defaultNs"]:
            sys.exit(f"{k['symbol']}: the best is slower than the default")
        for t in k["trials"]:
            if t["status"] == "ok" and not 0 < t["ciLowNs"] <= t["medianNs"] <= t["ciHighNs"]:
                sys.exit(f"{k['symbol']}: trial {t['config']}: median outside its interval")
        # A trial that measured faster than every one before it was measured again and
        # keeps the second time; so every trial of this run that improves on the best
        # so far says so.
        best = None
        for t in k["trials"]:
            compared = t["status"] == "ok" and not t["message"].startswith("contended")
            if not compared:
                continue
            if (best is not None and t["medianNs"] < best and not t["earlierRun"]
                    and not t["message"].startswith("new best, ")):
                sys.exit(f"{k['symbol']}: trial {t['config']} improved the best without "
                         "being measured again")
            best = t["medianNs"] if best is None else min(best, t["medianNs"])
        # Cold weights: every run flushed all of the kernel's weights; warm: none.
        flushed = k["weightsBytes"] if doc["coldWeights"] else 0
        if k["flushedBytesPerRun"] != flushed:
            sys.exit(f"{k['symbol']}: {k['flushedBytesPerRun']} bytes flushed per run, "
                     f"expected {flushed}")
        trials += len(k["trials"])
    check = doc["modelCheck"]
    checked = [k for k in tuned if "modelCheck" in k]
    if check["ran"]:
        if not checked:
            sys.exit("the model check ran over no kernel")
        if not 0 <= check["droppedPasses"] or check["passes"] < 1:
            sys.exit("the model check kept no pass")
        for k in checked:
            mc = k["modelCheck"]
            chosen, cands = mc["chosen"], mc["candidates"]
            if not 0 <= chosen <= len(cands) or not cands:
                sys.exit(f"{k['symbol']}: chosen {chosen} of {len(cands)} candidates")
            kept = k["defaultConfig"] if chosen == 0 else cands[chosen - 1]["config"]
            if k["bestConfig"] != kept:
                sys.exit(f"{k['symbol']}: the best config is not the one the check kept")
            for c in cands:
                if not c["aloneSpeedup"] > 1:
                    sys.exit(f"{k['symbol']}: a candidate that did not beat the default alone")
                if not c["inModelRatioLow"] <= c["inModelRatio"] <= c["inModelRatioHigh"]:
                    sys.exit(f"{k['symbol']}: in-model ratio outside its interval")
            if chosen and not cands[chosen - 1]["inModelRatioHigh"] < 1:
                sys.exit(f"{k['symbol']}: kept a candidate not faster in the model")
            if check["allReverted"] and chosen:
                sys.exit(f"{k['symbol']}: kept although every kernel went back")
        kept_any = check["kept"] + check["switched"] > 0
        if check["allReverted"] and (kept_any or check["ratio"] < 1):
            sys.exit("every kernel went back although the kept configs were faster")
        if kept_any and check["ratio"] >= 1:
            sys.exit("configs kept although their model was not faster")
        if check["kept"] + check["switched"] + check["reverted"] != len(checked):
            sys.exit("the check's counts do not add up to its kernels")
    elif checked:
        sys.exit("kernels with a model check, but the check did not run")
    if len(sys.argv) > 3:
        listed = {k["symbol"]: k for k in json.load(open(sys.argv[3]))["kernels"]}
        for k in tuned:
            if listed[k["symbol"]]["config"] != k["bestConfig"]:
                sys.exit(f"{k['symbol']}: compiles with another config than the report's best")
    svg = ET.parse(f"{path}/convergence.svg").getroot()
    curves = svg.findall("{http://www.w3.org/2000/svg}polyline")
    if len(curves) != want:
        sys.exit(f"{len(curves)} curves, expected {want}")
    print(f"report ok: {len(tuned)} kernels tuned, {trials} trials, {len(curves)} curves, "
          f"model check {'ran' if check['ran'] else 'not run'}")


if __name__ == "__main__":
    main()
