// Philox4x32-10 streams turned into floats in C: the same words as `Philox4x32.block` in Swift
// (Salmon et al., SC 2011), block i giving elements 4i ..< 4i+4, so a tensor's values depend only
// on its seed — not on the thread that fills a range, nor on the language that computes it.
#include "strata_kernels.h"
#include "vector_math.h"

// No fused multiply-adds: `lower + scale · u` rounds as Swift computes it (two operations).
#pragma STDC FP_CONTRACT OFF

static inline __attribute__((always_inline)) void philox_block(uint64_t key, uint64_t counter, uint32_t w[4]) {
    uint32_t c0 = (uint32_t)counter, c1 = (uint32_t)(counter >> 32), c2 = 0, c3 = 0;
    uint32_t k0 = (uint32_t)key, k1 = (uint32_t)(key >> 32);
    for (int round = 0; round < 10; ++round) {
        if (round > 0) { k0 += 0x9E3779B9u; k1 += 0xBB67AE85u; }
        const uint64_t p0 = (uint64_t)0xD2511F53u * c0, p1 = (uint64_t)0xCD9E8D57u * c2;
        const uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0, n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        c1 = (uint32_t)p1;
        c3 = (uint32_t)p0;
        c0 = n0;
        c2 = n2;
    }
    w[0] = c0, w[1] = c1, w[2] = c2, w[3] = c3;
}

STRATA_KERNEL(strata_philox_fill, (uint64_t key, long b0, long b1, long count, int bernoulli, float lower,
              float scale, float probability, float *restrict out),
              (key, b0, b1, count, bernoulli, lower, scale, probability, out)) {
    for (long b = b0; b < b1; ++b) {
        uint32_t w[4];
        philox_block(key, (uint64_t)b, w);
        for (long j = 0; j < 4 && 4 * b + j < count; ++j) {
            const float u = (float)(w[j] >> 8) * 0x1p-24f;   // [0, 1), every value exact
            out[4 * b + j] = bernoulli ? (u < probability ? 1.0f : 0.0f) : lower + scale * u;
        }
    }
}
