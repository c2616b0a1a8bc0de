#!/bin/sh
# Trains the embedded NeuroLM end to end from ../../../../shared/data with the configs of this folder:
# tokenizer, pre-training, instruction tuning on EEGMAT Workload, then on Workload and the EEGMMIDB fist tasks
# together at a lower learning rate, temperature calibration of each task on held-out training subjects (the
# Workload one cross-fitted with a second model that holds out other subjects), int8
# storage, validation metrics of that file per task. Runs land in ./runs; the result is
# runs/neurolm.safetensors and runs/tokenizer.safetensors (what resources/model/ holds; the tokenizer file gives
# the token lane its codes, the NeuroLM file carries its own copy of the encoder). Deterministic: the kernels and
# thread counts are fixed below (stages 3 and 3b run on one thread), so any x86-64 CPU with AVX2 should give the
# same weights; without the fixed kernels two machines gave different weights (EXPERIMENTS.md, session 7).
# Usage: models/recipes/embedded/run.sh [path/to/neurolm]
set -eu
# The same kernels on every x86-64 CPU with AVX2, and fixed thread counts, so that another machine computes the
# same floating-point operations in the same order (without this, OpenBLAS and LibTorch pick kernels by CPU:
# AVX-512 on one machine, AVX2 on another, and the weights differ from the first step on).
export OPENBLAS_CORETYPE=Haswell ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 DNNL_MAX_CPU_ISA=AVX2
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=2
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
# Stages 3-3b twice, side by side on one thread each: the shipped model (Workload subjects 00-21, 22-25 held
# out) and fold B (18-21 held out), which only scores its held-out subjects so that stage 4 fits the Workload
# temperature on eight held-out subjects instead of four (cross-fitting).
( stage 3-instruct && stage 3b-multitask ) &
shipped=$!
( stage 3-instruct-fold-b && stage 3b-multitask-fold-b && stage 4-score-fold-b ) &
foldb=$!
wait $shipped || { wait $foldb || true; exit 1; }
wait $foldb || exit 1
stage 4-calibrate
stage 4b-calibrate-rest-movement
stage 4c-calibrate-left-right
echo "== int8 storage (at $(($(date +%s) - start)) s)"
"$neurolm" convert runs/4c-calibrate-left-right/model.safetensors --precision int8 --out runs/neurolm.safetensors
"$neurolm" convert runs/1-tokenizer/model.safetensors --precision int8 --out runs/tokenizer.safetensors
stage 5-eval
stage 5b-eval-rest-movement
stage 5c-eval-left-right
echo "== done in $(($(date +%s) - start)) s: $here/runs/neurolm.safetensors"
