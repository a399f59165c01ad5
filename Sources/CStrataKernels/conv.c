// Convolution and pooling over NHWC images: im2col / col2im for the GEMM-based convolution,
// and max / average pooling passes. One call handles images [n0, n1) so callers split batches
// across threads (each image's output and input gradient belong to one thread).
#include <string.h>
#include <math.h>
#include "strata_kernels.h"
#include "vector_math.h"

// One spatial geometry: input h × w, kernel kh × kw, strides, dilations, the top/left padding,
// output oh × ow.
#define GEOMETRY_LOOP(...)                                                               \
    for (long n = n0; n < n1; ++n)                                                         \
        for (long oy = 0; oy < g->oh; ++oy)                                                \
            for (long ox = 0; ox < g->ow; ++ox) {                                          \
                long row = (n * g->oh + oy) * g->ow + ox;                                  \
                __VA_ARGS__                                                                \
            }

// The kernel taps kx in [*first, *last) of output column ox that land inside the image.
static inline void inside_taps(const strata_conv_geometry *g, long ox, long *first, long *last) {
    long x0 = ox * g->sw - g->pad_left;
    long lo = x0 < 0 ? (-x0 + g->dw - 1) / g->dw : 0;
    long hi = g->w - x0 <= 0 ? 0 : (g->w - x0 + g->dw - 1) / g->dw;
    if (hi > g->kw) hi = g->kw;
    if (lo > hi) lo = hi;
    *first = lo; *last = hi;
}

STRATA_KERNEL(strata_im2col, (const strata_conv_geometry *g, const float *restrict x, long channels, long c0, long cg,
              long n0, long n1, float *restrict cols),
              (g, x, channels, c0, cg, n0, n1, cols)) {
    const long width = g->kh * g->kw * cg;
    // With every channel and undilated columns, the taps of one kernel row are contiguous input.
    const int contiguous = cg == channels && g->dw == 1;
    GEOMETRY_LOOP({
        float *out = cols + row * width;
        long first, last;
        inside_taps(g, ox, &first, &last);
        long ix0 = ox * g->sw - g->pad_left;
        for (long ky = 0; ky < g->kh; ++ky, out += g->kw * cg) {
            long iy = oy * g->sh - g->pad_top + ky * g->dh;
            if (iy < 0 || iy >= g->h || first >= last) {
                memset(out, 0, (size_t)(g->kw * cg) * sizeof(float));
                continue;
            }
            if (first > 0) memset(out, 0, (size_t)(first * cg) * sizeof(float));
            if (last < g->kw) memset(out + last * cg, 0, (size_t)((g->kw - last) * cg) * sizeof(float));
            const float *line = x + ((n * g->h + iy) * g->w) * channels + c0;
            if (contiguous) {
                // Short runs (one gray channel: kw floats) are copied inline; a memcpy call costs more.
                long count = (last - first) * cg;
                const float *src = line + (ix0 + first) * channels;
                float *dst = out + first * cg;
                if (count <= 16) { for (long i = 0; i < count; ++i) dst[i] = src[i]; }
                else memcpy(dst, src, (size_t)count * sizeof(float));
            } else {
                for (long kx = first; kx < last; ++kx) {
                    const float *in = line + (ix0 + kx * g->dw) * channels;
                    for (long c = 0; c < cg; ++c) out[kx * cg + c] = in[c];
                }
            }
        }
    })
}

STRATA_KERNEL(strata_col2im, (const strata_conv_geometry *g, const float *restrict cols, long channels, long c0, long cg,
              long n0, long n1, float *restrict dx),
              (g, cols, channels, c0, cg, n0, n1, dx)) {
    const long width = g->kh * g->kw * cg, pixels = g->h * g->w;
    const int contiguous = cg == channels && g->dw == 1;
    // Each image's channels [c0, c0 + cg) zeroed by the thread that then adds into them (in cache).
    for (long n = n0; n < n1; ++n) {
        float *image = dx + n * pixels * channels;
        if (cg == channels) memset(image, 0, (size_t)(pixels * channels) * sizeof(float));
        else for (long p = 0; p < pixels; ++p) memset(image + p * channels + c0, 0, (size_t)cg * sizeof(float));
    }
    GEOMETRY_LOOP({
        const float *in = cols + row * width;
        long first, last;
        inside_taps(g, ox, &first, &last);
        long ix0 = ox * g->sw - g->pad_left;
        for (long ky = 0; ky < g->kh; ++ky, in += g->kw * cg) {
            long iy = oy * g->sh - g->pad_top + ky * g->dh;
            if (iy < 0 || iy >= g->h || first >= last) continue;
            float *line = dx + ((n * g->h + iy) * g->w) * channels + c0;
            if (contiguous) {
                float *out = line + (ix0 + first) * channels;
                const float *src = in + first * cg;
                long count = (last - first) * cg;
                for (long i = 0; i < count; ++i) out[i] += src[i];
            } else {
                for (long kx = first; kx < last; ++kx) {
                    float *out = line + (ix0 + kx * g->dw) * channels;
                    for (long c = 0; c < cg; ++c) out[c] += in[kx * cg + c];
                }
            }
        }
    })
}

