#!/usr/bin/env bash
# `make check-sanitizers`: builds the runtime, anvil-run, embed and anvil-runtime-test -- not
# the MLIR compiler: runtime/CMakeLists.txt is configured as a project of its own -- under
# ASan+UBSan (build-asan/) and TSan (build-tsan/), with the test artifacts' kernels
# instrumented too, and runs the runtime lit tests (embed's 4 threads x 100 runs, the C API
# test, the plan fuzzer, every anvil-run error case) against each build. Sanitizer reports
# go to log files, so that a report from a command that is expected to fail (`not anvil-run`)
# is not lost: any log file fails the check.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
LIT=${LIT:-/usr/lib/llvm-22/bin/lit}
JOBS=${JOBS:-2}
export CCACHE_BASEDIR=$ROOT

check() { # NAME FLAGS
  local dir=$ROOT/build-$1 flags="$2 -g -fno-omit-frame-pointer"
  echo "== $1: $flags"
  mkdir -p "$dir"
  echo '*' > "$dir/.gitignore" # a build directory, never to be committed
  cmake -G Ninja -S runtime -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS="$flags" -DANVIL_ARTIFACT_CFLAGS="$flags" > "$dir/configure.log" 2>&1 ||
    { cat "$dir/configure.log"; return 1; }
  cmake --build "$dir" -j "$JOBS" > "$dir/build.log" 2>&1 || { cat "$dir/build.log"; return 1; }
  local logs=$dir/sanitizer-logs
  rm -rf "$logs" && mkdir -p "$logs"
  ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1:halt_on_error=1" \
  UBSAN_OPTIONS="log_path=$logs/ubsan:print_stacktrace=1:halt_on_error=1" \
  TSAN_OPTIONS="log_path=$logs/tsan:halt_on_error=1:second_deadlock_stack=1" \
    "$LIT" -sv -j "$JOBS" "$dir/test" --filter 'Runtime/' || return 1
  # Compiled models too (the kernels are not instrumented; the runtime around them is):
  # embed shares each artifact between 4 threads x 100 runs.
  if [ -x "$ROOT/build/bin/anvil-compile" ] && [ -d "$ROOT/build/models" ]; then
    for model in mlp_softmax resnet_mini mobilenetv2_mini transformer_encoder; do
      "$ROOT/build/bin/anvil-compile" "$ROOT/build/models/$model.onnx" -o "$dir/$model.so"
      ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1:halt_on_error=1" \
      UBSAN_OPTIONS="log_path=$logs/ubsan:print_stacktrace=1:halt_on_error=1" \
      TSAN_OPTIONS="log_path=$logs/tsan:halt_on_error=1:second_deadlock_stack=1" \
        "$dir/bin/embed" "$dir/$model.so" 4 100 || return 1
    done
  else
    echo "(build/bin/anvil-compile or build/models missing: compiled models not checked)"
  fi
  if [ -n "$(ls -A "$logs")" ]; then
    echo "sanitizer reports in $logs:"
    cat "$logs"/*
    return 1
  fi
  echo "== $1: no sanitizer reports"
}

check asan "-fsanitize=address,undefined -fno-sanitize-recover=all"
check tsan "-fsanitize=thread"
