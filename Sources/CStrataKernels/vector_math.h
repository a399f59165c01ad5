// Branch-free float math that the compiler vectorizes (no libm calls in the loops).
#ifndef STRATA_VECTOR_MATH_H
#define STRATA_VECTOR_MATH_H

#include <stdint.h>
#include <string.h>

#include "strata_kernels.h"

// STRATA_KERNEL(name, (parameters), (arguments)) { body } defines the exported kernel `name`
// whose body is compiled three times on x86-64 — for x86-64-v4 (AVX-512), x86-64-v3 (AVX2 + FMA)
// and the SSE2 baseline — and a dispatcher that runs the one `strata_active_isa()` names on each
// call, so that `STRATA_CPU` forces a path at run time (cpu.c) and the tests can
// run every path on one machine. Elsewhere (arm64: NEON is the baseline) the body is the kernel.
// The body is an always-inline function of the baseline target: inlined into each variant, it is
// vectorized with that variant's instructions.
#if defined(__x86_64__) && defined(__clang__)
#define STRATA_KERNEL(name, params, args)                                                          \
    static inline __attribute__((always_inline)) void name##_body params;                          \
    __attribute__((target("arch=x86-64-v4"))) static void name##_v4 params { name##_body args; }   \
    __attribute__((target("arch=x86-64-v3"))) static void name##_v3 params { name##_body args; }   \
    static void name##_v1 params { name##_body args; }                                             \
    void name params {                                                                             \
        switch (strata_active_isa()) {                                                             \
        case STRATA_ISA_AVX512: name##_v4 args; break;                                             \
        case STRATA_ISA_AVX2: name##_v3 args; break;                                               \
        default: name##_v1 args; break;                                                            \
        }                                                                                          \
    }                                                                                              \
    static inline __attribute__((always_inline)) void name##_body params
#else
#define STRATA_KERNEL(name, params, args) void name params
#endif

/// √x that vectorizes: `__builtin_sqrtf` keeps errno semantics, which blocks vectorization.
#if defined(__clang__) && __has_builtin(__builtin_elementwise_sqrt)
#define SV_SQRT(x) __builtin_elementwise_sqrt(x)
#else
#define SV_SQRT(x) __builtin_sqrtf(x)
#endif

static inline float sv_bits_to_float(int32_t i) { float f; memcpy(&f, &i, 4); return f; }
static inline int32_t sv_float_to_bits(float f) { int32_t i; memcpy(&i, &f, 4); return i; }

/// e^x with < 2 ulp error; overflows to +inf above 88.72 and flushes below -103.9 to 0.
static inline float sv_exp(float x) {
    const float xc = x < -104.0f ? -104.0f : (x > 89.0f ? 89.0f : x);
    const float n = __builtin_floorf(xc * 1.44269504088896341f + 0.5f);
    float r = xc - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    // 2^n as two factors so that n = 128 and subnormal results stay exact.
    const int32_t ni = (int32_t)n;
    const int32_t n1 = ni / 2, n2 = ni - n1;
    const float s1 = sv_bits_to_float((n1 + 127) << 23), s2 = sv_bits_to_float((n2 + 127) << 23);
    const float y = p * s1 * s2;
    return x != x ? x : y;
}

