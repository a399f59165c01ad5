// Reductions. Sums accumulate in double so long sums (60,000 samples) stay accurate in float32.
#include "strata_kernels.h"
#include "vector_math.h"

STRATA_KERNEL(strata_sum_rows, (const float *x, long rows, long n, float *out),
              (x, rows, n, out)) {
    for (long r = 0; r < rows; ++r) {
        const float *xr = x + r * n;
        double lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        long j = 0;
        for (; j + 8 <= n; j += 8)
            for (int l = 0; l < 8; ++l) lanes[l] += (double)xr[j + l];
        double s = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
                   ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
        for (; j < n; ++j) s += (double)xr[j];
        out[r] = (float)s;
    }
}

STRATA_KERNEL(strata_sum_cols, (const float *x, long r, long n, float *out, double *acc),
              (x, r, n, out, acc)) {
    for (long j = 0; j < n; ++j) acc[j] = 0.0;
    for (long i = 0; i < r; ++i) {
        const float *xi = x + i * n;
        for (long j = 0; j < n; ++j) acc[j] += (double)xi[j];
    }
    for (long j = 0; j < n; ++j) out[j] = (float)acc[j];
}

STRATA_KERNEL(strata_extreme_rows, (const float *x, long rows, long n, int is_max, float *out),
              (x, rows, n, is_max, out)) {
    for (long r = 0; r < rows; ++r) {
        const float *xr = x + r * n;
        float m = xr[0];
        int nan = 0;
        if (is_max)
            for (long j = 0; j < n; ++j) { nan |= xr[j] != xr[j]; m = xr[j] > m ? xr[j] : m; }
        else
            for (long j = 0; j < n; ++j) { nan |= xr[j] != xr[j]; m = xr[j] < m ? xr[j] : m; }
        out[r] = nan ? __builtin_nanf("") : m;
    }
}

STRATA_KERNEL(strata_extreme_cols, (const float *x, long r, long n, int is_max, float *out),
              (x, r, n, is_max, out)) {
    for (long j = 0; j < n; ++j) out[j] = x[j];
    for (long i = 1; i < r; ++i) {
        const float *xi = x + i * n;
        if (is_max)
            for (long j = 0; j < n; ++j) out[j] = (xi[j] > out[j] || xi[j] != xi[j]) ? xi[j] : out[j];
        else
            for (long j = 0; j < n; ++j) out[j] = (xi[j] < out[j] || xi[j] != xi[j]) ? xi[j] : out[j];
    }
}
