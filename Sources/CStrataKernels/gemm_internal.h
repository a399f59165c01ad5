// Internal to the GEMM: the micro-kernel contract shared by every instruction set.
#ifndef STRATA_GEMM_INTERNAL_H
#define STRATA_GEMM_INTERNAL_H

/// Computes one MR × NR tile: C[i][j] ← α·Σ_p A(i,p)·B(p,j) + β·C[i][j] for i < mr, j < nr.
/// A(i,p) = a[i·rs_a + p·cs_a]; B(p,j) = b[p·rs_b + j] (columns contiguous). Rows i ≥ mr and
/// columns j ≥ nr are neither read from B nor written to C. When β = 0, C is not read.
typedef void (*strata_micro_kernel)(long k, const float *a, long rs_a, long cs_a, long mr,
                                    const float *b, long rs_b, long nr,
                                    float *c, long ldc, float alpha, float beta);

#if defined(__x86_64__) || defined(__i386__)
#define STRATA_X86 1
#endif

// The micro-kernels, each of the strata_micro_kernel type.
#define STRATA_MICRO_KERNEL(name)                                                  \
    void name(long k, const float *a, long rs_a, long cs_a, long mr, const float *b, \
              long rs_b, long nr, float *c, long ldc, float alpha, float beta)
#ifdef STRATA_X86
STRATA_MICRO_KERNEL(strata_kernel_avx512_8x32);
STRATA_MICRO_KERNEL(strata_kernel_avx512_12x32);
STRATA_MICRO_KERNEL(strata_kernel_avx512_8x16);
STRATA_MICRO_KERNEL(strata_kernel_avx512_12x16);
STRATA_MICRO_KERNEL(strata_kernel_avx512_8x8);
STRATA_MICRO_KERNEL(strata_kernel_avx512_12x8);
STRATA_MICRO_KERNEL(strata_kernel_avx2_6x16);
#endif
STRATA_MICRO_KERNEL(strata_kernel_portable_4x16);
#endif
