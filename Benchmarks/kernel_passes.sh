#!/usr/bin/env bash
# Single kernel passes timed on one core (Benchmarks/kernel_passes/passes.c): batch normalization
# and max pooling, built with clang -O2 against the kernels' C sources — of this checkout, and of
# REF too when given (a commit: its kernels are checked out into a temporary folder), alternating
# ROUNDS times so that before and after come from one run.
#
#   bash Benchmarks/kernel_passes.sh
#   REF=c584d17 ROUNDS=3 bash Benchmarks/kernel_passes.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build() {  # kernel source folder, binary
  clang -O2 -I"$1/include" -I"$1" Benchmarks/kernel_passes/passes.c "$1/batchnorm.c" "$1/conv.c" "$1/cpu.c" -o "$2" -lm
}
build Sources/CStrataKernels "$work/now"
if [ -n "${REF:-}" ]; then
  mkdir -p "$work/ref"
  git archive "$REF" Sources/CStrataKernels | tar -x -C "$work/ref"
  build "$work/ref/Sources/CStrataKernels" "$work/ref-passes"
fi
for round in $(seq "${ROUNDS:-1}"); do
  [ -n "${REF:-}" ] && { echo "$REF:"; "$work/ref-passes"; }
  echo "this checkout:"; "$work/now"
done
