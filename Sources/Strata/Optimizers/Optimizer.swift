/// The shared mechanism of every optimizer, written once (Keras 3's `BaseOptimizer`): slots per
/// variable, gradient clipping, decoupled weight decay, step counting and the learning-rate
/// lookup. A subclass holds only its update rule (`slotNames` and `update`).
///
/// Order of one `apply` (as in Keras 3): the learning rate is read for the current step count;
/// gradients are clipped (`clipNorm` per gradient, else `globalClipNorm` over all, else
/// `clipValue`); weight decay shrinks each variable by `variable · weightDecay · lr`; then each
/// variable is updated; then the step count increases.
///
/// With `gradientAccumulationSteps` k (Keras 3's `gradient_accumulation_steps`,
/// `keras/src/optimizers/base_optimizer.py`), each `apply` adds its gradients to per-variable
/// accumulators, and every k-th updates with their mean `(g + Σ acc) / k` (clipped, after weight
/// decay) and zeroes them. Keras' counts are kept exactly: every `apply` advances the step count
/// (Keras' `_iterations`), which the learning-rate schedule reads; `iterations` (Keras'
/// `iterations`) is that count ÷ k, so the update rules (Adam's bias correction) see 1, 2, 3, …
open class Optimizer {
    /// The learning rate, a number or a schedule of the step count.
    public var learningRate: LearningRate
    /// Scales each gradient so its L2 norm is at most this.
    public let clipNorm: Float?
    /// Clips each gradient element to ±this.
    public let clipValue: Float?
    /// Scales all gradients together so their joint L2 norm is at most this.
    public let globalClipNorm: Float?
    /// Decoupled weight decay factor (`w ← w − w · weightDecay · lr` before the update).
    public let weightDecay: Float?
    /// Update every this many steps with the mean of their gradients (nil: every step; else ≥ 2).
    public let gradientAccumulationSteps: Int?
    /// `apply` calls so far — updates and accumulations (Keras' `_iterations`, what schedules read).
    public private(set) var steps = 0
    /// Updates applied so far (Keras' `iterations`: the steps ÷ `gradientAccumulationSteps`).
    public var iterations: Int {
        get { steps / (gradientAccumulationSteps ?? 1) }
        set { steps = newValue * (gradientAccumulationSteps ?? 1) }
    }

    private var slots: [ObjectIdentifier: [Tensor]] = [:]
    private var slotOwners: [ObjectIdentifier: Variable] = [:]
    private var accumulators: [ObjectIdentifier: Tensor] = [:]

    /// The slot name of a variable's gradient accumulator in `state` (Keras' name).
    static let accumulatorSlot = "gradient_accumulator"

    /// Creates the shared part; subclasses pass their defaults.
    ///
    /// - Precondition: at most one clipping option (as Keras requires); `gradientAccumulationSteps` nil or ≥ 2.
    public init(learningRate: LearningRate, clipNorm: Float? = nil, clipValue: Float? = nil,
                globalClipNorm: Float? = nil, weightDecay: Float? = nil, gradientAccumulationSteps: Int? = nil) {
        precondition([clipNorm, globalClipNorm, clipValue].compactMap { $0 }.count <= 1,
                     "Optimizer: set at most one of clipNorm, globalClipNorm and clipValue (as Keras requires)")
        precondition(gradientAccumulationSteps.map { $0 >= 2 } ?? true,
                     "Optimizer: gradientAccumulationSteps must be at least 2 (Keras' rule), got \(gradientAccumulationSteps!)")
        self.learningRate = learningRate
        self.clipNorm = clipNorm
        self.clipValue = clipValue
        self.globalClipNorm = globalClipNorm
        self.weightDecay = weightDecay
        self.gradientAccumulationSteps = gradientAccumulationSteps
    }

    /// Keras' name of the optimizer (`adam`).
    open var name: String { String(describing: type(of: self)).lowercased() }

    /// Names of the per-variable state tensors, in order (`["momentum", "velocity"]`).
    open var slotNames: [String] { [] }