STRATA_KERNEL(strata_max_pool, (const strata_conv_geometry *g, const float *restrict x, long channels, long n0, long n1,
              float *restrict y, int *restrict argmax),
              (g, x, channels, n0, n1, y, argmax)) {
    GEOMETRY_LOOP({
        float *out = y + row * channels;
        int *where = argmax + row * channels;
        // The window's taps inside the image (padding is never chosen; a "same" window always
        // holds one). The first initializes; a strict comparison in row-major order keeps the
        // first of tied maxima (and a NaN taken first stays).
        const long y0 = oy * g->sh - g->pad_top, x0 = ox * g->sw - g->pad_left;
        long kx0 = 0, kx1 = g->kw;   // a window inside the image needs no division
        if (x0 < 0 || x0 + (g->kw - 1) * g->dw >= g->w) inside_taps(g, ox, &kx0, &kx1);
        const long ky0 = y0 < 0 ? -y0 : 0, ky1 = g->h - y0 < g->kh ? g->h - y0 : g->kh;
        if (ky0 >= ky1 || kx0 >= kx1) {
            for (long c = 0; c < channels; ++c) { out[c] = -INFINITY; where[c] = -1; }
            continue;
        }
        const float *image = x + n * g->h * g->w * channels;
        const int first = (int)(((y0 + ky0) * g->w + x0 + kx0) * channels);
        if (channels % 16 == 0) {
            // Sixteen channels at a time over the whole window, their maxima and indices in
            // registers (not stored and reloaded for every tap).
            for (long c0 = 0; c0 < channels; c0 += 16) {
                float best[16];
                int at[16];
                for (int c = 0; c < 16; ++c) { best[c] = image[first + c0 + c]; at[c] = first + (int)(c0 + c); }
                for (long ky = ky0; ky < ky1; ++ky) {
                    for (long kx = ky == ky0 ? kx0 + 1 : kx0; kx < kx1; ++kx) {
                        const int base = (int)(((y0 + ky) * g->w + x0 + kx) * channels + c0);
                        const float *in = image + base;
                        for (int c = 0; c < 16; ++c) {
                            const int better = in[c] > best[c];
                            best[c] = better ? in[c] : best[c];
                            at[c] = better ? base + c : at[c];
                        }
                    }
                }
                for (int c = 0; c < 16; ++c) { out[c0 + c] = best[c]; where[c0 + c] = at[c]; }
            }
            continue;
        }
        for (long c = 0; c < channels; ++c) { out[c] = image[first + c]; where[c] = first + (int)c; }
        for (long ky = ky0; ky < ky1; ++ky) {
            for (long kx = ky == ky0 ? kx0 + 1 : kx0; kx < kx1; ++kx) {
                const int base = (int)(((y0 + ky) * g->w + x0 + kx) * channels);
                const float *in = image + base;
                for (long c = 0; c < channels; ++c) {
                    const int better = in[c] > out[c];
                    out[c] = better ? in[c] : out[c];
                    where[c] = better ? base + (int)c : where[c];
                }
            }
        }
    })
}

STRATA_KERNEL(strata_max_pool_backward, (const strata_conv_geometry *g, const float *restrict dy, const int *restrict argmax,
              long channels, long n0, long n1, float *restrict dx),
              (g, dy, argmax, channels, n0, n1, dx)) {
    // Image by image: its gradient is zeroed just before the scatter, so both stay in cache.
    const long image_size = g->h * g->w * channels, outputs = g->oh * g->ow * channels;
    for (long n = n0; n < n1; ++n) {
        float *image = dx + n * image_size;
        memset(image, 0, (size_t)image_size * sizeof(float));
        const float *in = dy + n * outputs;
        const int *where = argmax + n * outputs;
        for (long i = 0; i < outputs; ++i)
            if (where[i] >= 0) image[where[i]] += in[i];
    }
}

// Average pooling divides by the number of real (unpadded) elements in the window.
static long window_count(const strata_conv_geometry *g, long oy, long ox) {
    long y0 = oy * g->sh - g->pad_top, x0 = ox * g->sw - g->pad_left;
    long rows = 0, cols = 0;
    for (long ky = 0; ky < g->kh; ++ky) rows += (y0 + ky >= 0 && y0 + ky < g->h);
    for (long kx = 0; kx < g->kw; ++kx) cols += (x0 + kx >= 0 && x0 + kx < g->w);
    return rows * cols;
}

STRATA_KERNEL(strata_average_pool, (const strata_conv_geometry *g, const float *restrict x, long channels, long n0, long n1,
              float *restrict y),
              (g, x, channels, n0, n1, y)) {
    GEOMETRY_LOOP({
        float *out = y + row * channels;
        for (long c = 0; c < channels; ++c) out[c] = 0;
        for (long ky = 0; ky < g->kh; ++ky) {
            long iy = oy * g->sh - g->pad_top + ky;
            if (iy < 0 || iy >= g->h) continue;
            for (long kx = 0; kx < g->kw; ++kx) {
                long ix = ox * g->sw - g->pad_left + kx;
                if (ix < 0 || ix >= g->w) continue;
                const float *in = x + ((n * g->h + iy) * g->w + ix) * channels;
                for (long c = 0; c < channels; ++c) out[c] += in[c];
            }
        }
        float scale = 1.0f / (float)window_count(g, oy, ox);
        for (long c = 0; c < channels; ++c) out[c] *= scale;
    })
}

STRATA_KERNEL(strata_average_pool_backward, (const strata_conv_geometry *g, const float *restrict dy, long channels,
              long n0, long n1, float *restrict dx),
              (g, dy, channels, n0, n1, dx)) {
    GEOMETRY_LOOP({
        const float *in = dy + row * channels;
        float scale = 1.0f / (float)window_count(g, oy, ox);
        for (long ky = 0; ky < g->kh; ++ky) {
            long iy = oy * g->sh - g->pad_top + ky;
            if (iy < 0 || iy >= g->h) continue;
            for (long kx = 0; kx < g->kw; ++kx) {
                long ix = ox * g->sw - g->pad_left + kx;
                if (ix < 0 || ix >= g->w) continue;
                float *out = dx + ((n * g->h + iy) * g->w + ix) * channels;
                for (long c = 0; c < channels; ++c) out[c] += in[c] * scale;
            }
        }
    })
}