/// Natural logarithm (Cephes logf): -inf at 0, NaN below 0, +inf at +inf.
static inline float sv_log(float x) {
    const int32_t bits = sv_float_to_bits(x);
    // Normalize subnormals by scaling with 2^23.
    const int sub = x < 1.17549435e-38f;
    const float xs = sub ? x * 8388608.0f : x;
    const int32_t b = sub ? sv_float_to_bits(xs) : bits;
    float e = (float)(((b >> 23) & 0xFF) - 126 - (sub ? 23 : 0));
    float m = sv_bits_to_float((b & 0x007FFFFF) | 0x3F000000);  // mantissa in [0.5, 1)
    const int small = m < 0.707106781186547524f;
    e = small ? e - 1.0f : e;
    m = small ? m + m - 1.0f : m - 1.0f;
    const float z = m * m;
    float y = 7.0376836292e-2f;
    y = y * m - 1.1514610310e-1f;
    y = y * m + 1.1676998740e-1f;
    y = y * m - 1.2420140846e-1f;
    y = y * m + 1.4249322787e-1f;
    y = y * m - 1.6668057665e-1f;
    y = y * m + 2.0000714765e-1f;
    y = y * m - 2.4999993993e-1f;
    y = y * m + 3.3333331174e-1f;
    y = y * m * z;
    y += e * -2.12194440e-4f;
    y += -0.5f * z;
    float r = m + y + e * 0.693359375f;
    r = x == 0.0f ? -__builtin_inff() : r;
    r = x < 0.0f || x != x ? __builtin_nanf("") : r;
    r = x == __builtin_inff() ? x : r;
    return r;
}

/// tanh: odd polynomial near 0 (full relative precision), 1 - 2/(e^{2|x|} + 1) elsewhere.
static inline float sv_tanh(float x) {
    const float ax = x < 0 ? -x : x;
    const float z = x * x;
    float p = -5.70498872745e-3f;
    p = p * z + 2.06390887954e-2f;
    p = p * z - 5.37397155531e-2f;
    p = p * z + 1.33314422036e-1f;
    p = p * z - 3.33332819422e-1f;
    const float near = p * z * x + x;
    const float far = 1.0f - 2.0f / (sv_exp(ax + ax) + 1.0f);
    const float r = ax < 0.625f ? near : (x < 0 ? -far : far);
    return x != x ? x : r;
}

/// ln(1 + x), accurate for tiny x (Goldberg's correction: the rounding of 1 + x is undone).
static inline float sv_log1p(float x) {
    const float u = 1.0f + x;
    const float d = u - 1.0f;
    const float r = d == 0.0f ? x : sv_log(u) * (x / d);
    return u == __builtin_inff() ? u : r;
}

/// e^x − 1, accurate for tiny x (Kahan's correction).
static inline float sv_expm1(float x) {
    const float u = sv_exp(x);
    const float d = u - 1.0f;
    float r = d * (x / sv_log(u));
    r = u == 1.0f ? x : r;
    r = d == -1.0f ? -1.0f : r;
    r = u == __builtin_inff() ? u : r;
    return x != x ? x : r;
}

/// The error function: Maclaurin series below |x| = 0.5 (full relative precision near 0),
/// Abramowitz & Stegun 7.1.26 above (absolute error < 1.5e-7).
static inline float sv_erf(float x) {
    const float ax = x < 0 ? -x : x;
    const float t = 1.0f / (1.0f + 0.3275911f * ax);
    float p = 1.061405429f;
    p = p * t - 1.453152027f;
    p = p * t + 1.421413741f;
    p = p * t - 0.284496736f;
    p = p * t + 0.254829592f;
    const float far = 1.0f - p * t * sv_exp(-ax * ax);
    const float z = x * x;
    // erf(x)·√π/2 = x − x³/3 + x⁵/10 − x⁷/42 + x⁹/216 − x¹¹/1320 + …
    float q = -1.0f / 1320.0f;
    q = q * z + 1.0f / 216.0f;
    q = q * z - 1.0f / 42.0f;
    q = q * z + 1.0f / 10.0f;
    q = q * z - 1.0f / 3.0f;
    const float near = 1.1283791670955126f * (x + x * z * q);
    const float r = ax < 0.5f ? near : (x < 0 ? -far : far);
    return x != x ? x : r;
}

/// 1 / (1 + e^{-x}), exact limits 0 and 1, never NaN for finite x.
static inline float sv_sigmoid(float x) { return 1.0f / (1.0f + sv_exp(-x)); }

#endif
