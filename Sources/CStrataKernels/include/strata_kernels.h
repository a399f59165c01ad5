// Hot loops over raw float buffers, with runtime CPU dispatch. No allocation, no model logic:
// Swift owns buffers, threading and shapes, and calls these through StrataCore's Kernels layer.
#ifndef STRATA_KERNELS_H
#define STRATA_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction sets the kernels can dispatch to.
enum {
    STRATA_ISA_PORTABLE = 0,  ///< plain C with vector extensions (SSE2 on x86-64, NEON on arm64)
    STRATA_ISA_AVX2 = 1,      ///< AVX2 + FMA
    STRATA_ISA_AVX512 = 2,    ///< AVX-512F
};

/// The best instruction set this CPU supports.
int strata_cpu_isa(void);
/// The instruction set every kernel uses, fixed for the process on first use: the best one,
/// unless the environment variable `STRATA_CPU` (`avx512`, `avx2` or `portable`) names a lower
/// one. (Fixed, so that runs compared bit for bit within one process never straddle a change.)
int strata_active_isa(void);

/// What became of `STRATA_CPU` (read on the kernels' first use).
enum {
    STRATA_CPU_OVERRIDE_NONE = 0,          ///< not set: the best instruction set is active
    STRATA_CPU_OVERRIDE_APPLIED = 1,       ///< the named instruction set is active
    STRATA_CPU_OVERRIDE_UNKNOWN = -1,      ///< not a known name: the best one is active
    STRATA_CPU_OVERRIDE_UNSUPPORTED = -2,  ///< this CPU lacks it: the best one is active
};
int strata_cpu_override_status(void);
/// 1 when `STRATA_CPU` holds `bf16-off`: bfloat16 products take the float32 fallback.
int strata_bf16_disabled(void);

/// Data cache sizes in bytes of one core (L1 data, L2) and of its L3; 0 where unknown.
typedef struct {
    long l1d, l2, l3;
} strata_cache_sizes;
strata_cache_sizes strata_cpu_caches(void);

/// The micro-kernel and blocking of one GEMM call. Computed once and passed to `strata_sgemm`,
/// so that the workspace the caller sized and the kernel that runs always agree.
typedef struct {
    int kernel;    ///< which micro-kernel (internal id)
    long mr, nr;   ///< micro-tile rows and columns
    long kc, nc;   ///< depth and width of one packed panel of op(B)
    int pack_b;    ///< 1 when op(B) is packed into `work`, 0 when it is read in place
} strata_gemm_plan;

/// The blocking for C (m × n) += op(A) (m × k) · op(B) (k × n) with the active instruction set's
/// kernel, sized from the CPU's caches.
strata_gemm_plan strata_sgemm_plan(int trans_b, long m, long n, long k);

/// Floats of workspace `strata_sgemm` needs for this plan (0 when B is read in place).
size_t strata_sgemm_workspace(strata_gemm_plan plan);

/// Single-threaded C ← α·op(A)·op(B) + β·C on row-major buffers, following `plan` (made by
/// `strata_sgemm_plan` for the same trans_b, m, n, k).
/// op(A) is m × k (A is m × k with leading dimension lda, or k × m when trans_a);
/// op(B) is k × n (B is k × n, or n × k when trans_b). When β = 0, C is not read (NaN in C is
/// overwritten). `work` holds at least `strata_sgemm_workspace(*plan)` floats, 64-byte aligned.
void strata_sgemm(const strata_gemm_plan *plan, int trans_a, int trans_b, long m, long n, long k, float alpha,
                  const float *a, long lda, const float *b, long ldb,
                  float beta, float *c, long ldc, float *work);