    /// Initial slot values for a variable (default: zeros of its shape for every slot name).
    open func initialSlots(for variable: Variable) -> [Tensor] {
        slotNames.map { _ in Tensor.zeros(variable.shape) }
    }

    /// Called once per `apply`, before the variables are updated (for state shared by all
    /// variables, like Nadam's momentum-cache product). `step` is the 1-based step number.
    open func prepareStep(_ step: Int) {}

    /// The update rule: changes `value` given its `gradient`, its `slots`, the 1-based `step`
    /// and the learning rate. Tensors here are not tracked.
    open func update(_ value: inout Tensor, gradient: Tensor, slots: inout [Tensor], step: Int, learningRate: Float) {
        preconditionFailure("\(type(of: self)) must override update(_:gradient:slots:step:learningRate:)")
    }

    /// The learning rate the next update uses (the schedule at the step count, as Keras reads it).
    public var currentLearningRate: Float { learningRate.value(at: steps) }

    /// Whether the next `apply` only accumulates its gradients (gradient accumulation, not the k-th step).
    public var nextApplyAccumulates: Bool {
        gradientAccumulationSteps.map { (steps + 1) % $0 != 0 } ?? false
    }

    /// Applies one step of `gradients` to `variables` (same order and shapes): an update, or,
    /// with gradient accumulation, an accumulation until every k-th step updates.
    public func apply(_ gradients: [Tensor], to variables: [Variable]) {
        precondition(gradients.count == variables.count,
                     "\(name): \(gradients.count) gradients for \(variables.count) variables")
        guard gradientAccumulationSteps != nil else { return update(variables, with: gradients) }
        if nextApplyAccumulates {
            for (variable, gradient) in zip(variables, gradients) {
                let key = ObjectIdentifier(variable)
                slotOwners[key] = variable
                accumulators[key] = accumulators[key].map { gradient.detached + $0 } ?? gradient.detached
            }
            steps += 1
        } else {
            applyAccumulated(zip(variables, gradients).map { variable, gradient in
                accumulators[ObjectIdentifier(variable)].map { gradient.detached + $0 } ?? gradient.detached
            }, to: variables)
        }
    }

    /// The gradients accumulated since the last update, one per variable (nil where none).
    func accumulated(for variables: [Variable]) -> [Tensor?] { variables.map { accumulators[ObjectIdentifier($0)] } }

    /// The k-th step of gradient accumulation from `totals`, each the sum of this step's gradient
    /// and the accumulated ones (under data parallelism, summed over the replicas too): updates
    /// with `totals / k` and zeroes the accumulators.
    func applyAccumulated(_ totals: [Tensor], to variables: [Variable]) {
        let k = Float(gradientAccumulationSteps!)
        for variable in variables { accumulators[ObjectIdentifier(variable)] = nil }
        update(variables, with: totals.map { $0 / k })
    }

    /// One update: clipping, weight decay, the rule on each variable, the step count.
    private func update(_ variables: [Variable], with gradients: [Tensor]) {
        let pass = beginPass()
        let clipped = globalClipNorm.map { clipTogether(gradients.map(\.detached), norm: $0) } ?? gradients
        for (variable, gradient) in zip(variables, clipped) { update(variable, gradient: gradient, in: pass) }
        steps += 1
    }

    /// What every variable of one update shares: the learning rate and the 1-based step number
    /// the rules see, read once before the first variable is updated.
    struct Pass {
        let learningRate: Float
        let step: Int
    }

    /// Begins an update whose gradients arrive one variable at a time — the training step hands
    /// each over as soon as the backward pass has completed it, while the earlier layers'
    /// gradients are still being computed (the variable and its gradient are then still in
    /// cache). Nil where the update needs every gradient at once (`globalClipNorm`) or is an
    /// accumulation (`gradientAccumulationSteps`). Each variable is then updated with
    /// `update(_:gradient:in:)` and the update ends with `end(_:)`; the numbers are those of
    /// `apply`, since clipping by `clipNorm` or `clipValue`, weight decay and every rule read
    /// only the variable's own gradient and slots.
    func beginIncrementalUpdate() -> Pass? {
        guard globalClipNorm == nil, gradientAccumulationSteps == nil else { return nil }
        return beginPass()
    }

