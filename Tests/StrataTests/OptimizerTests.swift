import Foundation
import StrataTestSupport
import Testing
@testable import Strata

/// Keras 3's update rules (keras/src/optimizers/*.py), written independently in double
/// precision on plain arrays: the reference trajectories the optimizers must follow.
private enum KerasReference {
    typealias Vector = [Double]

    static func sgd(_ w: inout Vector, _ g: Vector, _ m: inout Vector, lr: Double, momentum: Double, nesterov: Bool) {
        for i in w.indices {
            if momentum == 0 { w[i] -= lr * g[i]; continue }
            m[i] = momentum * m[i] - lr * g[i]
            w[i] += nesterov ? momentum * m[i] - lr * g[i] : m[i]
        }
    }

    static func adam(_ w: inout Vector, _ g: Vector, _ m: inout Vector, _ v: inout Vector, _ vHat: inout Vector,
                     step t: Double, lr: Double, b1: Double = 0.9, b2: Double = 0.999, eps: Double = 1e-7, amsgrad: Bool = false) {
        let alpha = lr * (1 - pow(b2, t)).squareRoot() / (1 - pow(b1, t))
        for i in w.indices {
            m[i] += (g[i] - m[i]) * (1 - b1)
            v[i] += (g[i] * g[i] - v[i]) * (1 - b2)
            var vi = v[i]
            if amsgrad { vHat[i] = max(vHat[i], v[i]); vi = vHat[i] }
            w[i] -= m[i] * alpha / (vi.squareRoot() + eps)
        }
    }
}

/// Runs `steps` updates of `optimizer` on f(w) = Σ cᵢ·wᵢ² (gradient 2cᵢwᵢ) from `start`, and
/// the same steps of `reference` in double precision; returns both trajectories' end points.
private func trajectories(_ optimizer: Optimizer, steps: Int = 6, start: [Float] = [0.5, -1.5, 2, -0.25],
                          _ reference: (_ w: inout [Double], _ g: [Double], _ step: Int) -> Void) -> ([Float], [Double]) {
    let c: [Float] = [1, 3, 0.5, 10]
    let variable = Variable(Tensor(start), name: "w")
    var expected = start.map(Double.init)
    for step in 1...steps {
        let gradient = zip(variable.value.scalars, c).map { 2 * $0 * $1 }
        optimizer.apply([Tensor(gradient)], to: [variable])
        let g = zip(expected, c).map { 2 * $0 * Double($1) }
        reference(&expected, g, step)
    }
    return (variable.value.scalars, expected)
}

private func expectTrajectory(_ result: ([Float], [Double]), tolerance: Double = 2e-5,
                              _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    for (a, e) in zip(result.0, result.1) {
        #expect(abs(Double(a) - e) <= tolerance * max(1, abs(e)), "\(comment?.rawValue ?? ""): \(result.0) vs \(result.1)",
                sourceLocation: sourceLocation)
    }
}

@Suite("Optimizers follow Keras 3's update rules")
struct OptimizerTests {
    @Test func sgdPlainMomentumAndNesterov() {
        for (momentum, nesterov) in [(0.0, false), (0.9, false), (0.9, true)] {
            var m = [Double](repeating: 0, count: 4)
            expectTrajectory(trajectories(SGD(learningRate: 0.01, momentum: Float(momentum), nesterov: nesterov)) { w, g, _ in
                KerasReference.sgd(&w, g, &m, lr: 0.01, momentum: momentum, nesterov: nesterov)
            }, "momentum \(momentum) nesterov \(nesterov)")
        }
    }

    @Test func adagrad() {
        var accumulator = [Double](repeating: 0.1, count: 4)
        expectTrajectory(trajectories(Adagrad(learningRate: 0.1)) { w, g, _ in
            for i in w.indices {
                accumulator[i] += g[i] * g[i]
                w[i] -= 0.1 * g[i] / (accumulator[i] + 1e-7).squareRoot()
            }
        })
    }

