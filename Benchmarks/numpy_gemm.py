"""NumPy float32 matmul (OpenBLAS) on the shapes of `strata bench gemm`; prints name<TAB>GFLOP/s."""
import sys
import time

import numpy as np

# name, m, n, k, transpose_a, transpose_b, calls — the same list as GemmBenchmark.standardCases.
CASES = [
    ("32x784x300", 32, 300, 784, False, False, 1),
    ("500x784x300", 500, 300, 784, False, False, 1),
    ("T500x784.500x300", 784, 300, 500, True, False, 1),
    ("32x300.T784x300", 32, 784, 300, False, True, 1),
    ("T32x784.32x300", 784, 300, 32, True, False, 1),
    ("T32x300.32x100", 300, 100, 32, True, False, 1),
    ("60000x784x300", 500, 300, 784, False, False, 120),
    ("2048x2048x2048", 2048, 2048, 2048, False, False, 1),
]


def measure(m, n, k, ta, tb, calls, trials, minimum_seconds=0.2):
    rng = np.random.default_rng(1)
    a = rng.uniform(-1, 1, (k, m) if ta else (m, k)).astype(np.float32)
    bs = [rng.uniform(-1, 1, (n, k) if tb else (k, n)).astype(np.float32) for _ in range(calls)]
    op_a = a.T if ta else a
    op_bs = [b.T if tb else b for b in bs]
    out = np.empty((m, n), dtype=np.float32)

    def run_once():
        for op_b in op_bs:
            np.matmul(op_a, op_b, out=out)

    run_once()
    t0 = time.perf_counter()
    run_once()
    once = max(1e-6, time.perf_counter() - t0)
    reps = max(1, int(minimum_seconds / once))
    best = float("inf")
    for _ in range(trials):
        t0 = time.perf_counter()
        for _ in range(reps):
            run_once()
        best = min(best, (time.perf_counter() - t0) / reps)
    return 2.0 * m * n * k * calls / best / 1e9


if __name__ == "__main__":
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    for name, m, n, k, ta, tb, calls in CASES:
        print(f"{name}\t{measure(m, n, k, ta, tb, calls, trials):.1f}", flush=True)
