#!/bin/sh
# Trains the embedded NeuroLM end to end from ../../../../shared/data with the configs of this folder:
# tokenizer, pre-training, instruction tuning on EEGMAT Workload, temperature calibration on held-out training
# subjects, int8 storage, validation metrics of that file. Runs land in ./runs; the result is
# runs/neurolm.safetensors and runs/tokenizer.safetensors (what resources/model/ holds; the tokenizer file gives
# the token lane its codes, the NeuroLM file carries its own copy of the encoder). Deterministic: the same machine
# and thread counts give the same weights (stage 3 runs on one thread for that reason).
# Usage: models/recipes/embedded/run.sh [path/to/neurolm]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
neurolm=${1:-$here/../../../build/bin/neurolm}
cd "$here"
mkdir -p runs
start=$(date +%s)
stage() {
  echo "== $1 (at $(($(date +%s) - start)) s)"
  "$neurolm" train "$1.json" --json > "runs/$1.log" 2>&1 || { tail -5 "runs/$1.log"; exit 1; }
  grep '"metrics"' "runs/$1.log" | tail -1 || true
}
stage 1-tokenizer
stage 2-pretrain
stage 3-instruct
stage 4-calibrate
echo "== int8 storage (at $(($(date +%s) - start)) s)"
"$neurolm" convert runs/4-calibrate/model.safetensors --precision int8 --out runs/neurolm.safetensors
"$neurolm" convert runs/1-tokenizer/model.safetensors --precision int8 --out runs/tokenizer.safetensors
stage 5-eval
echo "== done in $(($(date +%s) - start)) s: $here/runs/neurolm.safetensors"
