import CStrataKernels
import StrataCore

/// A built-in optimizer's update rule for one step, with its scalars: what each optimizer's
/// `update` hands to `Tensor.applyUpdate`, which runs it as one pass over the variable (the C
/// kernel `strata_optimizer_update`: vectorized, split across threads) instead of a chain of
/// tensor operations.
enum UpdateRule {
    /// `w ← w − lr·g`.
    case sgd(learningRate: Float)
    /// `m ← μm − lr·g`; `w ← w + m` (Nesterov: `w ← w + μm − lr·g`). Slot: m.
    case momentum(learningRate: Float, momentum: Float, nesterov: Bool)
    /// `a ← a + g²`; `w ← w − lr·g / √(a + ε)`. Slot: a.
    case adagrad(learningRate: Float, epsilon: Float)
    /// Slots: v, then m when `momentum > 0`, then ḡ when centered.
    case rmsprop(learningRate: Float, rho: Float, momentum: Float, epsilon: Float, centered: Bool)
    /// `α` has the bias corrections folded in. Slots: m, v, then v̂ with AMSGrad.
    case adam(alpha: Float, beta1: Float, beta2: Float, epsilon: Float, amsgrad: Bool)
    /// `rate` is lr / (1 − β₁ᵗ). Slots: m, u.
    case adamax(rate: Float, beta1: Float, beta2: Float, epsilon: Float)
    /// `m̂ = m·scaleM + g·scaleG`, `v̂ = v·scaleV`. Slots: m, v.
    case nadam(learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, scaleM: Float, scaleG: Float, scaleV: Float)
    /// Slot: m.
    case lion(learningRate: Float, beta1: Float, beta2: Float)

    /// The C rule and which of the three slot pointers it reads (by index into `slots`).
    fileprivate var kernel: (rule: strata_update_rule, slots: [Int?]) {
        var rule = strata_update_rule()
        switch self {
        case .sgd(let lr):
            rule.kind = STRATA_UPDATE_SGD
            rule.params.sgd = strata_sgd_params(learning_rate: lr, momentum: 0)
            return (rule, [nil, nil, nil])
        case .momentum(let lr, let mu, let nesterov):
            rule.kind = nesterov ? STRATA_UPDATE_SGD_NESTEROV : STRATA_UPDATE_SGD_MOMENTUM
            rule.params.sgd = strata_sgd_params(learning_rate: lr, momentum: mu)
            return (rule, [0, nil, nil])
        case .adagrad(let lr, let eps):
            rule.kind = STRATA_UPDATE_ADAGRAD
            rule.params.adagrad = strata_adagrad_params(learning_rate: lr, epsilon: eps)
            return (rule, [0, nil, nil])
        case .rmsprop(let lr, let rho, let mu, let eps, let centered):
            rule.kind = STRATA_UPDATE_RMSPROP
            rule.params.rmsprop = strata_rmsprop_params(learning_rate: lr, rho: rho, momentum: mu, epsilon: eps)
            let momentumSlot: Int? = mu > 0 ? 1 : nil
            let meanSlot: Int? = centered ? (mu > 0 ? 2 : 1) : nil
            return (rule, [0, momentumSlot, meanSlot])
        case .adam(let alpha, let b1, let b2, let eps, let amsgrad):
            rule.kind = STRATA_UPDATE_ADAM
            rule.params.adam = strata_adam_params(learning_rate: alpha, beta1: b1, beta2: b2, epsilon: eps)
            return (rule, [0, 1, amsgrad ? 2 : nil])
        case .adamax(let rate, let b1, let b2, let eps):
            rule.kind = STRATA_UPDATE_ADAMAX
            rule.params.adam = strata_adam_params(learning_rate: rate, beta1: b1, beta2: b2, epsilon: eps)
            return (rule, [0, 1, nil])
        case .nadam(let lr, let b1, let b2, let eps, let sm, let sg, let sv):
            rule.kind = STRATA_UPDATE_NADAM
            rule.params.nadam = strata_nadam_params(learning_rate: lr, beta1: b1, beta2: b2, epsilon: eps,
                                                    scale_m: sm, scale_g: sg, scale_v: sv)
            return (rule, [0, 1, nil])
        case .lion(let lr, let b1, let b2):
            rule.kind = STRATA_UPDATE_LION
            rule.params.lion = strata_lion_params(learning_rate: lr, beta1: b1, beta2: b2)
            return (rule, [0, nil, nil])
        }
    }
}

extension Tensor {
    /// Applies one step of `rule` to this value in place, given its `gradient` and the rule's
    /// `slots` (updated in place too). No allocation when the buffers are not shared.
    mutating func applyUpdate(_ rule: UpdateRule, gradient: Tensor, slots: inout [Tensor]) {
        let (kernel, slotIndices) = rule.kernel
        updateInPlace(gradient: gradient, slots: &slots, reading: slotIndices) { w, g, s0, s1, s2, count in
            var kernel = kernel
            strata_optimizer_update(&kernel, w, g, s0, s1, s2, count)
        }
    }
}
