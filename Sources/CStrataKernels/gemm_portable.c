// Portable micro-kernel: a 4 × 16 tile; the compiler vectorizes it for the baseline ISA
// (SSE2 on x86-64, NEON on arm64). The reference path on CPUs without AVX2.
#include "gemm_internal.h"

void strata_kernel_portable_4x16(long k, const float *a, long rs_a, long cs_a, long mr,
                                 const float *b, long rs_b, long nr,
                                 float *c, long ldc, float alpha, float beta) {
    float acc[4][16] = {{0}};
    float brow[16] = {0};
    long off[4];
    for (long i = 0; i < 4; ++i) off[i] = (i < mr ? i : 0) * rs_a;
    for (long p = 0; p < k; ++p) {
        for (long j = 0; j < 16; ++j) brow[j] = j < nr ? b[j] : 0.0f;
        for (long i = 0; i < 4; ++i) {
            const float ai = a[off[i]];
            for (long j = 0; j < 16; ++j) acc[i][j] += ai * brow[j];
        }
        a += cs_a;
        b += rs_b;
    }
    for (long i = 0; i < mr && i < 4; ++i) {
        float *ci = c + i * ldc;
        for (long j = 0; j < nr && j < 16; ++j)
            ci[j] = beta != 0.0f ? alpha * acc[i][j] + beta * ci[j] : alpha * acc[i][j];
    }
}
