#!/usr/bin/env bash
# Test accuracy of the demo alone (`strata demo`) and as a 2-rank job (`mpirun -np 2 strata-mpi
# demo`, per-rank batch 32, per-rank batch statistics) for each seed in SEEDS, then the mean of
# each and of the differences. Run from the repository root; builds both in release mode first.
set -euo pipefail
SEEDS=${SEEDS:-"42 1 2 3 4 5 6 7"}
swift build -c release --product strata >/dev/null
(cd Distributed && swift build -c release --product strata-mpi >/dev/null)
out=$(mktemp -d)
accuracy() { grep -E '^Test accuracy' | sed -E 's/^Test accuracy: ([0-9.]+) %.*/\1/'; }
results=()
for seed in $SEEDS; do
  alone=$(.build/release/strata demo --seed "$seed" --output "$out/alone" 2>&1 | accuracy)
  ranks=$(mpirun --allow-run-as-root --oversubscribe --bind-to none -np 2 -x STRATA_NUM_THREADS=1 \
    Distributed/.build/release/strata-mpi demo --seed "$seed" --output "$out/ranks" 2>&1 | accuracy)
  echo "seed $seed: alone $alone %, 2 ranks $ranks %"
  results+=("$alone $ranks")
done
printf '%s\n' "${results[@]}" | awk '{ a += $1; r += $2; d = $2 - $1; s += d; if (d < 0) d = -d; if (d > m) m = d; n++ }
  END { printf "mean: alone %.2f %%, 2 ranks %.2f %%, difference %+.2f points (largest single-seed difference %.2f)\n", a/n, r/n, (r-a)/n, m }'
rm -rf "$out"
