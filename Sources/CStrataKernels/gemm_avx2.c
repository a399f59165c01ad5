// AVX2 + FMA micro-kernel: a 6 × 16 tile in 12 ymm accumulators; columns past nr are masked.
#include "gemm_internal.h"

#ifdef STRATA_X86
#include <immintrin.h>

#define ROW(i)                                                                    \
    {                                                                             \
        __m256 ai = _mm256_broadcast_ss(a + o##i);                                \
        c##i##0 = _mm256_fmadd_ps(ai, b0, c##i##0);                               \
        c##i##1 = _mm256_fmadd_ps(ai, b1, c##i##1);                               \
    }

#define STORE(i)                                                                  \
    if (i < mr) {                                                                 \
        float *ci = c + (i) * ldc;                                                \
        __m256 r0 = _mm256_mul_ps(va, c##i##0), r1 = _mm256_mul_ps(va, c##i##1); \
        if (beta != 0.0f) {                                                       \
            r0 = _mm256_fmadd_ps(vb, _mm256_maskload_ps(ci, m0), r0);             \
            r1 = _mm256_fmadd_ps(vb, _mm256_maskload_ps(ci + 8, m1), r1);         \
        }                                                                         \
        _mm256_maskstore_ps(ci, m0, r0);                                          \
        _mm256_maskstore_ps(ci + 8, m1, r1);                                      \
    }

__attribute__((target("avx2,fma")))
void strata_kernel_avx2_6x16(long k, const float *a, long rs_a, long cs_a, long mr,
                             const float *b, long rs_b, long nr,
                             float *c, long ldc, float alpha, float beta) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)nr), lane);
    const __m256i m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)nr - 8), lane);
    const long o0 = 0, o1 = (1 < mr) * rs_a, o2 = (2 < mr) * 2 * rs_a, o3 = (3 < mr) * 3 * rs_a,
               o4 = (4 < mr) * 4 * rs_a, o5 = (5 < mr) * 5 * rs_a;
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
           c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (long p = 0; p < k; ++p) {
        const __m256 b0 = _mm256_maskload_ps(b, m0);
        const __m256 b1 = _mm256_maskload_ps(b + 8, m1);
        ROW(0) ROW(1) ROW(2) ROW(3) ROW(4) ROW(5)
        a += cs_a;
        b += rs_b;
    }
    const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    STORE(0) STORE(1) STORE(2) STORE(3) STORE(4) STORE(5)
}

#endif