    @Test(arguments: [(0.0, false), (0.0, true), (0.5, false), (0.5, true)])
    func rmsprop(momentum: Double, centered: Bool) {
        var velocity = [Double](repeating: 0, count: 4), average = velocity, m = velocity
        let optimizer = RMSprop(learningRate: 0.01, rho: 0.9, momentum: Float(momentum), centered: centered)
        expectTrajectory(trajectories(optimizer) { w, g, _ in
            for i in w.indices {
                velocity[i] = 0.9 * velocity[i] + 0.1 * g[i] * g[i]
                var denominator = velocity[i] + 1e-7
                if centered {
                    average[i] = 0.9 * average[i] + 0.1 * g[i]
                    denominator = velocity[i] - average[i] * average[i] + 1e-7
                }
                let increment = 0.01 * g[i] / denominator.squareRoot()
                if momentum > 0 { m[i] = momentum * m[i] + increment; w[i] -= m[i] } else { w[i] -= increment }
            }
        }, tolerance: 1e-4, "momentum \(momentum) centered \(centered)")
    }

    @Test(arguments: [false, true])
    func adam(amsgrad: Bool) {
        var m = [Double](repeating: 0, count: 4), v = m, vHat = m
        expectTrajectory(trajectories(Adam(learningRate: 0.05, amsgrad: amsgrad), steps: 8) { w, g, t in
            KerasReference.adam(&w, g, &m, &v, &vHat, step: Double(t), lr: 0.05, amsgrad: amsgrad)
        })
    }

    @Test func adamWDecaysBeforeTheAdamStep() {
        var m = [Double](repeating: 0, count: 4), v = m, vHat = m
        expectTrajectory(trajectories(AdamW(learningRate: 0.05, weightDecay: 0.1)) { w, g, t in
            for i in w.indices { w[i] -= w[i] * 0.1 * 0.05 }
            KerasReference.adam(&w, g, &m, &v, &vHat, step: Double(t), lr: 0.05)
        })
    }

    @Test func adamax() {
        var m = [Double](repeating: 0, count: 4), u = m
        expectTrajectory(trajectories(Adamax(learningRate: 0.02)) { w, g, t in
            for i in w.indices {
                m[i] += (g[i] - m[i]) * 0.1
                u[i] = max(0.999 * u[i], abs(g[i]))
                w[i] -= 0.02 * m[i] / ((1 - pow(0.9, Double(t))) * (u[i] + 1e-7))
            }
        })
    }

    @Test func nadamWithKerasMomentumCache() {
        var m = [Double](repeating: 0, count: 4), v = m
        var product = 1.0
        let cache = { (t: Double) in 0.9 * (1 - 0.5 * pow(0.96, t)) }
        let optimizer = Nadam(learningRate: 0.02)
        expectTrajectory(trajectories(optimizer, steps: 8) { w, g, step in
            let t = Double(step)
            product *= cache(t)                      // once per step, before the variables
            let productNext = product * cache(t + 1)
            for i in w.indices {
                m[i] += (g[i] - m[i]) * 0.1
                v[i] += (g[i] * g[i] - v[i]) * 0.001
                let mHat = cache(t + 1) * m[i] / (1 - productNext) + (1 - cache(t)) * g[i] / (1 - product)
                let vHat = v[i] / (1 - pow(0.999, t))
                w[i] -= 0.02 * mHat / (vHat.squareRoot() + 1e-7)
            }
        })
        #expect(abs(Double(optimizer.momentumProduct) - product) < 1e-6)
    }

    @Test func lion() {
        var m = [Double](repeating: 0, count: 4)
        expectTrajectory(trajectories(Lion(learningRate: 0.01)) { w, g, _ in
            for i in w.indices {
                let direction = 0.9 * m[i] + 0.1 * g[i]
                w[i] -= 0.01 * (direction > 0 ? 1 : direction < 0 ? -1 : 0)
                m[i] = 0.99 * m[i] + 0.01 * g[i]
            }
        })
    }

