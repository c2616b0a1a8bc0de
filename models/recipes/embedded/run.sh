#!/bin/sh
# Trains the embedded NeuroLM end to end (tokenizer, pre-training, multi-task instruction tuning, temperature
# calibration on held-out training subjects, validation metrics) from ../../../../shared/data with the configs
# of this folder; runs land in ./runs. Usage: models/recipes/embedded/run.sh [path/to/neurolm]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
neurolm=${1:-$here/../../../build/bin/neurolm}
cd "$here"
mkdir -p runs
start=$(date +%s)
for config in 1-tokenizer 2-pretrain 3-instruct 4a-calibrate-workload 4b-calibrate-rest-movement \
              4c-calibrate-left-right 5-eval-workload 5-eval-rest-movement 5-eval-left-right; do
  echo "== $config ($(($(date +%s) - start)) s)"
  "$neurolm" train "$config.json" --json > "runs/$config.log" 2>&1 || { tail -5 "runs/$config.log"; exit 1; }
  grep '"metrics"' "runs/$config.log" || true
done
echo "== done in $(($(date +%s) - start)) s; model: $here/runs/4c-calibrate-left-right/model.safetensors"
