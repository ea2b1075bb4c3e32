#!/usr/bin/env bash
# `make demo`: imports the bundled example models into Anvil's graph dialect and shows what
# came out. (Running the compiled model arrives with the CPU code generator.)
set -euo pipefail
BUILD=${1:-build}
MODELS=${2:-$BUILD/models}
COMPILE="$BUILD/bin/anvil-compile"
OUT="$BUILD/demo"
mkdir -p "$OUT"

echo "Anvil demo: importing ONNX models with a symbolic batch dimension"
echo
printf '%-26s %8s %8s %10s   %s\n' model nodes ops "import ms" "inputs -> outputs"
for model in "$MODELS"/*.onnx; do
  name=$(basename "$model" .onnx)
  start=$(date +%s%N)
  "$COMPILE" "$model" --emit=graph -o "$OUT/$name.mlir"
  ms=$((($(date +%s%N) - start) / 1000000))
  nodes=$(.venv/bin/python -c "import onnx,sys; print(len(onnx.load(sys.argv[1], load_external_data=False).graph.node))" "$model")
  ops=$(grep -c ' = anvil\.' "$OUT/$name.mlir" || true)
  sig=$(grep -m1 'func.func @main' "$OUT/$name.mlir" | sed -E 's/.*@main\((.*)\) -> (.*) \{/\1 -> \2/; s/ \{anvil.name = "([^"]*)"\}/ (\1)/g; s/%arg[0-9]+: //g')
  printf '%-26s %8s %8s %10s   %s\n' "$name" "$nodes" "$ops" "$ms" "$sig"
done
echo
echo "The ResNet-style model in the anvil dialect (first ops; weights are dense_resource blobs):"
grep -m 6 -E 'anvil\.(conv|batch_norm|relu|max_pool|add) ' "$OUT/resnet_mini.mlir" | cut -c1-150
echo
echo "Full IR in $OUT/. Try: $COMPILE $MODELS/transformer_encoder.onnx --input-shape input_ids=4x16"
