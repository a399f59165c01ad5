// Affine image warps over NHWC images, with TensorFlow's `ImageProjectiveTransformV3` semantics
// (tensorflow/core/kernels/image/image_ops.h): each output pixel's sample point is mapped into
// the image by the fill mode, then read by nearest or bilinear interpolation, neighbours outside
// the image reading `fill_value`. One call handles images [n0, n1), so callers split a batch
// across threads and every image is computed the same way whatever the split.
#include <math.h>
#include "strata_kernels.h"
#include "vector_math.h"

// No fused multiply-adds: the sample points and weights round as TensorFlow's do, the same on
// every instruction set.
#pragma STDC FP_CONTRACT OFF

// A sample coordinate mapped into [0, len − 1] by the fill mode (constant leaves it alone: its
// neighbours outside the image read the fill value).
static inline __attribute__((always_inline)) float map_coordinate(float c, long len, int fill_mode) {
    switch (fill_mode) {
    case 0:  // reflect: (d c b a | a b c d | d c b a)
        if (c < 0) {
            if (len <= 1) c = 0;
            else {
                const long sz2 = 2 * len;
                if (c < sz2) c = (float)sz2 * (float)(long)(-c / (float)sz2) + c;
                c = c < (float)-len ? c + (float)sz2 : -c - 1;
            }
        } else if (c > (float)(len - 1)) {
            if (len <= 1) c = 0;
            else {
                const long sz2 = 2 * len;
                c -= (float)sz2 * (float)(long)(c / (float)sz2);
                if (c >= (float)len) c = (float)sz2 - c - 1;
            }
        }
        break;
    case 1:  // wrap: (a b c d | a b c d | a b c d)
        if (c < 0) {
            if (len <= 1) c = 0;
            else {
                const long sz = len - 1;
                c += (float)len * (float)((long)(-c / (float)sz) + 1);
            }
        } else if (c > (float)(len - 1)) {
            if (len <= 1) c = 0;
            else {
                const long sz = len - 1;
                c -= (float)len * (float)(long)(c / (float)sz);
            }
        }
        break;
    case 2:
        return c;
    default:  // nearest: (a a a a | a b c d | d d d d)
        break;
    }
    return c < 0 ? 0 : c > (float)(len - 1) ? (float)(len - 1) : c;
}

// The (up to four) input pixels of one sample point and their weights; an index of −1 is a
// neighbour outside the image (it reads the fill value).
// `wx`/`wy` are the bilinear factors along x and y (TensorFlow's x_ceil − x, x − x_floor, …).
typedef struct { long index[4]; float weight[4]; float wx[2], wy[2]; int count; } taps;

static inline long pixel(const strata_warp_geometry *g, long y, long x) {
    return (0 <= y && y < g->h && 0 <= x && x < g->w) ? y * g->w + x : -1;
}

static inline __attribute__((always_inline)) taps sample_taps(const strata_warp_geometry *g, const float *t, long ox, long oy) {
    const float fx = (float)ox, fy = (float)oy;
    const float sx = map_coordinate(t[0] * fx + t[1] * fy + t[2], g->w, g->fill_mode);
    const float sy = map_coordinate(t[3] * fx + t[4] * fy + t[5], g->h, g->fill_mode);
    taps s;
    if (g->interpolation == 0) {
        s.count = 1;
        s.index[0] = pixel(g, (long)roundf(sy), (long)roundf(sx));
        s.weight[0] = 1;
        return s;
    }
    const float y0 = floorf(sy), x0 = floorf(sx), y1 = y0 + 1, x1 = x0 + 1;
    s.count = 4;
    s.wx[0] = x1 - sx; s.wx[1] = sx - x0; s.wy[0] = y1 - sy; s.wy[1] = sy - y0;
    s.index[0] = pixel(g, (long)y0, (long)x0); s.weight[0] = s.wy[0] * s.wx[0];
    s.index[1] = pixel(g, (long)y0, (long)x1); s.weight[1] = s.wy[0] * s.wx[1];
    s.index[2] = pixel(g, (long)y1, (long)x0); s.weight[2] = s.wy[1] * s.wx[0];
    s.index[3] = pixel(g, (long)y1, (long)x1); s.weight[3] = s.wy[1] * s.wx[1];
    return s;
}

