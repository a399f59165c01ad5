// Direct convolution over NHWC images for patches of few taps (a first layer's 3×3×1 or 5×5×3):
// there the im2col + GEMM path spends more time writing and packing the patch matrix than
// multiplying (K = kh·kw·cg is 9–32), and a GEMM with a few filters fills a fraction of its
// register tile. Here the filters are the vector lanes: each output pixel's accumulators are
// one to four vectors of 8 or 16 filters, every tap is one broadcast input value times one kernel
// row, and the weight gradient keeps a block of taps' rows in registers while it streams the
// output gradient once. Bias and ReLU are fused into the output pass.
//
// The input is read without bounds checks: the caller passes an image already padded so that
// every tap of every output lands inside it (geometry with pad 0). Floats are summed in tap
// order, so a pixel's result does not depend on how rows are split between threads.
#include <string.h>
#include "strata_kernels.h"
#include "vector_math.h"

typedef float v8f __attribute__((ext_vector_type(8)));
typedef float v16f __attribute__((ext_vector_type(16)));
typedef int v8i __attribute__((ext_vector_type(8)));
typedef int v16i __attribute__((ext_vector_type(16)));

long strata_conv_direct_width(long fg) {
    return fg <= 8 ? 8 : fg <= 16 ? 16 : fg <= 32 ? 32 : 64;
}

void strata_conv_direct_pack(const float *kernel, long taps, long ldk, long fg, const float *bias, long width,
                             float *packed) {
    for (long t = 0; t <= taps; ++t) {
        float *row = packed + t * width;
        const float *source = t < taps ? kernel + t * ldk : bias;
        for (long f = 0; f < width; ++f) row[f] = source != NULL && f < fg ? source[f] : 0.0f;
    }
}

STRATA_KERNEL(strata_pad_images, (const float *restrict x, long h, long w, long channels, long top, long left, long hp,
              long wp, long n0, long n1, float *restrict xp),
              (x, h, w, channels, top, left, hp, wp, n0, n1, xp)) {
    const long line = w * channels;
    for (long n = n0; n < n1; ++n) {
        float *image = xp + n * hp * wp * channels;
        memset(image, 0, (size_t)(hp * wp * channels) * sizeof(float));
        const long copied = (left + w <= wp ? w : wp - left) * channels;
        if (copied <= 0) continue;
        for (long y = 0; y < h && top + y < hp; ++y)
            memcpy(image + ((top + y) * wp + left) * channels, x + (n * h + y) * line, (size_t)copied * sizeof(float));
    }
}

// Input offsets of the taps, in the kernel's (ky, kx, c) order, relative to an output pixel's
// first input element.
static long tap_offsets(const strata_conv_geometry *g, long channels, long cg, long *offsets) {
    long t = 0;
    for (long ky = 0; ky < g->kh; ++ky)
        for (long kx = 0; kx < g->kw; ++kx)
            for (long c = 0; c < cg; ++c) offsets[t++] = (ky * g->dh * g->w + kx * g->dw) * channels + c;
    return t;
}

// Walks output pixels in row order (n, oy, ox), giving each one's first input element.
typedef struct { long n, oy, ox; } pixel_cursor;

static inline pixel_cursor cursor_at(const strata_conv_geometry *g, long row) {
    pixel_cursor p = {row / (g->oh * g->ow), (row / g->ow) % g->oh, row % g->ow};
    return p;
}

// The input pixel (n, oy·sh, ox·sw) where an output pixel's window starts, as a pixel index.
static inline long cursor_pixel(const strata_conv_geometry *g, pixel_cursor p) {
    return (p.n * g->h + p.oy * g->sh) * g->w + p.ox * g->sw;
}

static inline const float *cursor_input(const strata_conv_geometry *g, const float *x, long channels, pixel_cursor p) {
    return x + cursor_pixel(g, p) * channels;
}

