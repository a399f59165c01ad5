#!/usr/bin/env bash
# Data-parallel scaling of the article's model on Fashion-MNIST (strata-mpi demo, 3 epochs,
# no early stop): 1 rank and 2 ranks with one thread each (per-rank batch 32), and for reference
# one process with 2 threads on the 2-rank job's global batch (64), and the 2-rank job with a
# first bucket of 1 MiB (the last layers' gradients, all-reduced with MPI_Iallreduce during the
# backward pass) against the default one bucket after it. Rounds alternate so that
# machine noise hits every setting alike. Prints each run's step time, samples/s and the time
# in MPI_Allreduce. Processes are not pinned (--bind-to none: Open MPI would otherwise bind the
# 2-thread process to one core). Run from the repository root; builds strata-mpi in release mode first.
set -euo pipefail
ROUNDS=${ROUNDS:-3}
EPOCHS=${EPOCHS:-3}
(cd Distributed && swift build -c release --product strata-mpi >/dev/null)
bin=Distributed/.build/release/strata-mpi
out=$(mktemp -d)
run() {  # ranks threads batch label [strata-mpi options]
  mpirun --allow-run-as-root --oversubscribe --bind-to none -np "$1" -x STRATA_NUM_THREADS="$2" "$bin" demo --epochs "$EPOCHS" \
    --patience 100 --lr-patience 0 --batch-size "$3" --output "$out/$4" "${@:5}" 2>&1 \
    | grep -E '^strata-mpi: [0-9]+ steps' | sed "s/^strata-mpi:/$4:/"
}
for round in $(seq "$ROUNDS"); do
  echo "round $round"
  run 1 1 32 "1-rank-1-thread-b32"
  run 2 1 32 "2-ranks-1-thread-b32x2"
  run 1 2 64 "1-rank-2-threads-b64"
  run 2 1 32 "2-ranks-1-thread-b32x2-first-bucket-1MiB" --first-bucket-size 262144
done
rm -rf "$out"