// The bilinear or nearest value of an interior sample point (px, py) — all four neighbours in
// the image — for `c` channels; the same arithmetic as the general path.
static inline __attribute__((always_inline)) void interior(const float *image, long w, long c, int bilinear, float px, float py,
                                                           float *out) {
    if (!bilinear) {
        const float *p = image + ((long)roundf(py) * w + (long)roundf(px)) * c;
        for (long k = 0; k < c; ++k) out[k] = p[k];
        return;
    }
    const float x0 = (float)(long)px, y0 = (float)(long)py;   // floor of a non-negative point
    const float wx0 = (x0 + 1) - px, wx1 = px - x0, wy0 = (y0 + 1) - py, wy1 = py - y0;
    const float *p0 = image + ((long)y0 * w + (long)x0) * c, *p1 = p0 + w * c;
    for (long k = 0; k < c; ++k) {
        const float upper = wx0 * p0[k] + wx1 * p0[k + c], lower = wx0 * p1[k] + wx1 * p1[k + c];
        out[k] = wy0 * upper + wy1 * lower;
    }
}

STRATA_KERNEL(strata_affine_warp, (const strata_warp_geometry *g, const float *restrict x, const float *restrict transforms,
              long n0, long n1, float *restrict y),
              (g, x, transforms, n0, n1, y)) {
    const long c = g->channels, h = g->h, w = g->w, oh = g->oh, ow = g->ow;
    const int bilinear = g->interpolation != 0;
    const float right = (float)(w - 1), bottom = (float)(h - 1), fill = g->fill_value;
    for (long n = n0; n < n1; ++n) {
        const float *t = transforms + 6 * n;
        const float t0 = t[0], t1 = t[1], t2 = t[2], t3 = t[3], t4 = t[4], t5 = t[5];
        const float *image = x + n * h * w * c;
        float *out = y + n * oh * ow * c;
        for (long oy = 0; oy < oh; ++oy)
            for (long ox = 0; ox < ow; ++ox, out += c) {
                // Inside the image (most sample points) every fill mode maps a point to itself and
                // all four neighbours exist: no mapping and no checks.
                const float fx = (float)ox, fy = (float)oy;
                const float px = t0 * fx + t1 * fy + t2, py = t3 * fx + t4 * fy + t5;
                if (px >= 0 && py >= 0 && px < right && py < bottom) {
                    if (c == 1) interior(image, w, 1, bilinear, px, py, out);
                    else interior(image, w, c, bilinear, px, py, out);
                    continue;
                }
                const taps s = sample_taps(g, t, ox, oy);
                if (s.count == 1) {
                    const float *p = s.index[0] >= 0 ? image + s.index[0] * c : 0;
                    for (long k = 0; k < c; ++k) out[k] = p ? p[k] : fill;
                    continue;
                }
                // TensorFlow's order: along x on the upper and lower rows, then along y.
                const float *p[4];
                for (int i = 0; i < 4; ++i) p[i] = s.index[i] >= 0 ? image + s.index[i] * c : 0;
                for (long k = 0; k < c; ++k) {
                    const float v00 = p[0] ? p[0][k] : fill, v01 = p[1] ? p[1][k] : fill;
                    const float v10 = p[2] ? p[2][k] : fill, v11 = p[3] ? p[3][k] : fill;
                    const float upper = s.wx[0] * v00 + s.wx[1] * v01, lower = s.wx[0] * v10 + s.wx[1] * v11;
                    out[k] = s.wy[0] * upper + s.wy[1] * lower;
                }
            }
    }
}

STRATA_KERNEL(strata_affine_warp_backward, (const strata_warp_geometry *g, const float *restrict dy, const float *restrict transforms,
              long n0, long n1, float *restrict dx),
              (g, dy, transforms, n0, n1, dx)) {
    const long c = g->channels;
    for (long n = n0; n < n1; ++n) {
        const float *t = transforms + 6 * n;
        float *image = dx + n * g->h * g->w * c;
        const float *grad = dy + n * g->oh * g->ow * c;
        for (long oy = 0; oy < g->oh; ++oy)
            for (long ox = 0; ox < g->ow; ++ox, grad += c) {
                const taps s = sample_taps(g, t, ox, oy);
                for (int i = 0; i < s.count; ++i) {
                    if (s.index[i] < 0 || s.weight[i] == 0) continue;
                    float *target = image + s.index[i] * c;
                    for (long k = 0; k < c; ++k) target[k] += s.weight[i] * grad[k];
                }
            }
    }
}