    @Test func clippingAndWeightDecayInTheBase() {
        // clipNorm: each gradient scaled to norm ≤ 1.
        expectTrajectory(trajectories(SGD(learningRate: 0.1, clipNorm: 1)) { w, g, _ in
            let norm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for i in w.indices { w[i] -= 0.1 * g[i] / max(norm, 1) }
        }, "clipNorm")
        // clipValue: elements to ±0.5.
        expectTrajectory(trajectories(SGD(learningRate: 0.1, clipValue: 0.5)) { w, g, _ in
            for i in w.indices { w[i] -= 0.1 * min(max(g[i], -0.5), 0.5) }
        }, "clipValue")
        // globalClipNorm over two variables together.
        let a = Variable(Tensor([3, 4]), name: "a"), b = Variable(Tensor([12]), name: "b")
        SGD(learningRate: 1, globalClipNorm: 6.5).apply([Tensor([3, 4]), Tensor([12])], to: [a, b])
        expectClose(a.value, [3 - 1.5, 4 - 2], tolerance: 1e-6)       // global norm 13 → scale 0.5
        expectClose(b.value, [12 - 6], tolerance: 1e-6)
        // weightDecay with a constant learning rate: w ← w − w·wd·lr, then the SGD step.
        expectTrajectory(trajectories(SGD(learningRate: 0.1, weightDecay: 0.5)) { w, g, _ in
            for i in w.indices { w[i] -= w[i] * 0.5 * 0.1; w[i] -= 0.1 * g[i] }
        }, "weightDecay")
    }

    #if arch(x86_64)
    /// The fused update flushes subnormal values to zero (a slot decaying on a zero gradient would
    /// otherwise make every divide and square root a microcode assist) and leaves the caller's
    /// floating-point mode as it was.
    @Test func updatesFlushSubnormalsToZero() {
        let subnormal = Float.leastNormalMagnitude / 4
        let w = Variable(Tensor([0, 1]), name: "w")
        SGD(learningRate: 0.5).apply([Tensor([2 * subnormal, 2])], to: [w])   // w − 0.5·g
        #expect(w.value.scalars == [0, 0], "a subnormal result is flushed to zero")
        // A subnormal gradient counts as zero: no step (else m = g/10 and w moves by ≈ 10⁻³⁶).
        let v = Variable(Tensor([0]), name: "v")
        Adam().apply([Tensor([subnormal])], to: [v])
        #expect(v.value.scalar == 0)
        // Back in the caller's mode, subnormal arithmetic works.
        #expect(w.value.scalars.map { $0 + subnormal }.map { $0 * 0.5 } == [subnormal * 0.5, subnormal * 0.5])
        #expect([subnormal].map { $0 * 0.5 }[0] > 0)
    }
    #endif

    @Test func schedulesDriveTheLearningRateByStep() {
        let schedule = PiecewiseConstantDecay(boundaries: [1, 3], values: [0.1, 0.01, 0.001])
        let optimizer = SGD(learningRate: .schedule(schedule))
        let w = Variable(Tensor([1]), name: "w")
        var expected: Float = 1
        for step in 0..<5 {
            #expect(optimizer.currentLearningRate == schedule(step))
            optimizer.apply([Tensor([1])], to: [w])
            expected -= schedule(step)
        }
        #expect(abs(w.value.scalar - expected) < 1e-6)
        #expect(optimizer.iterations == 5)
    }

    @Test func stateRoundTripResumesExactly() throws {
        let make = { Adam(learningRate: 0.05, amsgrad: true) }
        let (full, _) = trajectories(make(), steps: 6) { _, _, _ in }
        let first = make()
        let w = Variable(Tensor([0.5, -1.5, 2, -0.25]), name: "w")
        let c: [Float] = [1, 3, 0.5, 10]
        let step = { (o: Optimizer) in o.apply([Tensor(zip(w.value.scalars, c).map { 2 * $0 * $1 })], to: [w]) }
        for _ in 0..<3 { step(first) }
        let resumed = make()
        try resumed.restore(first.state, for: [w])
        #expect(resumed.state == first.state)
        for _ in 0..<3 { step(resumed) }
        #expect(w.value.scalars == full)
        let nadam = Nadam()
        nadam.apply([Tensor([1, 1, 1, 1])], to: [w])
        let copy = Nadam()
        try copy.restore(nadam.state, for: [w])
        #expect(copy.momentumProduct == nadam.momentumProduct)
        #expect(throws: StrataError.self) { try Adam().restore(OptimizerState(iterations: 1, slots: [:]), for: [w]) }
    }

