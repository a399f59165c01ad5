#!/usr/bin/env bash
# The cost of augmentation and of streaming, side by side in one run (release build): the
# keras.io convnet on Fashion-MNIST with and without RandomTranslation → RandomRotation →
# RandomZoom, then the article's MLP from arrays in memory and from memory-mapped IDX files with
# 0 and 1 workers reading ahead — alternating, ROUNDS times. Prints each RESULT line.
#   Benchmarks/augmentation.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}
swift build -c release --product strata >/dev/null
strata=.build/release/strata
for round in $(seq "$rounds"); do
    echo "# round $round"
    $strata bench train --model convnet --epochs 3 | grep RESULT
    $strata bench train --model convnet --epochs 3 --augment | grep RESULT
    for variant in "" "--stream 0" "--stream 1"; do
        # shellcheck disable=SC2086
        $strata bench train --model mlp --epochs 4 $variant | grep RESULT
    done
done