/// Whether `strata_sgemm_bf16` runs here: AVX-512 BF16 on the CPU, the AVX-512 path active and
/// `bf16-off` not set. Otherwise round the operands with `strata_round_bf16` and run `strata_sgemm`.
int strata_bf16_kernel_active(void);
/// The blocking of `strata_sgemm_bf16` for C with n columns, inner dimension k (mr 12, nr 32).
strata_gemm_plan strata_bf16_plan(long n, long k);
/// 4-byte words of workspace `strata_sgemm_bf16` needs for this plan (its packed panels of op(B)).
size_t strata_bf16_workspace(strata_gemm_plan plan);
/// Rows i0 ..< i1 of op(A) (m × k; A is m × k, or k × m when trans_a, leading dimension lda) as
/// bfloat16 pairs along K: row i at word i·⌈k/2⌉, word p = (op(A)(i, 2p), op(A)(i, 2p+1)).
void strata_bf16_pack_a(int trans_a, const float *a, long lda, long i0, long i1, long k, uint32_t *dst);
/// Single-threaded C ← α·op(A)·op(B) + β·C with A and B rounded to bfloat16 and the products
/// summed in float32: `a` is op(A) packed by `strata_bf16_pack_a` (row stride `a_pairs` words),
/// B and C as for `strata_sgemm`; `work` holds `strata_bf16_workspace(*plan)` words, 64-byte aligned.
void strata_sgemm_bf16(const strata_gemm_plan *plan, int trans_b, long m, long n, long k, float alpha,
                       const uint32_t *a, long a_pairs, const float *b, long ldb, float beta, float *c, long ldc,
                       float *work);
/// y[i] = x[i] rounded to bfloat16 (to nearest, ties to even; NaN stays NaN), as a float.
void strata_round_bf16(const float *restrict x, long n, float *restrict y);

// ---- elementwise ----------------------------------------------------------------------------

/// Unary elementwise operations: y[i] = f(x[i]; p).
typedef enum {
    STRATA_NEG, STRATA_EXP, STRATA_LOG, STRATA_SQRT, STRATA_RSQRT, STRATA_ABS, STRATA_SIGN,
    STRATA_TANH, STRATA_SIGMOID, STRATA_POW_SCALAR, STRATA_SQUARE, STRATA_RECIPROCAL,
    STRATA_ADD_SCALAR, STRATA_MUL_SCALAR, STRATA_MAX_SCALAR, STRATA_MIN_SCALAR,
    STRATA_LOG1P, STRATA_EXPM1, STRATA_ERF,
} strata_unary_op;

/// y[i] = op(x[i], p) for i < n. x and y may be the same buffer.
void strata_unary(strata_unary_op op, const float *x, float *y, long n, float p);

/// Binary elementwise operations with an optional scalar broadcast.
typedef enum {
    STRATA_ADD, STRATA_SUB, STRATA_MUL, STRATA_DIV, STRATA_MAX, STRATA_MIN, STRATA_POW,
    STRATA_EQ, STRATA_NE, STRATA_LT, STRATA_LE, STRATA_GT, STRATA_GE,
} strata_binary_op;

/// y[i] = a[i·sa] op b[i·sb] for i < n, where sa, sb ∈ {0, 1} (0 broadcasts a scalar).
/// Comparisons produce 1 or 0.
void strata_binary(strata_binary_op op, const float *a, long sa, const float *b, long sb,
                   float *y, long n);

/// out[r·size + j] = source[rows[r]·size + j]·scale: a mini-batch of byte samples as floats.
void strata_gather_bytes(const unsigned char *restrict source, long size, const long *restrict rows, long count,
                         float scale, float *restrict out);

/// destination[c·ldd + r] = source[r·lds + c] for r < rows, c < cols (blocked transpose).
void strata_transpose(const float *restrict source, long rows, long cols, long lds, float *restrict destination, long ldd);

/// ReLU's backward and the bias gradient of a fused Dense in one pass over [rows × cols]:
/// gz = g where y > 0 else 0; bias_gradient[j] = Σ_rows gz (double sums in `acc`, cols doubles;
/// bias_gradient may be NULL).
void strata_relu_backward_bias(const float *restrict g, const float *restrict y, long rows, long cols,
                               float *restrict gz, float *restrict bias_gradient, double *restrict acc);

// ---- reductions ----------------------------------------------------------------------------

