"""Estimates data-parallel efficiency on p hosts from a ring all-reduce model, fitted to the
1-rank step times `Benchmarks/mpi_hosts.sh` measures (see BENCHMARKS.md, "Across hosts").

    python3 Benchmarks/mpi_estimate.py C32_MS C256_MS [MEASURED_10G_ALLREDUCE_MS]

Model, per update: T(p) = 2·(p−1)/p · n/B + L(p)·α for n bytes of gradients (1.076 MB
float32, half in bfloat16), link rate B and one-way delay α per message, with L = 2·(p−1)
messages for a ring all-reduce and 2·log₂ p for Rabenseifner's (reduce-scatter by recursive
halving, all-gather by recursive doubling: the same bytes, fewer messages — what Open MPI's
tuned all-reduce picks for mid-sized messages on few ranks); compute per step
c(b) = c₀ + c₁·b (the line through the two measured 1-rank medians); with accumulation k the
update's all-reduce serves k steps: E = k·c(b) / (k·c(b) + T) (no overlap). Prints E at 32 and
256 samples per host per step, and the samples per host per update (k·b) for E ≥ 90 %. With a
measured 10 Gbit/s all-reduce time, the 10 GbE rows are repeated at that effective rate.
"""
import math
import sys

GRADIENT = 268_978 * 4  # the article's model, float32 bytes


def main():
    c32, c256 = float(sys.argv[1]), float(sys.argv[2])
    c1 = (c256 - c32) / (256 - 32)
    c0 = c32 - 32 * c1
    links = [("10 GbE", 10e9, 50e-6), ("25 GbE", 25e9, 20e-6)]
    if len(sys.argv) > 3:  # effective rate of the emulated 10 Gbit/s link: 2 hosts, n bytes in the measured time
        t = float(sys.argv[3]) / 1000 - 2 * 50e-6
        links.append(("10 GbE at the measured rate", 8 * GRADIENT / t, 50e-6))
    print(f"c(b) = {c0:.3f} ms + {1000 * c1:.2f} µs·b (from {c32:.2f} ms at 32, {c256:.2f} ms at 256)\n")
    print("| link | hosts | algorithm | all-reduce | accumulation | T per update | E at 32/host/step | E at 256/host/step | samples/host/update for 90 % |")
    print("|---|---:|---|---|---:|---:|---:|---:|---:|")
    for name, rate, alpha in links:
        for p in (8, 64):
          for algorithm, messages in (("ring", 2 * (p - 1)), ("Rabenseifner", 2 * math.log2(p))):
            for wire, n in (("float32", GRADIENT), ("bfloat16", GRADIENT / 2)):
                for k in (1, 4):
                    T = 2 * (p - 1) / p * 8 * n / rate + messages * alpha
                    c = lambda b: (c0 + c1 * b) / 1000
                    e = lambda b: k * c(b) / (k * c(b) + T)
                    b90 = max((9 * T / k - c0 / 1000) / (c1 / 1000), 1)
                    print(f"| {name} | {p} | {algorithm} | {wire} | {k} | {1000 * T:.2f} ms | {100 * e(32):.0f} % | {100 * e(256):.0f} % | {k * b90:.0f} |")


if __name__ == "__main__":
    main()
