// The single-threaded GEMM driver (Goto/BLIS loop order), packing of op(B), and the choice of
// micro-kernel and blocking (cpu.c says which instruction set and caches the CPU has).
// Threads split C into blocks in Swift (StrataCore/Kernels/Gemm.swift) and call this per block.
#include "strata_kernels.h"
#include "gemm_internal.h"
#include <string.h>

typedef struct {
    strata_micro_kernel kernel;
    long mr, nr;
    // The same rows with nr / 2 and nr / 4 columns, for a last panel that narrow (or NULL).
    strata_micro_kernel half, quarter;
} kernel_desc;

// Kernel ids (strata_gemm_plan.kernel). AVX-512 has two tiles: 8 × 32 divides batch sizes such as
// 32 exactly; 12 × 32 loads each B vector for more rows, which pays on large, packed problems.
enum { K_PORTABLE, K_AVX2, K_AVX512_8, K_AVX512_12 };
static const kernel_desc kernels[] = {
    [K_PORTABLE] = {strata_kernel_portable_4x16, 4, 16, NULL, NULL},
#ifdef STRATA_X86
    [K_AVX2] = {strata_kernel_avx2_6x16, 6, 16, NULL, NULL},
    [K_AVX512_8] = {strata_kernel_avx512_8x32, 8, 32, strata_kernel_avx512_8x16, strata_kernel_avx512_8x8},
    [K_AVX512_12] = {strata_kernel_avx512_12x32, 12, 32, strata_kernel_avx512_12x16, strata_kernel_avx512_12x8},
#else  // never chosen elsewhere (strata_cpu_isa is PORTABLE); keeps the table total
    [K_AVX2] = {strata_kernel_portable_4x16, 4, 16, NULL, NULL},
    [K_AVX512_8] = {strata_kernel_portable_4x16, 4, 16, NULL, NULL},
    [K_AVX512_12] = {strata_kernel_portable_4x16, 4, 16, NULL, NULL},
#endif
};

// Packing op(B) pays off when each packed panel is reused by several row tiles, or when op(B) is
// transposed (its columns are then strided and must be gathered). op(A) is never packed: the
// kernel broadcasts its elements straight from A's rows (or, transposed, its columns), and a
// micro-panel of it stays in L1 across the jr loop. Measured on a 2 MB-L2 AVX-512 Xeon: packing
// A cost 8–10 % on 500×784×300 and 2048³; KC 384 (balanced) beat 128–512; B-panel prefetching
// and the jr-outer loop order gained nothing.
//
// The blocks follow the caches the CPU reports (cpu.c): a K block fills L1 with one B micro-panel
// (kc × nr floats), and a packed block of op(B) (kc × nc) takes three quarters of L2. On the
// 48 KB-L1, 2 MB-L2 Xeon that is the KC 384, NC 1024 measured best there; on a 32 KB-L1, 1 MB-L2
// Zen 4 it is KC 256, NC 768.
enum { PACK_MIN_ROWS = 64 };

static long round_down(long value, long multiple) { return value / multiple * multiple; }

static long clamp(long value, long low, long high) { return value < low ? low : value > high ? high : value; }

strata_gemm_plan strata_sgemm_plan(int trans_b, long m, long n, long k) {
    const int isa = strata_active_isa();
    const int pack_b = trans_b || m >= PACK_MIN_ROWS;
    const int kernel = isa == STRATA_ISA_AVX512 ? (pack_b ? K_AVX512_12 : K_AVX512_8)
                     : isa == STRATA_ISA_AVX2 ? K_AVX2 : K_PORTABLE;
    const kernel_desc d = kernels[kernel];
    strata_gemm_plan plan = {kernel, d.mr, d.nr, k, n, pack_b};
    if (pack_b) {
        const strata_cache_sizes caches = strata_cpu_caches();
        const long l1 = caches.l1d > 0 ? caches.l1d : 32 << 10, l2 = caches.l2 > 0 ? caches.l2 : 1 << 20;
        const long kc_max = clamp(round_down(l1 / (long)(d.nr * sizeof(float)), 32), 128, 512);
        const long nc_max = clamp(round_down(l2 * 3 / 4 / (kc_max * (long)sizeof(float)), d.nr), 4 * d.nr, 4096);
        const long blocks = k > kc_max ? (k + kc_max - 1) / kc_max : 1;
        plan.kc = (k + blocks - 1) / blocks;   // equal blocks: no thin remainder
        plan.nc = n < nc_max ? n : nc_max;
    }
    if (plan.kc < 1) plan.kc = 1;
    if (plan.nc < 1) plan.nc = 1;
    return plan;
}