/// Sums of `rows` contiguous rows of length n: out[r] = Σ_j x[r·n + j], accumulated in double.
void strata_sum_rows(const float *x, long rows, long n, float *out);
/// Column sums of an r × n block, accumulated in double in `acc` (n doubles): out[j] = Σ_i x[i·n + j].
void strata_sum_cols(const float *x, long r, long n, float *out, double *acc);
/// Row maxima (is_max = 1) or minima (is_max = 0) of `rows` rows of length n; NaN propagates.
void strata_extreme_rows(const float *x, long rows, long n, int is_max, float *out);
/// Column maxima or minima of an r × n block (r ≥ 1); NaN propagates.
void strata_extreme_cols(const float *x, long r, long n, int is_max, float *out);

// ---- optimizer updates -----------------------------------------------------------------------

/// The update rules `strata_optimizer_update` knows (Keras 3's formulas).
typedef enum {
    STRATA_UPDATE_SGD, STRATA_UPDATE_SGD_MOMENTUM, STRATA_UPDATE_SGD_NESTEROV, STRATA_UPDATE_ADAGRAD,
    STRATA_UPDATE_RMSPROP, STRATA_UPDATE_ADAM, STRATA_UPDATE_ADAMAX, STRATA_UPDATE_NADAM, STRATA_UPDATE_LION,
} strata_update_kind;

/// Each rule's scalars for one step, under their own names (Keras 3's).
typedef struct { float learning_rate, momentum; } strata_sgd_params;               ///< SGD (momentum 0: plain)
typedef struct { float learning_rate, epsilon; } strata_adagrad_params;
typedef struct { float learning_rate, rho, momentum, epsilon; } strata_rmsprop_params;
typedef struct { float learning_rate, beta1, beta2, epsilon; } strata_adam_params;  ///< Adam (α, corrections folded in), Adamax (lr/(1 − β₁ᵗ))
typedef struct { float learning_rate, beta1, beta2, epsilon, scale_m, scale_g, scale_v; } strata_nadam_params;  ///< m̂, v̂ factors
typedef struct { float learning_rate, beta1, beta2; } strata_lion_params;

/// One step's rule: its kind and the parameters of that kind.
typedef struct {
    strata_update_kind kind;
    union {
        strata_sgd_params sgd;          ///< SGD, SGD_MOMENTUM, SGD_NESTEROV
        strata_adagrad_params adagrad;
        strata_rmsprop_params rmsprop;
        strata_adam_params adam;        ///< ADAM, ADAMAX
        strata_nadam_params nadam;
        strata_lion_params lion;
    } params;
} strata_update_rule;

/// Updates w[0..<n] in place from the gradient g and the rule's slots s0, s1, s2 (each n floats;
/// NULL where the rule or its options do not use them: RMSprop's s1 is the momentum, s2 the mean
/// gradient of the centered form; Adam's s2 is AMSGrad's v̂).
void strata_optimizer_update(const strata_update_rule *rule, float *restrict w, const float *restrict g,
                             float *restrict s0, float *restrict s1, float *restrict s2, long n);

// ---- batch normalization -------------------------------------------------------------------
// x, y, dy, dx: row-major [rows × cols], features in columns; each call handles the columns
// [c0, c1) (threads split the features). Per-feature arrays are indexed by the column.

/// Training forward: mean, biased variance (two passes, double sums), invstd = 1/√(variance + ε),
/// y = (x − mean)·invstd·γ + β (γ, β may be NULL: 1 and 0). `acc`: c1 − c0 doubles of scratch.
void strata_batchnorm_forward(const float *restrict x, long rows, long cols, long c0, long c1,
                              const float *restrict gamma, const float *restrict beta, float epsilon,
                              float *restrict y, float *restrict mean, float *restrict variance,
                              float *restrict invstd, double *restrict acc);

/// Training backward through the batch statistics: dβ = Σ dy, dγ = Σ dy·x̂ and, when dx is not
/// NULL, dx = γ·invstd/N·(N·dy − dβ − x̂·dγ). `acc`: 2·(c1 − c0) doubles of scratch.
void strata_batchnorm_backward(const float *restrict dy, const float *restrict x, long rows, long cols, long c0, long c1,
                               const float *restrict mean, const float *restrict invstd, const float *restrict gamma,
                               float *restrict dx, float *restrict dgamma, float *restrict dbeta, double *restrict acc);

