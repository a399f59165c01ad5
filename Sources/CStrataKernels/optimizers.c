// Optimizer update rules as one pass over a variable: read w, g and the slots once, write w and
// the slots once. The formulas are Keras 3's (keras/src/optimizers/*.py); the Swift optimizer
// classes compute the per-step scalars (bias corrections, Nadam's momentum cache) and document
// each formula.
#include "strata_kernels.h"
#include "vector_math.h"

static inline float sign_of(float x) { return x > 0 ? 1.0f : (x < 0 ? -1.0f : x); }  // keeps ±0 and NaN

STRATA_CLONES
void strata_optimizer_update(const strata_update_rule *r, float *w, const float *g,
                             float *s0, float *s1, float *s2, long n) {
    const float lr = r->learning_rate, b1 = r->beta1, b2 = r->beta2, eps = r->epsilon;
    switch (r->kind) {
    case STRATA_UPDATE_SGD:
        for (long i = 0; i < n; ++i) w[i] -= g[i] * lr;
        break;
    case STRATA_UPDATE_SGD_MOMENTUM:  // m ← μm − lr·g;  w ← w + m
        for (long i = 0; i < n; ++i) { s0[i] = s0[i] * b1 - g[i] * lr; w[i] += s0[i]; }
        break;
    case STRATA_UPDATE_SGD_NESTEROV:  // m ← μm − lr·g;  w ← w + μm − lr·g
        for (long i = 0; i < n; ++i) { s0[i] = s0[i] * b1 - g[i] * lr; w[i] = w[i] + s0[i] * b1 - g[i] * lr; }
        break;
    case STRATA_UPDATE_ADAGRAD:  // a ← a + g²;  w ← w − lr·g / √(a + ε)
        for (long i = 0; i < n; ++i) { s0[i] += g[i] * g[i]; w[i] -= g[i] * lr / __builtin_sqrtf(s0[i] + eps); }
        break;
    case STRATA_UPDATE_RMSPROP:
        // v ← ρv + (1 − ρ)g²; centered: ḡ ← ρḡ + (1 − ρ)g, d = v − ḡ² + ε, else d = v + ε;
        // Δ = lr·g / √d; with momentum μ (s1): m ← μm + Δ, w ← w − m; else w ← w − Δ.
        for (long i = 0; i < n; ++i) {
            s0[i] = s0[i] * b1 + g[i] * g[i] * (1 - b1);
            float denominator = s0[i] + eps;
            if (s2) { s2[i] = s2[i] * b1 + g[i] * (1 - b1); denominator = s0[i] - s2[i] * s2[i] + eps; }
            const float increment = g[i] * lr / __builtin_sqrtf(denominator);
            if (s1) { s1[i] = s1[i] * b2 + increment; w[i] -= s1[i]; } else { w[i] -= increment; }
        }
        break;
    case STRATA_UPDATE_ADAM:
        // m ← m + (g − m)(1 − β₁); v ← v + (g² − v)(1 − β₂); AMSGrad (s2): v̂ ← max(v̂, v);
        // w ← w − α·m / (√v + ε), α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) given as learning_rate.
        for (long i = 0; i < n; ++i) {
            s0[i] += (g[i] - s0[i]) * (1 - b1);
            s1[i] += (g[i] * g[i] - s1[i]) * (1 - b2);
            float v = s1[i];
            if (s2) { s2[i] = s2[i] >= v ? s2[i] : v; v = s2[i]; }
            w[i] -= s0[i] * lr / (__builtin_sqrtf(v) + eps);
        }
        break;
    case STRATA_UPDATE_ADAMAX:  // m as Adam; u ← max(β₂u, |g|); w ← w − (lr/(1 − β₁ᵗ))·m / (u + ε)
        for (long i = 0; i < n; ++i) {
            s0[i] += (g[i] - s0[i]) * (1 - b1);
            const float decayed = s1[i] * b2, magnitude = __builtin_fabsf(g[i]);
            s1[i] = decayed != decayed ? decayed : (decayed >= magnitude ? decayed : magnitude);
            w[i] -= s0[i] * lr / (s1[i] + eps);
        }
        break;
    case STRATA_UPDATE_NADAM:
        // m, v as Adam; m̂ = m·scale_m + g·scale_g; v̂ = v·scale_v; w ← w − lr·m̂ / (√v̂ + ε)
        for (long i = 0; i < n; ++i) {
            s0[i] += (g[i] - s0[i]) * (1 - b1);
            s1[i] += (g[i] * g[i] - s1[i]) * (1 - b2);
            const float m_hat = s0[i] * r->scale_m + g[i] * r->scale_g;
            w[i] -= m_hat * lr / (__builtin_sqrtf(s1[i] * r->scale_v) + eps);
        }
        break;
    case STRATA_UPDATE_LION:  // w ← w − lr·sign(β₁m + (1 − β₁)g); m ← β₂m + (1 − β₂)g
        for (long i = 0; i < n; ++i) {
            w[i] -= sign_of(s0[i] * b1 + g[i] * (1 - b1)) * lr;
            s0[i] = s0[i] * b2 + g[i] * (1 - b2);
        }
        break;
    }
}
