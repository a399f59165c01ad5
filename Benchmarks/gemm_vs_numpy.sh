#!/usr/bin/env bash
# Strata's GEMM next to NumPy's float32 matmul (OpenBLAS) on the same shapes, in one run.
# The two alternate ROUNDS times and each keeps its best, because this machine is shared and noisy.
#
#   bash Benchmarks/gemm_vs_numpy.sh            # needs python3 with numpy (pip install numpy)
#   ROUNDS=5 THREADS=2 bash Benchmarks/gemm_vs_numpy.sh
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
threads=${THREADS:-$(nproc)}
python=${PYTHON:-python3}
"$python" -c 'import numpy' 2>/dev/null || { echo "numpy is missing: $python -m pip install numpy" >&2; exit 1; }
swift build -c release --product strata >/dev/null
bin=$(swift build -c release --show-bin-path)/strata
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export STRATA_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads
for round in $(seq "$rounds"); do
  "$bin" bench gemm --tsv --trials 5 >"$tmp/strata.$round"
  "$python" Benchmarks/numpy_gemm.py 5 >"$tmp/numpy.$round"
done
best() { cat "$tmp"/$1.* | sort -k1,1 -k2,2gr | awk '!seen[$1]++'; }
best strata >"$tmp/strata.best"
best numpy >"$tmp/numpy.best"
echo "GEMM GFLOP/s, $threads threads, best of $rounds alternating rounds ($("$bin" bench platform))"
printf '%-20s %10s %10s %8s\n' shape strata numpy ratio
cut -f1 "$tmp/strata.1" | while read -r name; do
  s=$(awk -F'\t' -v k="$name" '$1==k{print $2}' "$tmp/strata.best")
  n=$(awk -F'\t' -v k="$name" '$1==k{print $2}' "$tmp/numpy.best")
  awk -v name="$name" -v s="$s" -v n="$n" 'BEGIN{printf "%-20s %10.1f %10.1f %7.2fx\n", name, s, n, s/n}'
done