/// y = x·scale + shift per column (inference-mode normalization with folded statistics).
void strata_scale_shift_columns(const float *restrict x, long rows, long cols, long c0, long c1,
                                const float *restrict scale, const float *restrict shift, float *restrict y);

#ifdef __cplusplus
}
#endif


// MARK: - Convolution and pooling (NHWC)

/// One 2-D geometry: input h × w, kernel (or pooling window) kh × kw, strides, dilations (1 for
/// pooling), padding at the top and left (the rest of "same" padding goes bottom/right), output
/// oh × ow.
typedef struct {
    long h, w, kh, kw, sh, sw, dh, dw, pad_top, pad_left, oh, ow;
} strata_conv_geometry;

/// Patches of images [n0, n1) of x [n, h, w, channels], channels [c0, c0 + cg): one row per
/// output pixel (n, oy, ox), columns (ky, kx, c) — the order of a [kh, kw, cg, filters] kernel.
/// Padding reads as 0.
void strata_im2col(const strata_conv_geometry *g, const float *x, long channels, long c0, long cg,
                   long n0, long n1, float *cols);
/// The adjoint of `strata_im2col`: channels [c0, c0 + cg) of dx's images [n0, n1) become the sum
/// of the patch entries that read them (zero where none does); other channels are not touched.
void strata_col2im(const strata_conv_geometry *g, const float *cols, long channels, long c0, long cg,
                   long n0, long n1, float *dx);
/// Max pooling of images [n0, n1); `argmax` gets each output's source index within its image
/// (the first maximum in row-major window order; padding is -inf and never chosen).
void strata_max_pool(const strata_conv_geometry *g, const float *x, long channels, long n0, long n1,
                     float *y, int *argmax);
/// The input gradient of images [n0, n1): zero but for each output gradient added to its maximum.
void strata_max_pool_backward(const strata_conv_geometry *g, const float *dy, const int *argmax,
                              long channels, long n0, long n1, float *dx);
/// Average pooling: the mean of the real (unpadded) elements of each window.
void strata_average_pool(const strata_conv_geometry *g, const float *x, long channels, long n0, long n1, float *y);
/// Spreads each output gradient evenly over its window's real elements (added into dx).
void strata_average_pool_backward(const strata_conv_geometry *g, const float *dy, long channels,
                                  long n0, long n1, float *dx);

// MARK: - Random numbers

/// Elements [4·b0, min(4·b1, count)) of a Philox4x32-10 stream with `key` (block b, sub-stream 0,
/// gives elements 4b ..< 4b+4 — `Philox4x32.block` in Swift), each word's top 24 bits as u in
/// [0, 1): `bernoulli` ? (u < probability ? 1 : 0) : lower + scale·u (no fused multiply-add).
void strata_philox_fill(uint64_t key, long b0, long b1, long count, int bernoulli, float lower, float scale,
                        float probability, float *out);

// MARK: - Direct convolution (NHWC), for patches of few taps

/// The most taps (kh·kw·cg) and filters per group the direct convolution takes.
#define STRATA_CONV_DIRECT_MAX_TAPS 288
#define STRATA_CONV_DIRECT_MAX_FILTERS 64

/// Floats per packed kernel row for fg filters: 8, 16, 32 or 64 (fg ≤ 64).
long strata_conv_direct_width(long fg);
/// Packs a group's kernel rows (taps rows of fg filters, leading dimension ldk) and its bias (fg
/// floats, or NULL for none) into packed[(taps + 1) × width], zero past fg; the bias is the last row.
void strata_conv_direct_pack(const float *kernel, long taps, long ldk, long fg, const float *bias, long width,
                             float *packed);
/// Images [n0, n1) of x [n, h, w, channels] into xp [n, hp, wp, channels] at (top, left), zeros
/// around (rows or columns past hp, wp are cut).
void strata_pad_images(const float *x, long h, long w, long channels, long top, long left, long hp, long wp,
                       long n0, long n1, float *xp);
