// Elementwise loops. Each switch case is one vectorizable loop; see vector_math.h for the math.
#include "strata_kernels.h"
#include "vector_math.h"
#include <math.h>

STRATA_KERNEL(strata_unary, (strata_unary_op op, const float *x, float *y, long n, float p),
              (op, x, y, n, p)) {
    switch (op) {
    case STRATA_NEG: for (long i = 0; i < n; ++i) y[i] = -x[i]; break;
    case STRATA_EXP: for (long i = 0; i < n; ++i) y[i] = sv_exp(x[i]); break;
    case STRATA_LOG: for (long i = 0; i < n; ++i) y[i] = sv_log(x[i]); break;
    case STRATA_SQRT: for (long i = 0; i < n; ++i) y[i] = SV_SQRT(x[i]); break;
    case STRATA_RSQRT: for (long i = 0; i < n; ++i) y[i] = 1.0f / SV_SQRT(x[i]); break;
    case STRATA_ABS: for (long i = 0; i < n; ++i) y[i] = __builtin_fabsf(x[i]); break;
    case STRATA_SIGN:
        for (long i = 0; i < n; ++i) y[i] = x[i] > 0 ? 1.0f : (x[i] < 0 ? -1.0f : (x[i] == 0 ? 0.0f : x[i]));
        break;
    case STRATA_TANH: for (long i = 0; i < n; ++i) y[i] = sv_tanh(x[i]); break;
    case STRATA_SIGMOID: for (long i = 0; i < n; ++i) y[i] = sv_sigmoid(x[i]); break;
    case STRATA_POW_SCALAR:
        if (p == 2.0f) { for (long i = 0; i < n; ++i) y[i] = x[i] * x[i]; }
        else if (p == 1.0f) { for (long i = 0; i < n; ++i) y[i] = x[i]; }
        else if (p == 0.5f) { for (long i = 0; i < n; ++i) y[i] = SV_SQRT(x[i]); }
        else { for (long i = 0; i < n; ++i) y[i] = powf(x[i], p); }
        break;
    case STRATA_SQUARE: for (long i = 0; i < n; ++i) y[i] = x[i] * x[i]; break;
    case STRATA_RECIPROCAL: for (long i = 0; i < n; ++i) y[i] = 1.0f / x[i]; break;
    case STRATA_ADD_SCALAR: for (long i = 0; i < n; ++i) y[i] = x[i] + p; break;
    case STRATA_MUL_SCALAR: for (long i = 0; i < n; ++i) y[i] = x[i] * p; break;
    // NaN propagates through maximum/minimum, as in NumPy and TensorFlow.
    case STRATA_MAX_SCALAR: for (long i = 0; i < n; ++i) y[i] = x[i] != x[i] ? x[i] : (x[i] > p ? x[i] : p); break;
    case STRATA_LOG1P: for (long i = 0; i < n; ++i) y[i] = sv_log1p(x[i]); break;
    case STRATA_EXPM1: for (long i = 0; i < n; ++i) y[i] = sv_expm1(x[i]); break;
    case STRATA_ERF: for (long i = 0; i < n; ++i) y[i] = sv_erf(x[i]); break;
    case STRATA_MIN_SCALAR: for (long i = 0; i < n; ++i) y[i] = x[i] != x[i] ? x[i] : (x[i] < p ? x[i] : p); break;
    }
}

#define BINARY_LOOP(expr)                                                          \
    if (sa && sb)                                                                  \
        for (long i = 0; i < n; ++i) { const float u = a[i], v = b[i]; y[i] = (expr); } \
    else if (sb)                                                                   \
        for (long i = 0; i < n; ++i) { const float u = a[0], v = b[i]; y[i] = (expr); } \
    else if (sa)                                                                   \
        for (long i = 0; i < n; ++i) { const float u = a[i], v = b[0]; y[i] = (expr); } \
    else                                                                           \
        for (long i = 0; i < n; ++i) { const float u = a[0], v = b[0]; y[i] = (expr); }