    @Test func configNamesKerasKeys() {
        guard case .object(let outer) = Adam(learningRate: 0.01, amsgrad: true).config,
              case .object(let options)? = outer["config"] else { Issue.record("config is not an object"); return }
        #expect(outer["class_name"] == .string("Adam"))
        #expect(options["learning_rate"] == .float(0.01) && options["amsgrad"] == .bool(true) && options["beta_1"] == .float(0.9))
    }
}

@Suite("Learning-rate schedules (Keras 3 formulas)")
struct ScheduleTests {
    @Test func valuesAtSteps() {
        let exponential = ExponentialDecay(initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5)
        #expect(abs(exponential(5) - 0.1 * Float(pow(0.5, 0.5))) < 1e-7)
        #expect(abs(ExponentialDecay(initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true)(15) - 0.05) < 1e-7)
        let piecewise = PiecewiseConstantDecay(boundaries: [100, 200], values: [1, 0.5, 0.1])
        #expect([0, 100, 101, 200, 201].map { piecewise($0) } == [1, 1, 0.5, 0.5, 0.1])
        #expect(abs(InverseTimeDecay(initialLearningRate: 1, decaySteps: 10, decayRate: 0.5)(20) - 0.5) < 1e-7)
        #expect(abs(InverseTimeDecay(initialLearningRate: 1, decaySteps: 10, decayRate: 0.5, staircase: true)(19) - 1 / 1.5) < 1e-6)
        let polynomial = PolynomialDecay(initialLearningRate: 0.1, decaySteps: 10, endLearningRate: 0.01, power: 2)
        #expect(abs(polynomial(5) - (0.09 * 0.25 + 0.01)) < 1e-7)
        #expect(abs(polynomial(50) - 0.01) < 1e-7)
        let cyclic = PolynomialDecay(initialLearningRate: 0.1, decaySteps: 10, endLearningRate: 0.01, cycle: true)
        #expect(abs(cyclic(15) - (0.09 * (1 - 15.0 / 20) + 0.01)) < 1e-6)
        let cosine = CosineDecay(initialLearningRate: 1, decaySteps: 100, alpha: 0.1)
        #expect(abs(cosine(50) - (0.9 * 0.5 + 0.1)) < 1e-6 && abs(cosine(200) - 0.1) < 1e-6)
        let warm = CosineDecay(initialLearningRate: 0, decaySteps: 100, warmupTarget: 1, warmupSteps: 10)
        #expect(abs(warm(5) - 0.5) < 1e-6 && abs(warm(10) - 1) < 1e-6 && abs(warm(60) - 0.5) < 1e-6)
        let restarts = CosineDecayRestarts(initialLearningRate: 1, firstDecaySteps: 10, tMul: 2, mMul: 0.5)
        #expect(abs(restarts(0) - 1) < 1e-6)
        #expect(abs(restarts(5) - 0.5) < 1e-6)              // half-way through the first period
        #expect(abs(restarts(10) - 0.5) < 1e-6)             // second period (20 steps) starts at mMul
        #expect(abs(restarts(20) - 0.25) < 1e-6)            // half-way through it
        let sameLength = CosineDecayRestarts(initialLearningRate: 1, firstDecaySteps: 10, tMul: 1)
        #expect(abs(sameLength(15) - 0.5) < 1e-6)
    }
}

@Suite("Fused update kernels on large variables")
struct FusedUpdateTests {
    /// Every element of a variable long enough to be split across threads and to exercise the
    /// vector loops' tails follows the double-precision Adam reference.
    @Test(arguments: [false, true])
    func adamOnAVariableSplitAcrossThreads(amsgrad: Bool) {
        let n = 40_013
        let start = (0..<n).map { Float(sin(Double($0) * 0.37)) }
        let c = (0..<n).map { Float(1 + $0 % 7) }
        let variable = Variable(Tensor(start), name: "w")
        let optimizer = Adam(learningRate: 0.01, amsgrad: amsgrad)
        var w = start.map(Double.init), m = [Double](repeating: 0, count: n), v = m, vHat = m
        for step in 1...4 {
            optimizer.apply([Tensor(zip(variable.value.scalars, c).map { 2 * $0 * $1 })], to: [variable])
            KerasReference.adam(&w, zip(w, c).map { 2 * $0 * Double($1) }, &m, &v, &vHat, step: Double(step), lr: 0.01,
                                amsgrad: amsgrad)
        }
        let worst = zip(variable.value.scalars, w).map { abs(Double($0) - $1) / max(1, abs($1)) }.max()!
        #expect(worst <= 2e-5)
    }

