#!/usr/bin/env python3
"""Runs the unit tests and the lit suite (what `make check` tests) and ends with one line,
`N passed, N failed`, counting both. Exit status 1 if anything failed."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", default="build")
    ap.add_argument("--lit", default="/usr/lib/llvm-22/bin/lit")
    args = ap.parse_args()
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        print("== unit tests", flush=True)
        report = os.path.join(tmp, "unit.json")
        unit = subprocess.run([os.path.join(args.build, "bin", "anvil-unittests"),
                               "--gtest_brief=1", f"--gtest_output=json:{report}"])
        if os.path.exists(report):
            with open(report) as f:
                doc = json.load(f)
            failed += doc.get("failures", 0)
            passed += doc.get("tests", 0) - doc.get("failures", 0)
        elif unit.returncode:
            failed += 1  # the binary itself did not run
        print("== lit tests", flush=True)
        xml = os.path.join(tmp, "lit.xml")
        lit = subprocess.run([args.lit, "-sv", f"--xunit-xml-output={xml}",
                              os.path.join(args.build, "test")])
        if os.path.exists(xml):
            for case in ET.parse(xml).getroot().iter("testcase"):
                if case.find("failure") is not None or case.find("error") is not None:
                    failed += 1
                elif case.find("skipped") is None:
                    passed += 1
        elif lit.returncode:
            failed += 1
        if (unit.returncode or lit.returncode) and failed == 0:
            failed = 1  # a runner failed without saying which test
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