size_t strata_sgemm_workspace(strata_gemm_plan plan) {
    if (!plan.pack_b) return 0;
    const long panels = (plan.nc + plan.nr - 1) / plan.nr;
    return (size_t)(panels * plan.nr * plan.kc);
}

// Packs op(B)[pc ..< pc+kc, jc ..< jc+nc] into panels of nr columns: panel q holds, for each p,
// nr consecutive values (zero past the edge).
static void pack_b(int trans_b, const float *b, long ldb, long pc, long jc, long kc, long nc,
                   long nr, float *dst) {
    for (long jr = 0; jr < nc; jr += nr) {
        const long w = nc - jr < nr ? nc - jr : nr;
        float *d = dst + (jr / nr) * kc * nr;
        if (!trans_b) {
            const float *s = b + pc * ldb + jc + jr;
            for (long p = 0; p < kc; ++p, s += ldb, d += nr) {
                memcpy(d, s, (size_t)w * sizeof(float));
                for (long j = w; j < nr; ++j) d[j] = 0.0f;
            }
        } else {
            // op(B)(p, j) = B[j][p]: walk B's rows in blocks of 8 so reads stay sequential.
            const float *s = b + (jc + jr) * ldb + pc;
            for (long p0 = 0; p0 < kc; p0 += 8) {
                const long pe = kc - p0 < 8 ? kc - p0 : 8;
                for (long j = 0; j < nr; ++j) {
                    const float *sj = s + j * ldb + p0;
                    float *dj = d + p0 * nr + j;
                    if (j < w)
                        for (long p = 0; p < pe; ++p) dj[p * nr] = sj[p];
                    else
                        for (long p = 0; p < pe; ++p) dj[p * nr] = 0.0f;
                }
            }
        }
    }
}

static void scale_c(long m, long n, float beta, float *c, long ldc) {
    for (long i = 0; i < m; ++i) {
        float *ci = c + i * ldc;
        if (beta == 0.0f)
            memset(ci, 0, (size_t)n * sizeof(float));
        else
            for (long j = 0; j < n; ++j) ci[j] *= beta;
    }
}

void strata_sgemm(const strata_gemm_plan *plan_ptr, int trans_a, int trans_b, long m, long n,
                  long k, float alpha, const float *a, long lda, const float *b, long ldb,
                  float beta, float *c, long ldc, float *work) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0 || alpha == 0.0f) {
        scale_c(m, n, beta, c, ldc);
        return;
    }
    const strata_gemm_plan plan = *plan_ptr;
    const kernel_desc d = kernels[plan.kernel];
    const long rs_a = trans_a ? 1 : lda, cs_a = trans_a ? lda : 1;
    for (long jc = 0; jc < n; jc += plan.nc) {
        const long nc = n - jc < plan.nc ? n - jc : plan.nc;
        for (long pc = 0; pc < k; pc += plan.kc) {
            const long kc = k - pc < plan.kc ? k - pc : plan.kc;
            const float beta_block = pc == 0 ? beta : 1.0f;
            const float *bp;
            long rs_b, panel_stride;
            if (plan.pack_b) {
                pack_b(trans_b, b, ldb, pc, jc, kc, nc, d.nr, work);
                bp = work, rs_b = d.nr, panel_stride = kc * d.nr;
            } else {
                bp = b + pc * ldb + jc, rs_b = ldb, panel_stride = d.nr;
            }
            for (long ir = 0; ir < m; ir += d.mr) {
                const long mr = m - ir < d.mr ? m - ir : d.mr;
                const float *ap = a + ir * rs_a + pc * cs_a;
                for (long jr = 0; jr < nc; jr += d.nr) {
                    const long nr = nc - jr < d.nr ? nc - jr : d.nr;
                    const strata_micro_kernel kernel = d.quarter != NULL && nr <= d.nr / 4 ? d.quarter
                                                     : d.half != NULL && nr <= d.nr / 2 ? d.half : d.kernel;
                    kernel(kc, ap, rs_a, cs_a, mr, bp + (jr / d.nr) * panel_stride, rs_b, nr,
                             c + ir * ldc + jc + jr, ldc, alpha, beta_block);
                }
            }
        }
    }
}