    /// Ends an update begun with `beginIncrementalUpdate` (the step count advances).
    func end(_ pass: Pass) { steps += 1 }

    private func beginPass() -> Pass {
        let pass = Pass(learningRate: currentLearningRate, step: iterations + 1)
        prepareStep(pass.step)
        return pass
    }

    /// One variable's share of an update: its gradient clipped (`clipNorm`, `clipValue`), its
    /// weight decay, its rule.
    func update(_ variable: Variable, gradient: Tensor, in pass: Pass) {
        precondition(gradient.shape == variable.shape,
                     "\(name): gradient of shape \(gradient.shape) for variable '\(variable.name)' of shape \(variable.shape)")
        let lr = pass.learningRate
        let clipped = clip(gradient.detached)
        if let weightDecay, weightDecay != 0 { variable.update { $0 = $0 - $0 * (weightDecay * lr) } }
        let key = ObjectIdentifier(variable)
        // Taken out of the dictionary so that the slots' buffers are not shared and the
        // update can run in place.
        var state = slots.removeValue(forKey: key) ?? initialSlots(for: variable)
        slotOwners[key] = variable
        variable.update { value in
            update(&value, gradient: clipped, slots: &state, step: pass.step, learningRate: lr)
        }
        slots[key] = state
    }

    /// A gradient clipped by `clipNorm` or `clipValue` (Keras applies at most one of them).
    private func clip(_ gradient: Tensor) -> Tensor {
        if let clipNorm, clipNorm > 0 { return gradient * (clipNorm / Swift.max(Self.norm(gradient), clipNorm)) }
        if let clipValue { return clamp(gradient, min: -clipValue, max: clipValue) }
        return gradient
    }

    /// All gradients scaled together so that their joint L2 norm is at most `norm`.
    private func clipTogether(_ gradients: [Tensor], norm: Float) -> [Tensor] {
        guard norm > 0 else { return gradients }
        let total = gradients.reduce(Float(0)) { $0 + square($1).sum().scalar }.squareRoot()
        let scale = norm / Swift.max(total, norm)
        return gradients.map { $0 * scale }
    }

    private static func norm(_ g: Tensor) -> Float { square(g).sum().scalar.squareRoot() }

    // MARK: - State

    /// Scalar state shared by all variables (e.g. Nadam's momentum-cache product), by name.
    open var scalarState: [String: Float] {
        get { [:] }
        set {}
    }

    /// Everything a checkpoint needs to resume exactly: the step count, every slot (keyed
    /// `"<variable name>/<slot name>"`, the gradient accumulators as `…/gradient_accumulator`)
    /// and the scalar state.
    public var state: OptimizerState {
        var all: [String: Tensor] = [:]
        for (key, tensors) in slots {
            guard let owner = slotOwners[key] else { continue }
            for (name, tensor) in zip(slotNames, tensors) { all["\(owner.name)/\(name)"] = tensor }
        }
        for (key, tensor) in accumulators {
            guard let owner = slotOwners[key] else { continue }
            all["\(owner.name)/\(Self.accumulatorSlot)"] = tensor
        }
        return OptimizerState(iterations: steps, slots: all, scalars: scalarState)
    }