    /// The training step updates each variable as its gradient becomes final (last layer
    /// first): the same numbers as one `apply`, with the per-gradient clipping and weight decay
    /// of the base; global clipping and accumulation need every gradient first and decline.
    @Test(arguments: [0, 1, 2])
    func anIncrementalUpdateIsApply(option: Int) throws {
        func optimizer() -> Optimizer {
            switch option {
            case 0: return Adam(learningRate: 0.01, clipNorm: 0.5, weightDecay: 0.1)
            case 1: return Nadam(learningRate: 0.02, clipValue: 0.01)
            default: return SGD(learningRate: 0.1, momentum: 0.9, nesterov: true)
            }
        }
        let shapes = [[3, 4], [4], [4, 2]]
        func variables() -> [Variable] {
            shapes.enumerated().map { Variable(Tensor.randomNormal($1, seed: 50 + UInt64($0)), name: "v\($0)") }
        }
        let (whole, incremental) = (optimizer(), optimizer())
        let (a, b) = (variables(), variables())
        for step in 0..<3 {
            let gradients = shapes.enumerated().map { Tensor.randomNormal($1, seed: 60 + UInt64(10 * step + $0)) }
            whole.apply(gradients, to: a)
            let pass = try #require(incremental.beginIncrementalUpdate())
            for index in gradients.indices.reversed() { incremental.update(b[index], gradient: gradients[index], in: pass) }
            incremental.end(pass)
        }
        for (x, y) in zip(a, b) { #expect(x.value == y.value) }
        #expect(whole.state == incremental.state)
        #expect(Adam(globalClipNorm: 1).beginIncrementalUpdate() == nil)
        #expect(Adam(gradientAccumulationSteps: 2).beginIncrementalUpdate() == nil)
    }

    /// `fit` takes the incremental path where it can: a model trained so equals one trained with
    /// a global clipping norm that never clips (which takes the whole-update path; its scale is
    /// exactly 1).
    @Test func fitUpdatesIncrementallyWithTheSameNumbers() throws {
        func trained(_ optimizer: Optimizer) throws -> (before: [Tensor], after: [Tensor]) {
            try Random.withSeed(7) {
                let x = Tensor.randomNormal([64, 5], seed: 70), y = Tensor.randomNormal([64, 3], seed: 71)
                let model = Sequential([Dense(16, activation: .relu, inputShape: [5]), BatchNormalization(), Dense(3)])
                model.compile(optimizer: optimizer, loss: .meanSquaredError)
                let before = model.weights.map(\.value)
                try model.fit(x, y, batchSize: 16, epochs: 2, verbose: .silent)
                return (before, model.weights.map(\.value))
            }
        }
        let incremental = try trained(Adam(learningRate: 0.01))
        let whole = try trained(Adam(learningRate: 0.01, globalClipNorm: 1e30))
        #expect(incremental.before == whole.before)
        #expect(incremental.after == whole.after)
        #expect(incremental.after != incremental.before)
    }

    /// The update runs in place: the variable keeps its buffer across steps.
    @Test func updatesInPlace() {
        let variable = Variable(Tensor.randomNormal([300, 100], seed: 3), name: "w")
        let optimizer = Adam()
        let gradient = Tensor.randomNormal([300, 100], seed: 4)
        optimizer.apply([gradient], to: [variable])
        let before = variable.value.withUnsafeBufferPointer { $0.baseAddress }
        optimizer.apply([gradient], to: [variable])
        #expect(variable.value.withUnsafeBufferPointer { $0.baseAddress } == before)
    }
}