static inline void cursor_advance(const strata_conv_geometry *g, pixel_cursor *p) {
    if (++p->ox == g->ow) {
        p->ox = 0;
        if (++p->oy == g->oh) { p->oy = 0; ++p->n; }
    }
}

// ReLU that keeps NaN (as the elementwise ReLU does).
#define RELU(V, I, a) ((V)((I)((a) > 0 | (a) != (a)) & (I)(a)))

// Each kernel comes in four widths — one vector of 8 lanes, or one, two or four of 16 (8, 16, 32
// or 64 filters) — and two register files: AVX-512's 32 vector registers take a larger block
// (of output pixels, or of taps) than AVX2's and SSE2's 16. A kind's blocks are listed once, in
// the order (8 wide, 8 narrow, 16 wide, 16 narrow, 32 wide, 32 narrow, 64 wide, 64 narrow), and
// both the definitions and the dispatch read them.
#define FORWARD_BLOCKS 12, 6, 12, 3, 6, 2, 4, 1
#define WEIGHT_GRADIENT_BLOCKS 26, 6, 26, 3, 12, 2, 6, 1
#define WITH_BLOCKS(M, ...) M(__VA_ARGS__)   // expands a BLOCKS list into M's arguments

#define DEFINE_VARIANTS(DEFINE, kind, w8, n8, w16, n16, w32, n32, w64, n64)                            \
    DEFINE(kind##_8x1_wide, v8f, v8i, 8, 1, w8) DEFINE(kind##_8x1_narrow, v8f, v8i, 8, 1, n8)           \
    DEFINE(kind##_16x1_wide, v16f, v16i, 16, 1, w16) DEFINE(kind##_16x1_narrow, v16f, v16i, 16, 1, n16) \
    DEFINE(kind##_16x2_wide, v16f, v16i, 16, 2, w32) DEFINE(kind##_16x2_narrow, v16f, v16i, 16, 2, n32) \
    DEFINE(kind##_16x4_wide, v16f, v16i, 16, 4, w64) DEFINE(kind##_16x4_narrow, v16f, v16i, 16, 4, n64)

// RUN(variant, block) for the variant of `width` floats on this register file (`wide`).
#define RUN_VARIANT(RUN, kind, w8, n8, w16, n16, w32, n32, w64, n64)                                    \
    switch (width == 8 ? 0 : width / 16) {                                                              \
    case 0: if (wide) { RUN(kind##_8x1_wide, w8) } else { RUN(kind##_8x1_narrow, n8) } break;            \
    case 1: if (wide) { RUN(kind##_16x1_wide, w16) } else { RUN(kind##_16x1_narrow, n16) } break;        \
    case 2: if (wide) { RUN(kind##_16x2_wide, w32) } else { RUN(kind##_16x2_narrow, n32) } break;        \
    default: if (wide) { RUN(kind##_16x4_wide, w64) } else { RUN(kind##_16x4_narrow, n64) } break;       \
    }

// P output pixels × FB vectors of LANES filters. `dst[p]` NULL: pixel p is past the range (its
// `src[p]` repeats a valid pixel).
#define DEFINE_FORWARD(NAME, V, I, LANES, FB, P)                                                        \
    static inline __attribute__((always_inline, min_vector_width(512))) void NAME(                                            \
        const float *const *src, const long *offsets, long taps, const float *packed, long width,      \
        int has_bias, int relu, float *const *dst, long fg) {                                           \
        V acc[P][FB];                                                                                   \
        _Pragma("clang loop unroll(full)") for (int b = 0; b < FB; ++b) {                                                                  \
            V start = (V)0.0f;                                                                          \
            if (has_bias) memcpy(&start, packed + taps * width + b * LANES, sizeof start);              \
            _Pragma("clang loop unroll(full)") for (int p = 0; p < P; ++p) acc[p][b] = start;                                              \
        }                                                                                               \
        for (long t = 0; t < taps; ++t) {                                                               \
            V k[FB];                                                                                    \
            _Pragma("clang loop unroll(full)") for (int b = 0; b < FB; ++b) memcpy(&k[b], packed + t * width + b * LANES, sizeof k[b]);    \
            const long o = offsets[t];                                                                  \
            _Pragma("clang loop unroll(full)") for (int p = 0; p < P; ++p) {                                                               \
                const V a = (V)src[p][o];                                                               \
                _Pragma("clang loop unroll(full)") for (int b = 0; b < FB; ++b) acc[p][b] = acc[p][b] + a * k[b];                          \
            }                                                                                           \
        }                                                                                               \
        _Pragma("clang loop unroll(full)") for (int p = 0; p < P; ++p) {                                                                   \
            if (dst[p] == NULL) continue;                                                               \
            _Pragma("clang loop unroll(full)") for (int b = 0; b < FB; ++b) {                                                              \
                V r = relu ? RELU(V, I, acc[p][b]) : acc[p][b];                                         \
                const long left = fg - b * LANES;                                                       \
                if (left >= LANES) memcpy(dst[p] + b * LANES, &r, sizeof r);                            \
                else if (left > 0) memcpy(dst[p] + b * LANES, &r, (size_t)left * sizeof(float));        \
            }                                                                                           \
        }                                                                                               \
    }

WITH_BLOCKS(DEFINE_VARIANTS, DEFINE_FORWARD, forward, FORWARD_BLOCKS)

// Output rows [r0, r1) in blocks of P pixels, then CALL: src[p] is pixel p's first input element
// (x holds `stride` elements of type T per input pixel; the group's start at `first`), dst[p]
// its output row — NULL past r1, where src[p] repeats a valid pixel.
#define PIXEL_BLOCKS(T, P, stride, first, CALL)                                                         \
    for (long row = r0; row < r1; row += P) {                                                           \
        const T *src[P];                                                                                \
        float *dst[P];                                                                                  \
        _Pragma("clang loop unroll(full)") for (int p = 0; p < P; ++p) {                                \
            if (row + p < r1) {                                                                         \
                src[p] = x + cursor_pixel(g, cursor) * (stride) + (first);                              \
                dst[p] = out + (row + p) * ldo;                                                         \
                cursor_advance(g, &cursor);                                                             \
            } else {                                                                                    \
                src[p] = src[0];                                                                        \
                dst[p] = NULL;                                                                          \
            }                                                                                           \
        }                                                                                               \
        CALL;                                                                                           \
    }

#define FORWARD_ROWS(FN, P) \
    PIXEL_BLOCKS(float, P, channels, c0, FN(src, offsets, taps, packed, width, has_bias, relu, dst, fg))

STRATA_KERNEL(strata_conv_direct_forward, (const strata_conv_geometry *g, const float *x, long channels, long c0,
              long cg, const float *packed, long fg, int has_bias, int relu, long r0, long r1, float *out, long ldo),
              (g, x, channels, c0, cg, packed, fg, has_bias, relu, r0, r1, out, ldo)) {
    long offsets[STRATA_CONV_DIRECT_MAX_TAPS];
    const long taps = tap_offsets(g, channels, cg, offsets), width = strata_conv_direct_width(fg);
    const int wide = strata_active_isa() == STRATA_ISA_AVX512;
    pixel_cursor cursor = cursor_at(g, r0);
    WITH_BLOCKS(RUN_VARIANT, FORWARD_ROWS, forward, FORWARD_BLOCKS)
}

// FB vectors from `row`, whole vectors where that stays before `end`, else zero-filled past it.
#define LOAD_ROW(V, FB, LANES, dst, row, end)                                                          \
    if ((row) + FB * LANES <= (end)) {                                                                  \
        _Pragma("clang loop unroll(full)") for (int b = 0; b < FB; ++b) memcpy(&dst[b], (row) + b * LANES, sizeof dst[b]); \
    } else {                                                                                            \
        float tail[FB * LANES] = {0};                                                                   \
        for (long f = 0; f < FB * LANES && (row) + f < (end); ++f) tail[f] = (row)[f];                  \
        _Pragma("clang loop unroll(full)") for (int b = 0; b < FB; ++b) memcpy(&dst[b], tail + b * LANES, sizeof dst[b]); \
    }

// T taps × FB vectors of LANES filters of the weight gradient, over output pixels [r0, r1):
// acc[t] = Σ_row x[row's input + offsets[t]] · d[row], d = gz, or gz where y > 0 (ReLU's backward,
// fused) when y is given; bias_sum = Σ_row d[row]. Rows of gz and y are read whole vectors wide
// (lanes past fg are discarded), except where that would pass `gz_end`.
#define DEFINE_WEIGHT_GRADIENT(NAME, V, I, LANES, FB, T)                                                   \
    static inline __attribute__((always_inline, min_vector_width(512))) void NAME(                                            \
        const strata_conv_geometry *g, const float *x, long channels, const long *offsets, long nt,     \
        const float *gz, const float *y, long ldg, const float *gz_end, long r0, long r1, float *partial,  \
        float *bias_partial, long width) {                                                              \
        V acc[T][FB], bias_sum[FB];                                                                     \
        _Pragma("clang loop unroll(full)") for (int b = 0; b < FB; ++b) bias_sum[b] = (V)0.0f;          \
        _Pragma("clang loop unroll(full)") for (int t = 0; t < T; ++t)                                  \
            _Pragma("clang loop unroll(full)") for (int b = 0; b < FB; ++b) acc[t][b] = (V)0.0f;        \
        long o[T];                                                                                      \
        _Pragma("clang loop unroll(full)") for (int t = 0; t < T; ++t) o[t] = offsets[t < nt ? t : 0];                                     \
        pixel_cursor cursor = cursor_at(g, r0);                                                         \
        for (long row = r0; row < r1; ++row) {                                                          \
            const float *in = cursor_input(g, x, channels, cursor);                                     \
            V d[FB];                                                                                    \
            LOAD_ROW(V, FB, LANES, d, gz + row * ldg, gz_end)                                           \
            if (y != NULL) {                                                                            \
                V live[FB];                                                                             \
                LOAD_ROW(V, FB, LANES, live, y + row * ldg, y + (gz_end - gz))                          \
                _Pragma("clang loop unroll(full)") for (int b = 0; b < FB; ++b) d[b] = (V)((I)d[b] & (I)(live[b] > 0)); \
            }                                                                                           \
            _Pragma("clang loop unroll(full)") for (int b = 0; b < FB; ++b) bias_sum[b] = bias_sum[b] + d[b]; \
            _Pragma("clang loop unroll(full)") for (int t = 0; t < T; ++t) {                                                               \
                const V a = (V)in[o[t]];                                                                \
                _Pragma("clang loop unroll(full)") for (int b = 0; b < FB; ++b) acc[t][b] = acc[t][b] + a * d[b];                          \
            }                                                                                           \
            cursor_advance(g, &cursor);                                                                 \
        }                                                                                               \
        _Pragma("clang loop unroll(full)") for (int t = 0; t < T && t < nt; ++t)                                                           \
            _Pragma("clang loop unroll(full)") for (int b = 0; b < FB; ++b) memcpy(partial + t * width + b * LANES, &acc[t][b], sizeof acc[t][b]); \
        if (bias_partial != NULL)                                                                       \
            _Pragma("clang loop unroll(full)") for (int b = 0; b < FB; ++b) memcpy(bias_partial + b * LANES, &bias_sum[b], sizeof bias_sum[b]); \
    }

WITH_BLOCKS(DEFINE_VARIANTS, DEFINE_WEIGHT_GRADIENT, weight_gradient, WEIGHT_GRADIENT_BLOCKS)

// Passes over the rows, each with a block of at most T taps (blocks balanced: ⌈taps / passes⌉).
#define WEIGHT_GRADIENT_PASSES(FN, T)                                                                   \
    {                                                                                                   \
        const long passes = (taps + T - 1) / T, block = (taps + passes - 1) / passes;                   \
        for (long t0 = 0; t0 < taps; t0 += block) {                                                     \
            const long nt = taps - t0 < block ? taps - t0 : block;                                      \
            FN(g, x + c0, channels, offsets + t0, nt, gz, y, ldg, gz_end, r0, r1, partial + t0 * width,    \
               t0 == 0 ? bias_partial : NULL, width);                                                   \
        }                                                                                               \
    }

STRATA_KERNEL(strata_conv_direct_weight_gradient, (const strata_conv_geometry *g, const float *x, long channels,
              long c0, long cg, const float *gz, const float *y, long ldg, const float *gz_end, long fg, long r0,
              long r1, float *partial, float *bias_partial),
              (g, x, channels, c0, cg, gz, y, ldg, gz_end, fg, r0, r1, partial, bias_partial)) {
    long offsets[STRATA_CONV_DIRECT_MAX_TAPS];
    const long taps = tap_offsets(g, channels, cg, offsets), width = strata_conv_direct_width(fg);
    const int wide = strata_active_isa() == STRATA_ISA_AVX512;
    WITH_BLOCKS(RUN_VARIANT, WEIGHT_GRADIENT_PASSES, weight_gradient, WEIGHT_GRADIENT_BLOCKS)
}

// MARK: - bfloat16 (AVX-512 BF16)
//
// The forward pass with bfloat16 operands, as the GEMM's bfloat16 path computes a convolution
// (Keras' mixed_bfloat16): the input converted once into bfloat16 pairs of adjacent channels —
// NHWC with an even channel count is already that layout, one 4-byte word per channel pair —
// and the kernel into words of the same two taps for each filter. `vdpbf16ps` then adds both
// products of a pair to each filter's float32 accumulator: half the instructions of the float32
// kernel, and half the bytes read.

long strata_conv_direct_bf16_width(long fg) { return fg <= 32 ? 32 : 64; }

void strata_conv_direct_pack_bf16(const uint32_t *by_filter, long pairs, long fg, long width, uint32_t *packed) {
    for (long j = 0; j < pairs; ++j)
        for (long f = 0; f < width; ++f) packed[j * width + f] = f < fg ? by_filter[f * pairs + j] : 0;
}

#if defined(__x86_64__) && defined(__clang__)
#include <immintrin.h>

#define BF16_TARGET __attribute__((target("avx512f,avx512vl,avx512bw,avx512bf16")))

// The first `count` of 16 lanes (none when count ≤ 0, all when ≥ 16).
BF16_TARGET static inline __mmask16 lanes_below(long count) {
    return count >= 16 ? (__mmask16)0xFFFF : count <= 0 ? (__mmask16)0 : (__mmask16)((1u << count) - 1);
}

// Blocks of output pixels for 32 and 64 filters (2 and 4 vectors of accumulators per pixel).
enum { BF16_BLOCK_32 = 6, BF16_BLOCK_64 = 4 };

// P output pixels × FB vectors of 16 filters; `src[p]` the pixel's first input word; `bias` fg floats.
#define DEFINE_BF16_FORWARD(NAME, FB, P)                                                                \
    BF16_TARGET static inline __attribute__((always_inline)) void NAME(                                 \
        const uint32_t *const *src, const long *offsets, long pairs, const uint32_t *packed, long width,  \
        const float *bias, int relu, float *const *dst, long fg) {                                      \
        __m512 acc[P][FB];                                                                              \
        _Pragma("clang loop unroll(full)") for (int b = 0; b < FB; ++b) {                               \
            const __m512 start = bias ? _mm512_maskz_loadu_ps(lanes_below(fg - 16 * b), bias + 16 * b)  \
                                      : _mm512_setzero_ps();                                            \
            _Pragma("clang loop unroll(full)") for (int p = 0; p < P; ++p) acc[p][b] = start;           \
        }                                                                                               \
        for (long t = 0; t < pairs; ++t) {                                                              \
            __m512bh k[FB];                                                                             \
            _Pragma("clang loop unroll(full)") for (int b = 0; b < FB; ++b)                             \
                k[b] = (__m512bh)_mm512_loadu_si512(packed + t * width + 16 * b);                        \
            const long o = offsets[t];                                                                  \
            _Pragma("clang loop unroll(full)") for (int p = 0; p < P; ++p) {                            \
                const __m512bh a = (__m512bh)_mm512_set1_epi32((int)src[p][o]);                         \
                _Pragma("clang loop unroll(full)") for (int b = 0; b < FB; ++b)                         \
                    acc[p][b] = _mm512_dpbf16_ps(acc[p][b], k[b], a);                                   \
            }                                                                                           \
        }                                                                                               \
        _Pragma("clang loop unroll(full)") for (int p = 0; p < P; ++p) {                                \
            if (dst[p] == NULL) continue;                                                               \
            _Pragma("clang loop unroll(full)") for (int b = 0; b < FB; ++b) {                           \
                __m512 r = acc[p][b];                                                                   \
                /* ReLU keeping NaN: r where r > 0 or r is NaN (not-less-equal, unordered), else 0 */         \
                if (relu) r = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(r, _mm512_setzero_ps(), _CMP_NLE_UQ), r); \
                _mm512_mask_storeu_ps(dst[p] + 16 * b, lanes_below(fg - 16 * b), r);                    \
            }                                                                                           \
        }                                                                                               \
    }

DEFINE_BF16_FORWARD(forward_bf16_32, 2, BF16_BLOCK_32)
DEFINE_BF16_FORWARD(forward_bf16_64, 4, BF16_BLOCK_64)

#define BF16_FORWARD_ROWS(FN, P) \
    PIXEL_BLOCKS(uint32_t, P, words, c0 / 2, FN(src, offsets, pairs, packed, width, bias, relu, dst, fg))

BF16_TARGET void strata_conv_direct_forward_bf16(const strata_conv_geometry *g, const uint32_t *x, long channels,
                                                 long c0, long cg, const uint32_t *packed, const float *bias, long fg,
                                                 int relu, long r0, long r1, float *out, long ldo) {
    // The word offsets of the tap pairs (ky, kx, c..c+1), c even.
    long offsets[STRATA_CONV_DIRECT_MAX_TAPS / 2];
    const long words = channels / 2, width = strata_conv_direct_bf16_width(fg);
    long pairs = 0;
    for (long ky = 0; ky < g->kh; ++ky)
        for (long kx = 0; kx < g->kw; ++kx)
            for (long c = 0; c < cg; c += 2) offsets[pairs++] = (ky * g->dh * g->w + kx * g->dw) * words + c / 2;
    pixel_cursor cursor = cursor_at(g, r0);
    if (width == 32) { BF16_FORWARD_ROWS(forward_bf16_32, BF16_BLOCK_32) } else { BF16_FORWARD_ROWS(forward_bf16_64, BF16_BLOCK_64) }
}
#else   // never called: strata_bf16_kernel_active is 0 here
void strata_conv_direct_forward_bf16(const strata_conv_geometry *g, const uint32_t *x, long channels, long c0, long cg,
                                     const uint32_t *packed, const float *bias, long fg, int relu, long r0, long r1,
                                     float *out, long ldo) {
    (void)g, (void)x, (void)channels, (void)c0, (void)cg, (void)packed, (void)bias, (void)fg, (void)relu;
    (void)r0, (void)r1, (void)out, (void)ldo;
}
#endif
