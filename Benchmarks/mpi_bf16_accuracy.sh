#!/usr/bin/env bash
# The accuracy cost of a bfloat16 all-reduce (and of gradient accumulation): 2-rank
# `strata-mpi demo` jobs (shared memory: the link does not change the numbers) for the same
# epochs without early stopping, the article's MLP (EPOCHS, default 10) and the demo CNN
# (CNN_EPOCHS, default 3), float32 vs bfloat16 on the wire, seed 42. Prints each job's test accuracy.
#
#     bash Benchmarks/mpi_bf16_accuracy.sh
set -euo pipefail
cd "$(dirname "$0")/.."
(cd Distributed && swift build -c release --product strata-mpi >/dev/null)
bin=Distributed/.build/release/strata-mpi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "# CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores"
run() {   # model epochs wire [extra…]
  local model=$1 epochs=$2 wire=$3; shift 3
  local accuracy
  accuracy=$(mpirun --allow-run-as-root --oversubscribe -np 2 -x STRATA_NUM_THREADS=1 "$bin" demo --model "$model" \
    --epochs "$epochs" --patience 100 --lr-patience 0 --all-reduce "$wire" --output "$out/run" "$@" \
    | sed -n 's/^Test accuracy: \([0-9.]*\) %.*/\1/p')
  echo "$model, $epochs epochs, all-reduce $wire${*:+, $*}: test accuracy $accuracy %"
}
for wire in float32 bfloat16; do run mlp "${EPOCHS:-10}" "$wire"; done
for wire in float32 bfloat16; do run mlp "${EPOCHS:-10}" "$wire" --gradient-accumulation-steps 4; done
for wire in float32 bfloat16; do run cnn "${CNN_EPOCHS:-3}" "$wire"; done
