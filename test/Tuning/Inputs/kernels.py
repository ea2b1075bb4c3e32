"""Reads the kernel list that `anvil-compile --list-kernels` writes.

    kernels.py summary KERNELS.json...
        one line per kernel: model, index, symbol, root op, ops, dispatches, and its hash
        as a letter (kernels with the same letter, in any of the files, have the same hash)
    kernels.py best KERNELS.json INDEX CONFIG [OBJECTIVE]
        a best record for kernel INDEX's key with CONFIG, in `anvil-tunedb dump`'s format
        (for `anvil-tunedb DB load`)
"""
import json
import string
import sys
from pathlib import Path


def main():
    command = sys.argv[1]
    if command == "summary":
        letters = {}
        for path in sys.argv[2:]:
            listing = json.load(open(path))
            model = Path(listing["model"]).stem
            for k in listing["kernels"]:
                h = k["key"]["kernelHash"]
                letter = letters.setdefault(h, string.ascii_lowercase[len(letters) % 26])
                print(f"{model} kernel {k['index']} {k['symbol']} {k['rootOp']} "
                      f"ops {k['ops']} dispatches {k['dispatches']} hash {letter}")
    elif command == "best":
        kernels = json.load(open(sys.argv[2]))["kernels"]
        index, config = int(sys.argv[3]), sys.argv[4]
        objective = sys.argv[5] if len(sys.argv) > 5 else "latency"
        key = kernels[index]["key"]
        print("\t".join([objective, key["kernelHash"], key["shapes"], key["target"],
                         key["fingerprint"], key["compilerVersion"],
                         "1000", "990", "1010", "4096", "8", "0", config]))
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
