// AVX-512 micro-kernel: an 8 × 32 tile in 16 zmm accumulators; columns past nr are masked.
#include "gemm_internal.h"

#ifdef STRATA_X86
#include <immintrin.h>

#define ROW(i)                                                                    \
    {                                                                             \
        __m512 ai = _mm512_set1_ps(a[o##i]);                                      \
        c##i##0 = _mm512_fmadd_ps(ai, b0, c##i##0);                               \
        c##i##1 = _mm512_fmadd_ps(ai, b1, c##i##1);                               \
    }

#define STORE(i)                                                                  \
    if (i < mr) {                                                                 \
        float *ci = c + (i) * ldc;                                                \
        __m512 r0 = _mm512_mul_ps(va, c##i##0), r1 = _mm512_mul_ps(va, c##i##1); \
        if (beta != 0.0f) {                                                       \
            r0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, ci), r0);          \
            r1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, ci + 16), r1);     \
        }                                                                         \
        _mm512_mask_storeu_ps(ci, m0, r0);                                        \
        _mm512_mask_storeu_ps(ci + 16, m1, r1);                                   \
    }

__attribute__((target("avx512f,avx512vl,fma")))
void strata_kernel_avx512_8x32(long k, const float *a, long rs_a, long cs_a, long mr,
                               const float *b, long rs_b, long nr,
                               float *c, long ldc, float alpha, float beta) {
    const __mmask16 m0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1);
    const __mmask16 m1 = nr >= 32 ? (__mmask16)0xFFFF
                       : nr <= 16 ? (__mmask16)0 : (__mmask16)((1u << (nr - 16)) - 1);
    // Rows past mr re-read row 0 (always valid) and are never stored.
    const long o0 = 0, o1 = (1 < mr) * rs_a, o2 = (2 < mr) * 2 * rs_a, o3 = (3 < mr) * 3 * rs_a,
               o4 = (4 < mr) * 4 * rs_a, o5 = (5 < mr) * 5 * rs_a, o6 = (6 < mr) * 6 * rs_a,
               o7 = (7 < mr) * 7 * rs_a;
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
           c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00,
           c61 = c00, c70 = c00, c71 = c00;
    for (long p = 0; p < k; ++p) {
        const __m512 b0 = _mm512_maskz_loadu_ps(m0, b);
        const __m512 b1 = _mm512_maskz_loadu_ps(m1, b + 16);
        ROW(0) ROW(1) ROW(2) ROW(3) ROW(4) ROW(5) ROW(6) ROW(7)
        a += cs_a;
        b += rs_b;
    }
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    STORE(0) STORE(1) STORE(2) STORE(3) STORE(4) STORE(5) STORE(6) STORE(7)
}

__attribute__((target("avx512f,avx512vl,fma")))
void strata_kernel_avx512_12x32(long k, const float *a, long rs_a, long cs_a, long mr,
                                const float *b, long rs_b, long nr,
                                float *c, long ldc, float alpha, float beta) {
    const __mmask16 m0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1);
    const __mmask16 m1 = nr >= 32 ? (__mmask16)0xFFFF
                       : nr <= 16 ? (__mmask16)0 : (__mmask16)((1u << (nr - 16)) - 1);
    const long o0 = 0, o1 = (1 < mr) * rs_a, o2 = (2 < mr) * 2 * rs_a, o3 = (3 < mr) * 3 * rs_a,
               o4 = (4 < mr) * 4 * rs_a, o5 = (5 < mr) * 5 * rs_a, o6 = (6 < mr) * 6 * rs_a,
               o7 = (7 < mr) * 7 * rs_a, o8 = (8 < mr) * 8 * rs_a, o9 = (9 < mr) * 9 * rs_a,
               o10 = (10 < mr) * 10 * rs_a, o11 = (11 < mr) * 11 * rs_a;
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
           c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00,
           c61 = c00, c70 = c00, c71 = c00, c80 = c00, c81 = c00, c90 = c00, c91 = c00,
           c100 = c00, c101 = c00, c110 = c00, c111 = c00;
    for (long p = 0; p < k; ++p) {
        const __m512 b0 = _mm512_maskz_loadu_ps(m0, b);
        const __m512 b1 = _mm512_maskz_loadu_ps(m1, b + 16);
        ROW(0) ROW(1) ROW(2) ROW(3) ROW(4) ROW(5) ROW(6) ROW(7) ROW(8) ROW(9) ROW(10) ROW(11)
        a += cs_a;
        b += rs_b;
    }
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    STORE(0) STORE(1) STORE(2) STORE(3) STORE(4) STORE(5) STORE(6) STORE(7) STORE(8) STORE(9)
    STORE(10) STORE(11)
}

#else
void strata_kernel_avx512_8x32(long k, const float *a, long rs_a, long cs_a, long mr,
                               const float *b, long rs_b, long nr,
                               float *c, long ldc, float alpha, float beta) {
    strata_kernel_portable_4x16(k, a, rs_a, cs_a, mr, b, rs_b, nr, c, ldc, alpha, beta);
}
#endif