/// Output rows [r0, r1) (pixels (n, oy, ox) in row order) of a convolution of group channels
/// [c0, c0 + cg) of x [n, g->h, g->w, channels] — already padded: g has no padding and every tap
/// lands inside — with a packed kernel: out[row·ldo + f] = bias + Σ taps (ReLU'd when relu), f < fg.
void strata_conv_direct_forward(const strata_conv_geometry *g, const float *x, long channels, long c0, long cg,
                                const float *packed, long fg, int has_bias, int relu, long r0, long r1, float *out,
                                long ldo);
/// Words per packed bfloat16 kernel row for fg filters: 32 or 64 (fg ≤ 64).
long strata_conv_direct_bf16_width(long fg);
/// A group's kernel for `strata_conv_direct_forward_bf16`: `by_filter` holds each filter's taps
/// as bfloat16 pairs (`strata_bf16_pack_a` of the transposed kernel, `pairs` words per filter);
/// packed[j·width + f] = pair j of filter f, zero past fg.
void strata_conv_direct_pack_bf16(const uint32_t *by_filter, long pairs, long fg, long width, uint32_t *packed);
/// `strata_conv_direct_forward` with bfloat16 operands summed in float32 (`vdpbf16ps`; only where
/// `strata_bf16_kernel_active`): x is the padded input as bfloat16 pairs of adjacent channels
/// (`strata_bf16_pack_a` of its [pixels, channels] rows; channels, c0 and cg even), `packed` the
/// kernel from `strata_conv_direct_pack_bf16`, `bias` NULL or the group's fg floats.
void strata_conv_direct_forward_bf16(const strata_conv_geometry *g, const uint32_t *x, long channels, long c0, long cg,
                                     const uint32_t *packed, const float *bias, long fg, int relu, long r0, long r1,
                                     float *out, long ldo);
/// The weight gradient of output rows [r0, r1): partial[t·width + f] = Σ_rows x[tap t of row] ·
/// d[row·ldg + f] for the taps (ky, kx, c) of group channels [c0, c0 + cg), width =
/// strata_conv_direct_width(fg) (lanes past fg hold garbage), where d = gz, or — when the ReLU'd
/// output y (same layout as gz) is given — gz where y > 0, ReLU's backward fused. bias_partial
/// (width floats, or NULL) gets Σ_rows d. gz and y point at the group's first column; gz_end
/// bounds every read of gz (and the same extent of y).
void strata_conv_direct_weight_gradient(const strata_conv_geometry *g, const float *x, long channels, long c0, long cg,
                                        const float *gz, const float *y, long ldg, const float *gz_end, long fg,
                                        long r0, long r1, float *partial, float *bias_partial);

// MARK: - Image warps (NHWC), for the augmentation and resizing layers

/// The geometry of an affine warp: input h × w × channels, output oh × ow × channels; how a
/// sample point maps to pixels (`interpolation`: 0 nearest, 1 bilinear) and what lies outside
/// the image (`fill_mode`: 0 reflect, 1 wrap, 2 constant `fill_value`, 3 nearest edge pixel) —
/// TensorFlow's `ImageProjectiveTransformV3`, which Keras' `affine_transform` calls.
typedef struct {
    long h, w, channels, oh, ow;
    int interpolation, fill_mode;
    float fill_value;
} strata_warp_geometry;

/// Warps images [n0, n1): output pixel (x, y) of image n samples the input at
/// (t[0]·x + t[1]·y + t[2], t[3]·x + t[4]·y + t[5]), t = transforms + 6n.
void strata_affine_warp(const strata_warp_geometry *g, const float *x, const float *transforms,
                        long n0, long n1, float *y);
/// The adjoint of `strata_affine_warp`: adds each output gradient into the input pixels it was
/// interpolated from (images [n0, n1) only).
void strata_affine_warp_backward(const strata_warp_geometry *g, const float *dy, const float *transforms,
                                 long n0, long n1, float *dx);

#endif
