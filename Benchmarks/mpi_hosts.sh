#!/usr/bin/env bash
# Data-parallel scaling across a real link: the article's model (strata-mpi demo, 1.076 MB of
# gradients per all-reduce) on 1 rank alone vs 2 emulated hosts (Distributed/scripts: two
# network namespaces joined by a veth pair, one rank in each, Open MPI over TCP only), the link
# unshaped and shaped with tbf to 10 and 1 Gbit/s; batch 32 and 256 per rank; float32 and
# bfloat16 all-reduce; gradient accumulation 1 and 4. Efficiency = 1-rank ms/step ÷ 2-host
# ms/step at the same batch per rank and accumulation (weak scaling), from the medians of
# ROUNDS alternating rounds. Needs root (namespaces). Prints one CSV line per job, then the table.
#
#     bash Benchmarks/mpi_hosts.sh [ROUNDS]      (default 3; ≈ 3 min per round on 2 cores)
#
# MODEL=cnn (the demo's CNN), BATCHES, ACCUMULATIONS, LINKS (none, 10gbit, 1gbit, or "box": the
# 2 ranks on this machine over shared memory, no link) and WIRES narrow or change the grid, and
# MPI_OPTIONS adds mpirun options to the 2-host jobs:
#     MODEL=cnn BATCHES=128 ACCUMULATIONS=1 LINKS="box 10gbit" WIRES="float32 bfloat16" bash Benchmarks/mpi_hosts.sh 2
#     MPI_OPTIONS="--mca btl_tcp_progress_thread 1" BATCHES=256 ACCUMULATIONS=1 LINKS=10gbit WIRES=float32 bash Benchmarks/mpi_hosts.sh 2
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
(cd Distributed && swift build -c release --product strata-mpi >/dev/null)
bin=Distributed/.build/release/strata-mpi
hosts=Distributed/scripts/netns-hosts.sh
out=$(mktemp -d)
trap '"$hosts" down; rm -rf "$out"' EXIT
"$hosts" up
echo "# CPU: $(lscpu | sed -n "s/^Model name: *//p" | head -1), $(nproc) cores"

# One job: prints "ms/step,all-reduce ms/step of rank 0".
job() {
  local log="$out/job.log"
  "$@" --patience 100 --lr-patience 0 --output "$out/run" >"$log" 2>&1 || { cat "$log" >&2; return 1; }
  sed -n 's/.*training steps: \([0-9.]*\) ms\/step.*MPI_Allreduce \([0-9.]*\) \/.*/\1,\2/p; s/.*training steps: \([0-9.]*\) ms\/step.*MPI_Allreduce \([0-9.]*\) ms.*/\1,\2/p' "$log" | head -1
}

{
echo "round,batch,accumulation,setting,wire,ms_per_step,allreduce_ms"
for round in $(seq "$rounds"); do
  for batch in ${BATCHES:-32 256}; do
    epochs=$([ "$batch" -le 128 ] && echo 1 || echo 2)
    for accumulation in ${ACCUMULATIONS:-1 4}; do
      extra=(--model "${MODEL:-mlp}" --batch-size "$batch" --epochs "$epochs")
      [ "$accumulation" = 1 ] || extra+=(--gradient-accumulation-steps "$accumulation")
      echo "$round,$batch,$accumulation,1 rank,-,$(job mpirun --allow-run-as-root -np 1 -x STRATA_NUM_THREADS=1 "$bin" demo "${extra[@]}")"
      for link in ${LINKS:-none 10gbit 1gbit}; do
        if [ "$link" = box ]; then
          launch=(mpirun --allow-run-as-root -np 2 -x STRATA_NUM_THREADS=1 "$bin")
          setting="2 ranks one box"
        else
          "$hosts" shape "$link"
          # shellcheck disable=SC2206
          launch=(Distributed/scripts/mpirun-netns.sh ${MPI_OPTIONS:+$MPI_OPTIONS --} "$bin")
          setting="2 hosts $link${MPI_OPTIONS:+ ($MPI_OPTIONS)}"
        fi
        for wire in ${WIRES:-float32 bfloat16}; do
          echo "$round,$batch,$accumulation,$setting,$wire,$(job "${launch[@]}" demo "${extra[@]}" --all-reduce "$wire")"
        done
        # The gradient-ready hook's overlap: the last layers' bucket (256 Ki floats) all-reduced
        # while backpropagation goes on, the rest after it.
        [ "$accumulation" = 1 ] && [ "$link" = 10gbit ] && [ "${MODEL:-mlp}" = mlp ] && [ -z "${MPI_OPTIONS:-}" ] \
          && echo "$round,$batch,$accumulation,2 hosts $link first bucket 256Ki,float32,$(job "${launch[@]}" demo "${extra[@]}" --first-bucket-size 262144)"
      done
      "$hosts" shape none
    done
  done
done
} | tee "$out/results.csv"

python3 - "$out/results.csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
median = lambda key: statistics.median(float(r["ms_per_step"]) for r in rows if (r["batch"], r["accumulation"], r["setting"], r["wire"]) == key)
ar = lambda key: statistics.median(float(r["allreduce_ms"]) for r in rows if (r["batch"], r["accumulation"], r["setting"], r["wire"]) == key)
print("\n| batch/rank | accumulation | setting | all-reduce | ms/step | all-reduce ms/step | 2-host efficiency |")
print("|---:|---:|---|---|---:|---:|---:|")
for batch in sorted({r["batch"] for r in rows}, key=int):
    for accumulation in sorted({r["accumulation"] for r in rows}, key=int):
        alone = median((batch, accumulation, "1 rank", "-"))
        print(f"| {batch} | {accumulation} | 1 rank | — | {alone:.2f} | — | — |")
        settings = sorted({r["setting"] for r in rows} - {"1 rank"})
        for setting in settings:
            for wire in ("float32", "bfloat16"):
                key = (batch, accumulation, setting, wire)
                if not any((r["batch"], r["accumulation"], r["setting"], r["wire"]) == key for r in rows):
                    continue
                label = setting.replace("none", "unshaped")
                print(f"| {batch} | {accumulation} | {label} | {wire} | {median(key):.2f} | {ar(key):.2f} | {100 * alone / median(key):.0f} % |")
PY
