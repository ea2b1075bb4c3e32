"""Checks an anvil-tune report directory: report.json parses and is consistent (each tuned
kernel has a best config among its ok trials, a positive speed-up, trial 0 is the default),
and convergence.svg is an SVG with one curve per tuned kernel. Prints one summary line.

    check_report.py DIR TUNED_KERNELS
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
        trials += len(k["trials"])
    svg = ET.parse(f"{path}/convergence.svg").getroot()
    curves = svg.findall("{http://www.w3.org/2000/svg}polyline")
    if len(curves) != want:
        sys.exit(f"{len(curves)} curves, expected {want}")
    print(f"report ok: {len(tuned)} kernels tuned, {trials} trials, {len(curves)} curves")


if __name__ == "__main__":
    main()
