// Optimizer update rules as one pass over a variable: read w, g and the slots once, write w and
// the slots once. The formulas are Keras 3's (keras/src/optimizers/*.py); the Swift optimizer
// classes compute the per-step scalars (bias corrections, Nadam's momentum cache) and document
// each formula. Every optional slot gets its own loop, so that each loop is branch-free and
// vectorizes (the buffers never alias: `restrict`).
#include "strata_kernels.h"
#include "vector_math.h"
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

static inline float sign_of(float x) { return x > 0 ? 1.0f : (x < 0 ? -1.0f : x); }  // keeps ±0 and NaN
static inline float max_nan(float a, float b) { return a != a ? a : (a >= b ? a : b); }

#define LOOP for (long i = 0; i < n; ++i)

// The moments Adam, Adamax and Nadam share, written once (Keras: m ← m + (g − m)(1 − β₁),
// v ← v + (g² − v)(1 − β₂)).
static inline float first_moment(float m, float g, float beta1) { return m + (g - m) * (1 - beta1); }
static inline float second_moment(float v, float g, float beta2) { return v + (g * g - v) * (1 - beta2); }

STRATA_KERNEL(strata_optimizer_update, (const strata_update_rule *r, float *restrict w, const float *restrict g,
              float *restrict s0, float *restrict s1, float *restrict s2, long n),
              (r, w, g, s0, s1, s2, n)) {
#if defined(__x86_64__) || defined(__i386__)
    // Subnormal inputs and results count as zero during the update (flush-to-zero and
    // denormals-are-zero, as TensorFlow's threads run): a slot whose gradient stays 0 (a weight of
    // an always-blank pixel) decays geometrically into the subnormal range within a few hundred
    // steps, and each subnormal operand of a divide or square root then costs a microcode assist
    // — measured: Adam's update 3× slower after one epoch. The caller's mode is restored.
    const unsigned int caller_mode = _mm_getcsr();
    _mm_setcsr(caller_mode | 0x8040);
#endif
    switch (r->kind) {
    case STRATA_UPDATE_SGD: {
        const float lr = r->params.sgd.learning_rate;
        LOOP w[i] -= g[i] * lr;
        break;
    }
    case STRATA_UPDATE_SGD_MOMENTUM: {  // m ← μm − lr·g;  w ← w + m
        const float lr = r->params.sgd.learning_rate, mu = r->params.sgd.momentum;
        LOOP { s0[i] = s0[i] * mu - g[i] * lr; w[i] += s0[i]; }
        break;
    }
    case STRATA_UPDATE_SGD_NESTEROV: {  // m ← μm − lr·g;  w ← w + μm − lr·g
        const float lr = r->params.sgd.learning_rate, mu = r->params.sgd.momentum;
        LOOP { s0[i] = s0[i] * mu - g[i] * lr; w[i] = w[i] + s0[i] * mu - g[i] * lr; }
        break;
    }
    case STRATA_UPDATE_ADAGRAD: {  // a ← a + g²;  w ← w − lr·g / √(a + ε)
        const float lr = r->params.adagrad.learning_rate, eps = r->params.adagrad.epsilon;
        LOOP { s0[i] += g[i] * g[i]; w[i] -= g[i] * lr / SV_SQRT(s0[i] + eps); }
        break;
    }
    case STRATA_UPDATE_RMSPROP: {
        // v ← ρv + (1 − ρ)g²; centered (s2): ḡ ← ρḡ + (1 − ρ)g, d = v − ḡ² + ε, else d = v + ε;
        // Δ = lr·g / √d; with momentum μ (s1): m ← μm + Δ, w ← w − m; else w ← w − Δ.
        const strata_rmsprop_params p = r->params.rmsprop;
        const float lr = p.learning_rate, rho = p.rho, mu = p.momentum, eps = p.epsilon;
        if (s2 && s1) {
            LOOP {
                s0[i] = s0[i] * rho + g[i] * g[i] * (1 - rho);
                s2[i] = s2[i] * rho + g[i] * (1 - rho);
                s1[i] = s1[i] * mu + g[i] * lr / SV_SQRT(s0[i] - s2[i] * s2[i] + eps);
                w[i] -= s1[i];
            }
        } else if (s2) {
            LOOP {
                s0[i] = s0[i] * rho + g[i] * g[i] * (1 - rho);
                s2[i] = s2[i] * rho + g[i] * (1 - rho);
                w[i] -= g[i] * lr / SV_SQRT(s0[i] - s2[i] * s2[i] + eps);
            }
        } else if (s1) {
            LOOP {
                s0[i] = s0[i] * rho + g[i] * g[i] * (1 - rho);
                s1[i] = s1[i] * mu + g[i] * lr / SV_SQRT(s0[i] + eps);
                w[i] -= s1[i];
            }
        } else {
            LOOP {
                s0[i] = s0[i] * rho + g[i] * g[i] * (1 - rho);
                w[i] -= g[i] * lr / SV_SQRT(s0[i] + eps);
            }
        }
        break;
    }
    case STRATA_UPDATE_ADAM: {
        // m, v: the shared moments; AMSGrad (s2): v̂ ← max(v̂, v);
        // w ← w − α·m / (√v + ε), α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) given as learning_rate.
        const strata_adam_params p = r->params.adam;
        const float lr = p.learning_rate, b1 = p.beta1, b2 = p.beta2, eps = p.epsilon;
        if (s2) {
            LOOP {
                s0[i] = first_moment(s0[i], g[i], b1);
                s1[i] = second_moment(s1[i], g[i], b2);
                s2[i] = max_nan(s2[i], s1[i]);
                w[i] -= s0[i] * lr / (SV_SQRT(s2[i]) + eps);
            }
        } else {
            LOOP {
                s0[i] = first_moment(s0[i], g[i], b1);
                s1[i] = second_moment(s1[i], g[i], b2);
                w[i] -= s0[i] * lr / (SV_SQRT(s1[i]) + eps);
            }
        }
        break;
    }
    case STRATA_UPDATE_ADAMAX: {  // m as Adam; u ← max(β₂u, |g|); w ← w − (lr/(1 − β₁ᵗ))·m / (u + ε)
        const strata_adam_params p = r->params.adam;
        const float lr = p.learning_rate, b1 = p.beta1, b2 = p.beta2, eps = p.epsilon;
        LOOP {
            s0[i] = first_moment(s0[i], g[i], b1);
            s1[i] = max_nan(s1[i] * b2, __builtin_fabsf(g[i]));
            w[i] -= s0[i] * lr / (s1[i] + eps);
        }
        break;
    }
    case STRATA_UPDATE_NADAM: {
        // m, v as Adam; m̂ = m·scale_m + g·scale_g; v̂ = v·scale_v; w ← w − lr·m̂ / (√v̂ + ε)
        const strata_nadam_params p = r->params.nadam;
        const float lr = p.learning_rate, b1 = p.beta1, b2 = p.beta2, eps = p.epsilon;
        const float sm = p.scale_m, sg = p.scale_g, sv = p.scale_v;
        LOOP {
            s0[i] = first_moment(s0[i], g[i], b1);
            s1[i] = second_moment(s1[i], g[i], b2);
            w[i] -= (s0[i] * sm + g[i] * sg) * lr / (SV_SQRT(s1[i] * sv) + eps);
        }
        break;
    }
    case STRATA_UPDATE_LION: {  // w ← w − lr·sign(β₁m + (1 − β₁)g); m ← β₂m + (1 − β₂)g
        const float lr = r->params.lion.learning_rate, b1 = r->params.lion.beta1, b2 = r->params.lion.beta2;
        LOOP {
            w[i] -= sign_of(s0[i] * b1 + g[i] * (1 - b1)) * lr;
            s0[i] = s0[i] * b2 + g[i] * (1 - b2);
        }
        break;
    }
    }
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr(caller_mode);
#endif
}
