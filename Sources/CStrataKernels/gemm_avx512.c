// AVX-512 micro-kernels: 8 × 32 and 12 × 32 tiles, two zmm accumulators per row, and their
// narrow forms for the last panel of a C whose width is not a multiple of 32: 16 columns (one
// zmm per row: half the multiply-adds of a masked 32-column tile) and 8 columns (one ymm per row,
// which costs half a zmm where AVX-512 is split into two 256-bit halves, as on Zen 4). Columns
// past nr are masked. One macro writes every tile, so they cannot drift apart.
#include "gemm_internal.h"

#ifdef STRATA_X86
#include <immintrin.h>

#define ROWS8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define ROWS12(X) ROWS8(X) X(8) X(9) X(10) X(11)
// VECTORS(X) names the accumulators of one row: X(0) X(1) for two vectors, X(0) for one.
#define TWO(X) X(0) X(1)
#define ONE(X) X(0)

// The vector family the macros below expand with (redefined before each group of kernels):
// VEC its type, OP(x) its intrinsic _mm512_x or _mm256_x, LANES its floats, MASK_T its mask.
#define VEC __m512
#define OP(x) _mm512_##x
#define LANES 16
#define MASK_T __mmask16

// Rows past mr re-read row 0 (always valid) and are never stored.
#define OFFSET(i) const long o##i = ((i) < mr) * (i) * rs_a;
#define MASK(v)                                                                         \
    const MASK_T m##v = nr >= LANES * (v + 1) ? (MASK_T)~0u                             \
                      : nr <= LANES * v ? (MASK_T)0 : (MASK_T)((1u << (nr - LANES * v)) - 1);
#define LOAD_B(v) const VEC b##v = OP(maskz_loadu_ps)(m##v, b + LANES * v);
#define ZERO_VECTOR(i, v) VEC c##i##v = OP(setzero_ps)();
#define FMA_VECTOR(i, v) c##i##v = OP(fmadd_ps)(ai, b##v, c##i##v);
#define STORE_VECTOR(i, v)                                                              \
    {                                                                                   \
        VEC r = OP(mul_ps)(va, c##i##v);                                                \
        if (beta != 0.0f) r = OP(fmadd_ps)(vb, OP(maskz_loadu_ps)(m##v, ci + LANES * v), r); \
        OP(mask_storeu_ps)(ci + LANES * v, m##v, r);                                    \
    }
#define ZERO_ROW_TWO(i) ZERO_VECTOR(i, 0) ZERO_VECTOR(i, 1)
#define ZERO_ROW_ONE(i) ZERO_VECTOR(i, 0)
#define FMA_ROW_TWO(i) { const VEC ai = OP(set1_ps)(a[o##i]); FMA_VECTOR(i, 0) FMA_VECTOR(i, 1) }
#define FMA_ROW_ONE(i) { const VEC ai = OP(set1_ps)(a[o##i]); FMA_VECTOR(i, 0) }
#define STORE_ROW_TWO(i) if ((i) < mr) { float *ci = c + (i) * ldc; STORE_VECTOR(i, 0) STORE_VECTOR(i, 1) }
#define STORE_ROW_ONE(i) if ((i) < mr) { float *ci = c + (i) * ldc; STORE_VECTOR(i, 0) }

#define DEFINE_KERNEL(name, ROWS, VECTORS)                                                     \
    __attribute__((target("avx512f,avx512vl,fma")))                                            \
    void name(long k, const float *a, long rs_a, long cs_a, long mr, const float *b, long rs_b, \
              long nr, float *c, long ldc, float alpha, float beta) {                          \
        VECTORS(MASK)                                                                          \
        ROWS(OFFSET)                                                                           \
        ROWS(ZERO_ROW_##VECTORS)                                                               \
        for (long p = 0; p < k; ++p) {                                                         \
            VECTORS(LOAD_B)                                                                    \
            ROWS(FMA_ROW_##VECTORS)                                                            \
            a += cs_a;                                                                         \
            b += rs_b;                                                                         \
        }                                                                                      \
        const VEC va = OP(set1_ps)(alpha), vb = OP(set1_ps)(beta);                             \
        ROWS(STORE_ROW_##VECTORS)                                                              \
    }

DEFINE_KERNEL(strata_kernel_avx512_8x32, ROWS8, TWO)
DEFINE_KERNEL(strata_kernel_avx512_12x32, ROWS12, TWO)
DEFINE_KERNEL(strata_kernel_avx512_8x16, ROWS8, ONE)
DEFINE_KERNEL(strata_kernel_avx512_12x16, ROWS12, ONE)

#undef VEC
#undef OP
#undef LANES
#undef MASK_T
#define VEC __m256
#define OP(x) _mm256_##x
#define LANES 8
#define MASK_T __mmask8

DEFINE_KERNEL(strata_kernel_avx512_8x8, ROWS8, ONE)
DEFINE_KERNEL(strata_kernel_avx512_12x8, ROWS12, ONE)

#endif
