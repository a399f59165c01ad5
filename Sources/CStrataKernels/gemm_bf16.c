// bfloat16 matrix products — the arithmetic of Keras' mixed_bfloat16 policy for Dense and
// convolution: C ← α·op(A)·op(B) + β·C with both operands rounded to bfloat16 (to nearest, ties
// to even) and the products summed in float32. With AVX-512 BF16 (`vdpbf16ps`: two bfloat16
// products per float32 lane and instruction) op(A) is converted once per product into rows of
// bfloat16 pairs along K (`strata_bf16_pack_a`, shared by the threads) and each thread packs its
// panels of op(B) the same way; elsewhere the caller rounds the operands (`strata_round_bf16`)
// and runs the float32 GEMM, which is the same arithmetic up to the order of the sums (and
// `vdpbf16ps` flushing subnormals).
#include "strata_kernels.h"
#include "gemm_internal.h"
#include "vector_math.h"
#include <stdint.h>
#include <string.h>

// float → bfloat16 bits, to nearest with ties to even; a NaN stays a quiet NaN. Branch-free so
// that the packing loops vectorize.
static inline uint32_t bf16_bits(float x) {
    uint32_t u;
    memcpy(&u, &x, 4);
    const uint32_t rounded = (u + 0x7FFFu + ((u >> 16) & 1u)) >> 16;
    const uint32_t quiet_nan = (u >> 16) | 0x40u;
    return (u & 0x7FFFFFFFu) > 0x7F800000u ? quiet_nan : rounded;
}

STRATA_KERNEL(strata_round_bf16, (const float *restrict x, long n, float *restrict y),
              (x, n, y)) {
    for (long i = 0; i < n; ++i) {
        const uint32_t bits = bf16_bits(x[i]) << 16;
        memcpy(y + i, &bits, 4);
    }
}

enum { BF16_MR = 12, BF16_NR = 32 };

int strata_bf16_kernel_active(void) {
#if defined(__x86_64__) && defined(__clang__)
    __builtin_cpu_init();
    return strata_active_isa() == STRATA_ISA_AVX512 && !strata_bf16_disabled() && __builtin_cpu_supports("avx512bf16");
#else
    return 0;
#endif
}

// K blocks: one packed B micro-panel (kc/2 pairs × 32 columns × 4 bytes) fills L1; N blocks: a
// packed block of op(B) takes three quarters of L2 — as the float32 GEMM sizes its blocks.
strata_gemm_plan strata_bf16_plan(long n, long k) {
    const strata_cache_sizes caches = strata_cpu_caches();
    const long l1 = caches.l1d > 0 ? caches.l1d : 32 << 10, l2 = caches.l2 > 0 ? caches.l2 : 1 << 20;
    long kc_max = l1 / (BF16_NR * 2);
    kc_max = kc_max < 256 ? 256 : kc_max > 1024 ? 1024 : kc_max;
    long nc_max = l2 * 3 / 4 / (kc_max * 2) / BF16_NR * BF16_NR;
    nc_max = nc_max < 4 * BF16_NR ? 4 * BF16_NR : nc_max;
    const long blocks = k > kc_max ? (k + kc_max - 1) / kc_max : 1;
    long kc = (k + blocks - 1) / blocks;
    kc += kc & 1;   // whole pairs in every block but the last
    strata_gemm_plan plan = {0, BF16_MR, BF16_NR, kc < 2 ? 2 : kc, n < nc_max ? (n < 1 ? 1 : n) : nc_max, 1};
    return plan;
}

size_t strata_bf16_workspace(strata_gemm_plan plan) {
    const long pairs = (plan.kc + 1) / 2, panels = (plan.nc + plan.nr - 1) / plan.nr;
    return (size_t)(pairs * panels * plan.nr);   // 4-byte words of packed op(B)
}

#if defined(__x86_64__) && defined(__clang__)
#include <immintrin.h>

#define BF16_TARGET __attribute__((target("avx512f,avx512vl,avx512bw,avx512bf16")))

// Sixteen words, each (x0[j] low half, x1[j] high half) in bfloat16 (vcvtneps2bf16: to nearest
// even, subnormal inputs as zero — as vdpbf16ps reads them anyway).
// The first `count` of them only, when `count` < 16.
BF16_TARGET static inline void store_pairs16(const float *x0, const float *x1, uint32_t *d, long count) {
    const __mmask16 mask = count >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << count) - 1);
    const __m512i lo = _mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(mask, x0)));
    const __m512i hi = _mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(mask, x1)));
    _mm512_mask_storeu_epi32(d, mask, _mm512_or_si512(lo, _mm512_slli_epi32(hi, 16)));
}

// Sixteen words from 32 consecutive floats: word p = (x[2p] low half, x[2p+1] high half) — the
// floats' own order, converted at once (vcvtne2ps2bf16).
BF16_TARGET static inline __m512i pairs_of32(const float *x) {
    return (__m512i)_mm512_cvtne2ps_pbh(_mm512_loadu_ps(x + 16), _mm512_loadu_ps(x));
}

