# Anvil — top-level entry points. `make demo` and `make check` work on a fresh Debian 12
# machine: both install what is missing (scripts/bootstrap.sh), configure and build.
BUILD    ?= build
PY       := .venv/bin/python
JOBS     ?= $(shell nproc)
TESTDATA := $(BUILD)/onnx-testdata
MODELS   := $(BUILD)/models

.PHONY: all setup configure build check check-unit check-lit demo testdata models \
        import-sweep opset-sweep fuzz-import measure-import memory-report conformance docs \
        format clean

all: build

setup:
	@scripts/bootstrap.sh

$(BUILD)/build.ninja: | setup
	cmake -G Ninja -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

configure: setup $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# ONNX backend test data, materialized from the installed `onnx` package.
testdata: setup
	@$(PY) scripts/gen_onnx_testdata.py -o $(TESTDATA)

# The realistic models of test/models/ (CNNs, transformer encoder, MLP).
models: setup
	@$(PY) test/models/gen_models.py -o $(MODELS) > $(MODELS).log 2>&1 || \
	  { cat $(MODELS).log; exit 1; }

check: build models testdata
	@cmake --build $(BUILD) --target mlir-doc > /dev/null
	@cmp -s $(BUILD)/docs/Graph/AnvilDialect.md docs/dialects/anvil.md && \
	  cmp -s $(BUILD)/docs/Kernel/KernelDialect.md docs/dialects/anvil_kernel.md && \
	  cmp -s $(BUILD)/docs/AnvilPasses.md docs/passes.md || \
	  { echo "docs/dialects/*.md or docs/passes.md is stale: run 'make docs'"; exit 1; }
	@$(PY) scripts/run_tests.py --build $(BUILD)

demo: build models
	@$(PY) scripts/demo.py $(BUILD) $(MODELS)

# The runtime, anvil-run and embed under ASan+UBSan and TSan, without building the compiler
# (build-asan/, build-tsan/), then embed (4 threads x 100) on compiled models; fails on any
# sanitizer report. See test/Runtime/check-sanitizers.sh.
.PHONY: check-sanitizers
check-sanitizers: build models
	@test/Runtime/check-sanitizers.sh

# The benchmark suite (issue 5): the FMA peak, Anvil's GEMM and Conv kernels against OpenBLAS
# and oneDNN (bench/, Google Benchmark), and whole models against onnxruntime at batch 1 and 8
# on 1 and 2 threads (scripts/bench_models.py); rewrites docs/performance.md and
# docs/performance.svg (scripts/run_bench.py). Takes a while (BERT-base at batch 8 runs for
# seconds per inference); BENCH_ARGS=--quick is a smoke run. Not part of `make check`.
.PHONY: bench
bench: build models
	@$(PY) scripts/run_bench.py --build $(BUILD) $(BENCH_ARGS)

# Imports every model of the ONNX backend test data and summarises (see docs/import-sweep.md).
import-sweep: build testdata
	@$(PY) scripts/import_sweep.py --compiler $(BUILD)/bin/anvil-compile --data $(TESTDATA) \
	  --jobs $(JOBS) --report docs/import-sweep.md --json $(BUILD)/import-sweep.json $(SWEEP_ARGS)
	@$(PY) scripts/gen_op_coverage.py --compiler $(BUILD)/bin/anvil-compile \
	  --sweep-json $(BUILD)/import-sweep.json -o docs/op-coverage.md

# Compiles and runs every ONNX backend test against its expected outputs; writes
# docs/onnx-conformance.md (make check runs the subset of test/conformance/ci-subset.txt).
conformance: build testdata
	@$(PY) scripts/conformance.py --compiler $(BUILD)/bin/anvil-compile \
	  --runner $(BUILD)/bin/anvil-run --data $(TESTDATA) --jobs $(JOBS) \
	  --report docs/onnx-conformance.md --json $(BUILD)/conformance.json $(CONFORMANCE_ARGS)

# Imports single-op node tests converted down to each older opset where the op changed.
opset-sweep: build testdata
	@$(PY) scripts/opset_sweep.py --compiler $(BUILD)/bin/anvil-compile --data $(TESTDATA) \
	  --jobs $(JOBS)

# Mutation fuzzing of the importer (binary and text models): no crash, no hang.
fuzz-import: build testdata
	@$(PY) scripts/fuzz_import.py --compiler $(BUILD)/bin/anvil-compile --data $(TESTDATA) \
	  --jobs $(JOBS) $(FUZZ_ARGS)

# Import time and peak memory on a generated ResNet-50-sized model (~100 MB of weights).
measure-import: build
	@$(PY) scripts/measure_import.py --compiler $(BUILD)/bin/anvil-compile --dir $(BUILD)/models-large

# Arena vs its lower bound and peak RSS vs onnxruntime on every model of $(MODELS), plus a
# generated ResNet-50 and DenseNet-style model (in $(BUILD)/models-memory): a markdown table.
memory-report: build models
	@$(PY) scripts/memory_report.py --build $(BUILD)

# Regenerates docs/dialects/anvil.md and docs/passes.md from ODS (docs/op-coverage.md:
# make import-sweep).
docs: build
	cmake --build $(BUILD) --target anvil-docs

format:
	@git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