STRATA_KERNEL(strata_binary, (strata_binary_op op, const float *a, long sa, const float *b, long sb,
              float *y, long n),
              (op, a, sa, b, sb, y, n)) {
    switch (op) {
    case STRATA_ADD: BINARY_LOOP(u + v) break;
    case STRATA_SUB: BINARY_LOOP(u - v) break;
    case STRATA_MUL: BINARY_LOOP(u * v) break;
    case STRATA_DIV: BINARY_LOOP(u / v) break;
    case STRATA_MAX: BINARY_LOOP(u != u ? u : (v != v ? v : (u >= v ? u : v))) break;
    case STRATA_MIN: BINARY_LOOP(u != u ? u : (v != v ? v : (u <= v ? u : v))) break;
    case STRATA_POW: BINARY_LOOP(powf(u, v)) break;
    case STRATA_EQ: BINARY_LOOP(u == v ? 1.0f : 0.0f) break;
    case STRATA_NE: BINARY_LOOP(u != v ? 1.0f : 0.0f) break;
    case STRATA_LT: BINARY_LOOP(u < v ? 1.0f : 0.0f) break;
    case STRATA_LE: BINARY_LOOP(u <= v ? 1.0f : 0.0f) break;
    case STRATA_GT: BINARY_LOOP(u > v ? 1.0f : 0.0f) break;
    case STRATA_GE: BINARY_LOOP(u >= v ? 1.0f : 0.0f) break;
    }
}

STRATA_KERNEL(strata_gather_bytes, (const unsigned char *restrict source, long size, const long *restrict rows, long count,
              float scale, float *restrict out),
              (source, size, rows, count, scale, out)) {
    // The rows are scattered (a shuffled batch): fetching a few rows ahead overlaps their cache
    // misses, which one row at a time would wait for one after another.
    enum { AHEAD = 4 };
    for (long r = 0; r < count && r < AHEAD; ++r)
        for (long j = 0; j < size; j += 64) __builtin_prefetch(source + rows[r] * size + j);
    for (long r = 0; r < count; ++r) {
        if (r + AHEAD < count)
            for (long j = 0; j < size; j += 64) __builtin_prefetch(source + rows[r + AHEAD] * size + j);
        const unsigned char *row = source + rows[r] * size;
        float *destination = out + r * size;
        for (long j = 0; j < size; ++j) destination[j] = (float)row[j] * scale;
    }
}

void strata_transpose(const float *restrict source, long rows, long cols, long lds, float *restrict destination, long ldd) {
    enum { B = 16 };  // a 16 × 16 block: its 16 source rows stay in L1 while the block is written
    for (long r0 = 0; r0 < rows; r0 += B) {
        const long r1 = r0 + B < rows ? r0 + B : rows;
        for (long c0 = 0; c0 < cols; c0 += B) {
            const long c1 = c0 + B < cols ? c0 + B : cols;
            for (long c = c0; c < c1; ++c)
                for (long r = r0; r < r1; ++r) destination[c * ldd + r] = source[r * lds + c];
        }
    }
}

STRATA_KERNEL(strata_relu_backward_bias, (const float *restrict g, const float *restrict y, long rows, long cols,
              float *restrict gz, float *restrict bias_gradient, double *restrict acc),
              (g, y, rows, cols, gz, bias_gradient, acc)) {
    for (long j = 0; j < cols; ++j) acc[j] = 0;
    for (long r = 0; r < rows; ++r) {
        const float *gr = g + r * cols, *yr = y + r * cols;
        float *out = gz + r * cols;
        for (long j = 0; j < cols; ++j) { out[j] = yr[j] > 0 ? gr[j] : 0.0f; acc[j] += out[j]; }
    }
    if (bias_gradient) for (long j = 0; j < cols; ++j) bias_gradient[j] = (float)acc[j];
}
