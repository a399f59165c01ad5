// Microseconds of single kernel passes on one core, best of many calls: batch normalization's
// training forward and backward over 500 rows × 392 features of a 784-wide batch (one thread's
// half of the article's first layer at batch 500), and 2×2 max pooling forward and backward over
// 64 images of 26 × 26 × 32 (mnist_convnet's first pooling, half a batch). Built against the
// kernels' sources by Benchmarks/kernel_passes.sh.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "strata_kernels.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

#define BEST(trials, call) ({ double best = 1e9; for (int t = 0; t < (trials); ++t) { \
    const double s = now(); call; const double e = now() - s; if (e < best) best = e; } best * 1e6; })

int main(void) {
    srand(1);
    const long rows = 500, cols = 784, half = 392;
    float *x = malloc(sizeof(float) * rows * cols), *y = malloc(sizeof(float) * rows * cols);
    float *dy = malloc(sizeof(float) * rows * cols), *dx = malloc(sizeof(float) * rows * cols);
    for (long i = 0; i < rows * cols; ++i) { x[i] = (float)rand() / (float)RAND_MAX; dy[i] = (float)rand() / (float)RAND_MAX - 0.5f; }
    float mean[784], variance[784], invstd[784], gamma[784], beta[784], dgamma[784], dbeta[784];
    double acc[2 * 784];
    for (int i = 0; i < 784; ++i) { gamma[i] = 1.1f; beta[i] = 0.1f; }
    const double forward = BEST(200, strata_batchnorm_forward(x, rows, cols, 0, half, gamma, beta, 1e-3f, y, mean, variance, invstd, acc));
    const double backward = BEST(200, strata_batchnorm_backward(dy, x, rows, cols, 0, half, mean, invstd, gamma, dx, dgamma, dbeta, acc));
    printf("batchnorm 500x392: forward %.1f us, backward %.1f us\n", forward, backward);

    const long n = 64, h = 26, w = 26, c = 32, oh = 13, ow = 13;
    float *image = malloc(sizeof(float) * n * h * w * c), *pooled = malloc(sizeof(float) * n * oh * ow * c);
    float *gradient = malloc(sizeof(float) * n * h * w * c);
    int *argmax = malloc(sizeof(int) * n * oh * ow * c);
    for (long i = 0; i < n * h * w * c; ++i) image[i] = (float)(rand() % 1000);
    const strata_conv_geometry g = {h, w, 2, 2, 2, 2, 1, 1, 0, 0, oh, ow};
    const double pool = BEST(50, strata_max_pool(&g, image, c, 0, n, pooled, argmax));
    const double unpool = BEST(50, strata_max_pool_backward(&g, pooled, argmax, c, 0, n, gradient));
    printf("max pool 2x2, 64x26x26x32: forward %.1f us, backward %.1f us\n", pool, unpool);
    return 0;
}