// op(B)[pc ..< pc+kc, jc ..< jc+nc] as panels of 32 columns: panel q holds, for each pair p,
// 32 words, word j = (B(2p, j) low half, B(2p+1, j) high half) in bfloat16; zero past the edges.
// Not transposed, two rows of B give a pair's words; transposed, a row of B (a column j of op(B))
// gives 16 pairs of column j at once, scattered 32 words apart.
BF16_TARGET static void pack_b(int trans_b, const float *b, long ldb, long pc, long jc, long kc, long nc, uint32_t *dst) {
    const long pairs = (kc + 1) / 2;
    const __m512i stride = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                              _mm512_set1_epi32(BF16_NR));
    for (long jr = 0; jr < nc; jr += BF16_NR) {
        const long w = nc - jr < BF16_NR ? nc - jr : BF16_NR;
        uint32_t *panel = dst + (jr / BF16_NR) * pairs * BF16_NR;
        if (trans_b) {
            long p0 = 0;
            for (; 2 * p0 + 32 <= kc; p0 += 16)
                for (long j = 0; j < BF16_NR; ++j) {
                    const __m512i words = j < w ? pairs_of32(b + (jc + jr + j) * ldb + pc + 2 * p0) : _mm512_setzero_si512();
                    _mm512_i32scatter_epi32(panel + p0 * BF16_NR + j, stride, words, 4);
                }
            for (long p = p0; p < pairs; ++p) {
                const long k0 = pc + 2 * p, has_k1 = 2 * p + 1 < kc;
                uint32_t *d = panel + p * BF16_NR;
                for (long j = 0; j < BF16_NR; ++j) {
                    const float *x = b + (jc + jr + j) * ldb + k0;
                    d[j] = j < w ? bf16_bits(x[0]) | (has_k1 ? bf16_bits(x[1]) << 16 : 0u) : 0u;
                }
            }
            continue;
        }
        for (long p = 0; p < pairs; ++p) {
            const long k0 = pc + 2 * p, has_k1 = 2 * p + 1 < kc;
            uint32_t *d = panel + p * BF16_NR;
            if (has_k1 && w == BF16_NR) {
                const float *r0 = b + k0 * ldb + jc + jr;
                store_pairs16(r0, r0 + ldb, d, 16);
                store_pairs16(r0 + 16, r0 + ldb + 16, d + 16, 16);
                continue;
            }
            const float *r0 = b + k0 * ldb + jc + jr, *r1 = has_k1 ? r0 + ldb : r0;
            for (long j = 0; j < w; ++j) d[j] = bf16_bits(r0[j]) | (has_k1 ? bf16_bits(r1[j]) << 16 : 0u);
            for (long j = w; j < BF16_NR; ++j) d[j] = 0;
        }
    }
}

BF16_TARGET static void pack_a_rows(int trans_a, const float *a, long lda, long i0, long i1, long k, uint32_t *dst) {
    const long pairs = (k + 1) / 2;
    if (!trans_a) {
        for (long i = i0; i < i1; ++i) {
            const float *x = a + i * lda;
            uint32_t *d = dst + i * pairs;
            long p = 0;
            for (; 2 * p + 32 <= k; p += 16) _mm512_storeu_si512(d + p, pairs_of32(x + 2 * p));
            for (; p < pairs; ++p) d[p] = bf16_bits(x[2 * p]) | (2 * p + 1 < k ? bf16_bits(x[2 * p + 1]) << 16 : 0u);
        }
        return;
    }
    // op(A)(i, p) = A[p][i]: rows 2p and 2p+1 of A give pair p of 16 rows of op(A) at once. Blocks
    // of 16 pairs × 16 rows go through a small tile (in L1), so that the packed rows — K long, far
    // apart — are written 16 contiguous words at a time.
    const long full_pairs = k / 2;
    for (long ib = i0; ib < i1; ib += 16) {
        const long rows = i1 - ib < 16 ? i1 - ib : 16;
        long p0 = 0;
        for (; p0 + 16 <= full_pairs; p0 += 16) {
            uint32_t tile[16][16];
            for (long q = 0; q < 16; ++q) {
                const float *r0 = a + 2 * (p0 + q) * lda + ib;
                store_pairs16(r0, r0 + lda, tile[q], rows);
            }
            for (long r = 0; r < rows; ++r) {
                uint32_t *d = dst + (ib + r) * pairs + p0;
                for (long q = 0; q < 16; ++q) d[q] = tile[q][r];
            }
        }
        for (long p = p0; p < pairs; ++p) {
            const float *r0 = a + 2 * p * lda, *r1 = 2 * p + 1 < k ? r0 + lda : NULL;
            for (long i = ib; i < ib + rows; ++i)
                dst[i * pairs + p] = bf16_bits(r0[i]) | (r1 != NULL ? bf16_bits(r1[i]) << 16 : 0u);
        }
    }
}

