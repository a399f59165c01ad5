// Batch normalization over the rows of a row-major x [rows × cols] (features in columns), for
// the columns [c0, c1) — so that threads can split the features. Sums accumulate in double.
#include "strata_kernels.h"
#include "vector_math.h"

STRATA_KERNEL(strata_batchnorm_forward, (const float *restrict x, long rows, long cols, long c0, long c1,
              const float *restrict gamma, const float *restrict beta, float epsilon,
              float *restrict y, float *restrict mean, float *restrict variance,
              float *restrict invstd, double *restrict acc),
              (x, rows, cols, c0, c1, gamma, beta, epsilon, y, mean, variance, invstd, acc)) {
    const long w = c1 - c0;
    const double inverse_rows = 1.0 / (double)rows;
    for (long j = 0; j < w; ++j) acc[j] = 0;
    for (long r = 0; r < rows; ++r) {
        const float *row = x + r * cols + c0;
        for (long j = 0; j < w; ++j) acc[j] += row[j];
    }
    for (long j = 0; j < w; ++j) { mean[c0 + j] = (float)(acc[j] * inverse_rows); acc[j] = 0; }
    // Two passes, as Keras: variance = mean((x − mean)²), biased.
    for (long r = 0; r < rows; ++r) {
        const float *row = x + r * cols + c0;
        for (long j = 0; j < w; ++j) { const float d = row[j] - mean[c0 + j]; acc[j] += d * d; }
    }
    for (long j = 0; j < w; ++j) {
        variance[c0 + j] = (float)(acc[j] * inverse_rows);
        invstd[c0 + j] = 1.0f / SV_SQRT(variance[c0 + j] + epsilon);
    }
    for (long r = 0; r < rows; ++r) {
        const float *row = x + r * cols + c0;
        float *out = y + r * cols + c0;
        for (long j = 0; j < w; ++j) {
            const long c = c0 + j;
            const float scaled = (row[j] - mean[c]) * invstd[c];
            out[j] = scaled * (gamma ? gamma[c] : 1.0f) + (beta ? beta[c] : 0.0f);
        }
    }
}

STRATA_KERNEL(strata_batchnorm_backward, (const float *restrict dy, const float *restrict x, long rows, long cols, long c0, long c1,
              const float *restrict mean, const float *restrict invstd, const float *restrict gamma,
              float *restrict dx, float *restrict dgamma, float *restrict dbeta, double *restrict acc),
              (dy, x, rows, cols, c0, c1, mean, invstd, gamma, dx, dgamma, dbeta, acc)) {
    const long w = c1 - c0;
    double *sum_dy = acc, *sum_dy_xhat = acc + w;
    for (long j = 0; j < w; ++j) { sum_dy[j] = 0; sum_dy_xhat[j] = 0; }
    for (long r = 0; r < rows; ++r) {
        const float *g = dy + r * cols + c0, *row = x + r * cols + c0;
        for (long j = 0; j < w; ++j) {
            sum_dy[j] += g[j];
            sum_dy_xhat[j] += g[j] * ((row[j] - mean[c0 + j]) * invstd[c0 + j]);
        }
    }
    for (long j = 0; j < w; ++j) { dbeta[c0 + j] = (float)sum_dy[j]; dgamma[c0 + j] = (float)sum_dy_xhat[j]; }
    if (!dx) return;
    // dx = γ·invstd/N · (N·dy − Σdy − x̂·Σ(dy·x̂))
    const float n = (float)rows;
    for (long r = 0; r < rows; ++r) {
        const float *g = dy + r * cols + c0, *row = x + r * cols + c0;
        float *out = dx + r * cols + c0;
        for (long j = 0; j < w; ++j) {
            const long c = c0 + j;
            const float xhat = (row[j] - mean[c]) * invstd[c];
            const float scale = (gamma ? gamma[c] : 1.0f) * invstd[c] / n;
            out[j] = scale * (n * g[j] - dbeta[c] - xhat * dgamma[c]);
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
