// AVX-512 micro-kernels: 8 × 32 and 12 × 32 tiles, two zmm accumulators per row; columns past nr
// are masked. One macro writes both, so they cannot drift apart.
#include "gemm_internal.h"

#ifdef STRATA_X86
#include <immintrin.h>

#define ROWS8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define ROWS12(X) ROWS8(X) X(8) X(9) X(10) X(11)

// Rows past mr re-read row 0 (always valid) and are never stored.
#define OFFSET(i) const long o##i = ((i) < mr) * (i) * rs_a;
#define ZERO(i) __m512 c##i##0 = _mm512_setzero_ps(), c##i##1 = _mm512_setzero_ps();
#define FMA_ROW(i)                                                                \
    {                                                                             \
        const __m512 ai = _mm512_set1_ps(a[o##i]);                                \
        c##i##0 = _mm512_fmadd_ps(ai, b0, c##i##0);                               \
        c##i##1 = _mm512_fmadd_ps(ai, b1, c##i##1);                               \
    }
#define STORE_ROW(i)                                                              \
    if ((i) < mr) {                                                               \
        float *ci = c + (i) * ldc;                                                \
        __m512 r0 = _mm512_mul_ps(va, c##i##0), r1 = _mm512_mul_ps(va, c##i##1); \
        if (beta != 0.0f) {                                                       \
            r0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, ci), r0);          \
            r1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, ci + 16), r1);     \
        }                                                                         \
        _mm512_mask_storeu_ps(ci, m0, r0);                                        \
        _mm512_mask_storeu_ps(ci + 16, m1, r1);                                   \
    }

#define DEFINE_KERNEL(name, ROWS)                                                              \
    __attribute__((target("avx512f,avx512vl,fma")))                                            \
    void name(long k, const float *a, long rs_a, long cs_a, long mr, const float *b, long rs_b, \
              long nr, float *c, long ldc, float alpha, float beta) {                          \
        const __mmask16 m0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1);       \
        const __mmask16 m1 = nr >= 32 ? (__mmask16)0xFFFF                                      \
                           : nr <= 16 ? (__mmask16)0 : (__mmask16)((1u << (nr - 16)) - 1);     \
        ROWS(OFFSET)                                                                           \
        ROWS(ZERO)                                                                             \
        for (long p = 0; p < k; ++p) {                                                         \
            const __m512 b0 = _mm512_maskz_loadu_ps(m0, b);                                    \
            const __m512 b1 = _mm512_maskz_loadu_ps(m1, b + 16);                               \
            ROWS(FMA_ROW)                                                                      \
            a += cs_a;                                                                         \
            b += rs_b;                                                                         \
        }                                                                                      \
        const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);                    \
        ROWS(STORE_ROW)                                                                        \
    }

DEFINE_KERNEL(strata_kernel_avx512_8x32, ROWS8)
DEFINE_KERNEL(strata_kernel_avx512_12x32, ROWS12)

#endif
