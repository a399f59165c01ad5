// Batch normalization over the rows of a row-major x [rows × cols] (features in columns), for
// the columns [c0, c1) — so that threads can split the features. Sums accumulate in double.
#include "strata_kernels.h"
#include "vector_math.h"

// Column sums over the rows of x[rows × cols] from column c0, w columns, into acc[w]: four rows
// at a time (their sum in double, then into the accumulator), so that acc is loaded and stored
// once per four rows; the values summed are term(x) — x itself, or a square of a deviation.
#define COLUMN_SUMS(term)                                                                      \
    {                                                                                          \
        for (long j = 0; j < w; ++j) acc[j] = 0;                                               \
        long r = 0;                                                                            \
        for (; r + 4 <= rows; r += 4) {                                                        \
            const float *a = x + r * cols + c0, *b = a + cols, *c = b + cols, *d = c + cols;   \
            for (long j = 0; j < w; ++j)                                                       \
                acc[j] += ((double)term(a, j) + (double)term(b, j)) + ((double)term(c, j) + (double)term(d, j)); \
        }                                                                                      \
        for (; r < rows; ++r) {                                                                \
            const float *a = x + r * cols + c0;                                                \
            for (long j = 0; j < w; ++j) acc[j] += (double)term(a, j);                         \
        }                                                                                      \
    }
#define VALUE(row, j) (row)[j]
#define SQUARED_DEVIATION(row, j) (((row)[j] - m[j]) * ((row)[j] - m[j]))

STRATA_KERNEL(strata_batchnorm_forward, (const float *restrict x, long rows, long cols, long c0, long c1,
              const float *restrict gamma, const float *restrict beta, float epsilon,
              float *restrict y, float *restrict mean, float *restrict variance,
              float *restrict invstd, double *restrict acc),
              (x, rows, cols, c0, c1, gamma, beta, epsilon, y, mean, variance, invstd, acc)) {
    const long w = c1 - c0;
    const double inverse_rows = 1.0 / (double)rows;
    float *restrict m = mean + c0;
    COLUMN_SUMS(VALUE)
    for (long j = 0; j < w; ++j) m[j] = (float)(acc[j] * inverse_rows);
    // Two passes, as Keras: variance = mean((x − mean)²), biased.
    COLUMN_SUMS(SQUARED_DEVIATION)
    // The output as Keras' backends compute it (keras/src/backend/*/nn.py batch_normalization,
    // TensorFlow's tf.nn.batch_normalization): inv = γ/√(variance + ε), y = x·inv + (β − mean·inv).
    // acc's w doubles hold inv and the shift (2w floats) from here on.
    float *restrict scale = (float *)acc, *restrict shift = scale + w;
    for (long j = 0; j < w; ++j) {
        const long c = c0 + j;
        variance[c] = (float)(acc[j] * inverse_rows);
        invstd[c] = 1.0f / SV_SQRT(variance[c] + epsilon);
    }
    for (long j = 0; j < w; ++j) {
        const long c = c0 + j;
        scale[j] = invstd[c] * (gamma ? gamma[c] : 1.0f);
        shift[j] = (beta ? beta[c] : 0.0f) - m[j] * scale[j];
    }
    for (long r = 0; r < rows; ++r) {
        const float *row = x + r * cols + c0;
        float *out = y + r * cols + c0;
        for (long j = 0; j < w; ++j) out[j] = row[j] * scale[j] + shift[j];
    }
}

STRATA_KERNEL(strata_batchnorm_backward, (const float *restrict dy, const float *restrict x, long rows, long cols, long c0, long c1,
              const float *restrict mean, const float *restrict invstd, const float *restrict gamma,
              float *restrict dx, float *restrict dgamma, float *restrict dbeta, double *restrict acc),
              (dy, x, rows, cols, c0, c1, mean, invstd, gamma, dx, dgamma, dbeta, acc)) {
    const long w = c1 - c0;
    double *sum_dy = acc, *sum_dy_xhat = acc + w;
    const float *restrict m = mean + c0, *restrict s = invstd + c0;
    for (long j = 0; j < w; ++j) { sum_dy[j] = 0; sum_dy_xhat[j] = 0; }
    // Σdy and Σdy·x̂, two rows at a time (their sum in double, then into the accumulators).
    long r = 0;
    for (; r + 2 <= rows; r += 2) {
        const float *g0 = dy + r * cols + c0, *g1 = g0 + cols, *x0 = x + r * cols + c0, *x1 = x0 + cols;
        for (long j = 0; j < w; ++j) {
            sum_dy[j] += (double)g0[j] + (double)g1[j];
            sum_dy_xhat[j] += (double)(g0[j] * ((x0[j] - m[j]) * s[j])) + (double)(g1[j] * ((x1[j] - m[j]) * s[j]));
        }
    }
    for (; r < rows; ++r) {
        const float *g = dy + r * cols + c0, *row = x + r * cols + c0;
        for (long j = 0; j < w; ++j) {
            sum_dy[j] += g[j];
            sum_dy_xhat[j] += g[j] * ((row[j] - m[j]) * s[j]);
        }
    }
    for (long j = 0; j < w; ++j) { dbeta[c0 + j] = (float)sum_dy[j]; dgamma[c0 + j] = (float)sum_dy_xhat[j]; }
    if (!dx) return;
    // dx = γ·invstd/N · (N·dy − Σdy − x̂·Σ(dy·x̂)); the sums are out, so acc's 2w doubles hold
    // the per-column factor γ·invstd/N (4w floats of room).
    const float n = (float)rows;
    float *restrict scale = (float *)acc;
    for (long j = 0; j < w; ++j) scale[j] = (gamma ? gamma[c0 + j] : 1.0f) * s[j] / n;
    const float *restrict sdb = dbeta + c0, *restrict sdg = dgamma + c0;
    for (long r = 0; r < rows; ++r) {
        const float *g = dy + r * cols + c0, *row = x + r * cols + c0;
        float *out = dx + r * cols + c0;
        for (long j = 0; j < w; ++j) {
            const float xhat = (row[j] - m[j]) * s[j];
            out[j] = scale[j] * (n * g[j] - sdb[j] - xhat * sdg[j]);
        }
    }
}

STRATA_KERNEL(strata_scale_shift_columns, (const float *restrict x, long rows, long cols, long c0, long c1,
              const float *restrict scale, const float *restrict shift, float *restrict y),
              (x, rows, cols, c0, c1, scale, shift, y)) {
    for (long r = 0; r < rows; ++r) {
        const float *row = x + r * cols;
        float *out = y + r * cols;
        for (long c = c0; c < c1; ++c) out[c] = row[c] * scale[c] + shift[c];
    }
}