#define BF_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#define BF_ZERO(i) __m512 c##i##0 = _mm512_setzero_ps(), c##i##1 = _mm512_setzero_ps();
// Rows past mr read row 0 (always packed) and are never stored.
#define BF_OFFSET(i) const long o##i = ((i) < mr) * (i) * rs;
#define BF_DOT(i)                                                                          \
    {                                                                                      \
        const __m512bh ai = (__m512bh)_mm512_set1_epi32((int)ap[o##i + p]);                \
        c##i##0 = _mm512_dpbf16_ps(c##i##0, ai, b0);                                       \
        c##i##1 = _mm512_dpbf16_ps(c##i##1, ai, b1);                                       \
    }
#define BF_STORE(i)                                                                        \
    if ((i) < mr) {                                                                        \
        float *ci = c + (i) * ldc;                                                         \
        __m512 r0 = _mm512_mul_ps(va, c##i##0), r1 = _mm512_mul_ps(va, c##i##1);          \
        if (beta != 0.0f) {                                                                \
            r0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, ci), r0);                   \
            r1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, ci + 16), r1);              \
        }                                                                                  \
        _mm512_mask_storeu_ps(ci, m0, r0);                                                 \
        _mm512_mask_storeu_ps(ci + 16, m1, r1);                                            \
    }

// One 12 × 32 tile over `pairs` K pairs of packed A (row i at word i·rs) and B (32 words per pair).
BF16_TARGET static void kernel_12x32(long pairs, const uint32_t *ap, long rs, const uint32_t *bp, long mr, long nr,
                                     float *c, long ldc, float alpha, float beta) {
    const __mmask16 m0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1);
    const __mmask16 m1 = nr >= 32 ? (__mmask16)0xFFFF : nr <= 16 ? (__mmask16)0 : (__mmask16)((1u << (nr - 16)) - 1);
    BF_ROWS(BF_OFFSET)
    BF_ROWS(BF_ZERO)
    for (long p = 0; p < pairs; ++p, bp += BF16_NR) {
        const __m512bh b0 = (__m512bh)_mm512_loadu_si512(bp), b1 = (__m512bh)_mm512_loadu_si512(bp + 16);
        BF_ROWS(BF_DOT)
    }
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    BF_ROWS(BF_STORE)
}

void strata_bf16_pack_a(int trans_a, const float *a, long lda, long i0, long i1, long k, uint32_t *dst) {
    pack_a_rows(trans_a, a, lda, i0, i1, k, dst);
}

void strata_sgemm_bf16(const strata_gemm_plan *plan_ptr, int trans_b, long m, long n, long k, float alpha,
                       const uint32_t *a, long a_pairs, const float *b, long ldb, float beta, float *c, long ldc,
                       float *work) {
    if (m <= 0 || n <= 0) return;
    const strata_gemm_plan plan = *plan_ptr;
    if (k <= 0 || alpha == 0.0f) {
        for (long i = 0; i < m; ++i)
            for (long j = 0; j < n; ++j) c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
        return;
    }
    uint32_t *packed_b = (uint32_t *)work;
    for (long jc = 0; jc < n; jc += plan.nc) {
        const long nc = n - jc < plan.nc ? n - jc : plan.nc;
        for (long pc = 0; pc < k; pc += plan.kc) {   // kc is even: pc / 2 is this block's first pair
            const long kc = k - pc < plan.kc ? k - pc : plan.kc, pairs = (kc + 1) / 2;
            const float beta_block = pc == 0 ? beta : 1.0f;
            pack_b(trans_b, b, ldb, pc, jc, kc, nc, packed_b);
            for (long ir = 0; ir < m; ir += BF16_MR) {
                const long mr = m - ir < BF16_MR ? m - ir : BF16_MR;
                for (long jr = 0; jr < nc; jr += BF16_NR) {
                    const long nr = nc - jr < BF16_NR ? nc - jr : BF16_NR;
                    kernel_12x32(pairs, a + ir * a_pairs + pc / 2, a_pairs, packed_b + (jr / BF16_NR) * pairs * BF16_NR,
                                 mr, nr, c + ir * ldc + jc + jr, ldc, alpha, beta_block);
                }
            }
        }
    }
}
#else   // never called: strata_bf16_kernel_active is 0 here
void strata_bf16_pack_a(int trans_a, const float *a, long lda, long i0, long i1, long k, uint32_t *dst) {
    (void)trans_a, (void)a, (void)lda, (void)i0, (void)i1, (void)k, (void)dst;
}

void strata_sgemm_bf16(const strata_gemm_plan *plan, int trans_b, long m, long n, long k, float alpha,
                       const uint32_t *a, long a_pairs, const float *b, long ldb, float beta, float *c, long ldc,
                       float *work) {
    (void)plan, (void)trans_b, (void)m, (void)n, (void)k, (void)alpha, (void)a, (void)a_pairs;
    (void)b, (void)ldb, (void)beta, (void)c, (void)ldc, (void)work;
}
#endif