    /// Restores `state` for `variables` (slots are matched by variable and slot name).
    public func restore(_ state: OptimizerState, for variables: [Variable]) throws {
        var restored: [ObjectIdentifier: [Tensor]] = [:]
        // Slots exist from the first update on (with gradient accumulation, steps come before it).
        let updated = state.iterations / (gradientAccumulationSteps ?? 1) > 0
        for variable in variables where updated {
            let tensors = try slotNames.map { name -> Tensor in
                guard let tensor = state.slots["\(variable.name)/\(name)"] else {
                    throw StrataError.invalidArgument("missing optimizer slot '\(variable.name)/\(name)'", context: self.name)
                }
                guard tensor.shape == variable.shape else {
                    throw StrataError.shapeMismatch("slot '\(variable.name)/\(name)' has shape \(tensor.shape)",
                                                    context: self.name, expected: "\(variable.shape)")
                }
                return tensor
            }
            if !tensors.isEmpty { restored[ObjectIdentifier(variable)] = tensors }
        }
        var accumulated: [ObjectIdentifier: Tensor] = [:]
        if gradientAccumulationSteps != nil {
            for variable in variables {
                guard let tensor = state.slots["\(variable.name)/\(Self.accumulatorSlot)"] else { continue }
                guard tensor.shape == variable.shape else {
                    throw StrataError.shapeMismatch("slot '\(variable.name)/\(Self.accumulatorSlot)' has shape \(tensor.shape)",
                                                    context: self.name, expected: "\(variable.shape)")
                }
                accumulated[ObjectIdentifier(variable)] = tensor
            }
        }
        for variable in variables where restored[ObjectIdentifier(variable)] != nil || accumulated[ObjectIdentifier(variable)] != nil {
            slotOwners[ObjectIdentifier(variable)] = variable
        }
        slots.merge(restored) { $1 }
        accumulators = accumulated
        scalarState = state.scalars
        steps = state.iterations
    }

    /// The optimizer's own options (Keras' snake_case keys), added to `config`.
    open var options: [String: ConfigValue] { [:] }

    /// `{"class_name": "Adam", "config": {"learning_rate": …, …}}`.
    public final var config: ConfigValue {
        var all = options
        all["name"] = .string(name)
        switch learningRate {
        case .constant(let value): all["learning_rate"] = .float(value)
        case .schedule(let schedule): all["learning_rate"] = schedule.config
        }
        all["clipnorm"] = clipNorm.map { .float($0) } ?? .null
        all["clipvalue"] = clipValue.map { .float($0) } ?? .null
        all["global_clipnorm"] = globalClipNorm.map { .float($0) } ?? .null
        all["weight_decay"] = weightDecay.map { .float($0) } ?? .null
        all["gradient_accumulation_steps"] = gradientAccumulationSteps.map { .int($0) } ?? .null
        return .object(["class_name": .string(String(describing: type(of: self))), "config": .object(all)])
    }
}

/// An optimizer's resumable state.
public struct OptimizerState: Equatable {
    /// `apply` calls so far (`Optimizer.steps`: the updates, times k with gradient accumulation).
    public var iterations: Int
    /// Per-variable slots keyed `"<variable name>/<slot name>"`.
    public var slots: [String: Tensor]
    /// Scalar state shared by all variables.
    public var scalars: [String: Float]

    /// Creates a state.
    public init(iterations: Int, slots: [String: Tensor], scalars: [String: Float] = [:]) {
        self.iterations = iterations
        self.slots = slots
        self.scalars = scalars
    }
}

/// What Adam, AdamW, Adamax and Nadam share: β₁, β₂, ε and the running first and second moments
/// `m ← m + (g − m)(1 − β₁)`, `v ← v + (g² − v)(1 − β₂)` (computed inside the fused update
/// kernel, `UpdateRule`); each subclass holds only how it turns them into an update.
public class MomentOptimizer: Optimizer {
    /// Decay of the first moment.
    public let beta1: Float
    /// Decay of the second moment (or of the infinity norm, for Adamax).
    public let beta2: Float
    /// ε̂, added to the denominator.
    public let epsilon: Float

    init(learningRate: LearningRate, beta1: Float, beta2: Float, epsilon: Float, clipNorm: Float?, clipValue: Float?,
         globalClipNorm: Float?, weightDecay: Float?, gradientAccumulationSteps: Int?) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        super.init(learningRate: learningRate, clipNorm: clipNorm, clipValue: clipValue,
                   globalClipNorm: globalClipNorm, weightDecay: weightDecay, gradientAccumulationSteps: gradientAccumulationSteps)
    }

    public override var options: [String: ConfigValue] {
        ["beta_1": .float(beta1), "beta_2": .float(beta2), "epsilon": .float(epsilon)]
    }
}
