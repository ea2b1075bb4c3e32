#!/usr/bin/env bash
# Installs everything Anvil needs on Debian 12 and makes the Python venv (.venv) used by
# tests and benchmarks. Idempotent: a second run installs nothing and takes about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBS=(
  cmake ninja-build ccache g++ git python3 python3-venv
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools   # LLVM/MLIR 22, lit, FileCheck, not
  libonnx-dev libprotobuf-dev protobuf-compiler             # ONNX protobuf, checker, text parser
  libgtest-dev                                              # unit tests
  libsqlite3-dev                                            # autotune/: tuning database
  libbenchmark-dev libopenblas-dev libdnnl-dev              # bench/: kernels and their peers
)
# Test/benchmark-only Python packages, pinned so the generated ONNX test data is stable.
PIP_PKGS=(numpy==2.4.6 onnx==1.23.2 onnxruntime==1.32.0)

missing=()
for pkg in "${DEBS[@]}"; do

  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
fi

VENV=.venv
stamp="$VENV/.anvil-requirements"
want="${PIP_PKGS[*]}"
if [[ ! -x "$VENV/bin/python" ]]; then
  echo "bootstrap: creating $VENV"
  python3 -m venv "$VENV"
fi
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "bootstrap: installing Python packages: $want"
  "$VENV/bin/pip" install -q --disable-pip-version-check "${PIP_PKGS[@]}"
  echo "$want" > "$stamp"
fi
