import Foundation
import Testing
@testable import Strata

/// Keras 3's own values and gradients (TensorFlow backend, float64) at exact zeros, the ties of
/// every piecewise activation (ReLU's threshold and cap, hard sigmoid's ±3), ±1e-7, ±1e-12 and
/// ±1e4, written by `Tests/Fixtures/keras_edges.py` into `keras-edges.json`. Every path a user
/// reaches is held to them: the function, its layer, and `Dense` with that activation — fused
/// into the GEMM for linear, ReLU and tanh, composed after it for the rest.
@Suite("Keras edges: ties, zeros, tiny and large inputs against Keras 3 itself")
struct KerasEdgeTests {
    struct Curve: Decodable {
        let value: [Double]
        let gradient: [Double]
    }

    struct PReLUCase: Decodable {
        let alpha: Double
        let value: [Double]
        let gradient: [Double]
        let alphaGradient: [Double]
        enum CodingKeys: String, CodingKey { case alpha, value, gradient, alphaGradient = "alpha_gradient" }
    }

    struct LossCase: Decodable {
        let yTrue: [[Double]]
        let yPred: [[Double]]
        let value: [Double]
        let gradient: [[Double]]
        enum CodingKeys: String, CodingKey { case value, gradient, yTrue = "y_true", yPred = "y_pred" }
    }

    struct Fixture: Decodable {
        let points: [Double]
        let activations: [String: Curve]
        let prelu: PReLUCase
        let losses: [String: LossCase]
    }

    static let fixture: Fixture = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/keras-edges.json")
        // A missing or unreadable fixture is a broken checkout: fail loudly rather than test nothing.
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    /// The fixture's names (Keras calls) and the same activation in Strata.
    static let activations: [String: ActivationFunction] = [
        "relu": .relu,
        "relu(negative_slope=0.1)": .relu(negativeSlope: 0.1),
        "relu(max_value=6)": .relu(maxValue: 6),
        "relu(max_value=5)": .relu(maxValue: 5),
        "relu(threshold=1.5)": .relu(threshold: 1.5),
        "relu(threshold=-1.5,max_value=5)": .relu(maxValue: 5, threshold: -1.5),
        "relu(negative_slope=0.1,max_value=5)": .relu(negativeSlope: 0.1, maxValue: 5),
        "relu(negative_slope=0.1,threshold=1.5)": .relu(negativeSlope: 0.1, threshold: 1.5),
        "leaky_relu": .leakyRelu,
        "leaky_relu(negative_slope=0.3)": .leakyRelu(negativeSlope: 0.3),
        "elu": .elu,
        "elu(alpha=0.5)": .elu(alpha: 0.5),
        "selu": .selu,
        "gelu": .gelu,
        "gelu(approximate=True)": .gelu(approximate: true),
        "silu": .silu,
        "softplus": .softplus,
        "softsign": .softsign,
        "hard_sigmoid": .hardSigmoid,
        "sigmoid": .sigmoid,
        "tanh": .tanh,
        "linear": .linear,
    ]

    /// Relative precision 4e-6 (float32 against float64), plus two absolute slacks: 2.3e-16 for
    /// Keras' own float64 rounding (TensorFlow's ELU and SELU compute `eˣ − 1`, not `expm1`, so
    /// at x = −1e-12 Keras is off by 1e-16 itself), and 2e-7 in the tails (|x| ≥ 3), where a
    /// float32 result cancels against 1 (`1 − tanh²`, `y (1 − y)`, `1 + erf`, `eˣ` as `1 + elu`)
    /// in float32 Keras as much as here. The ties, zeros and tiny inputs get no such slack.
    static func expectMatches(_ actual: [Float], _ expected: [Double], slack: (Int) -> Double = { _ in 2.3e-16 },
                              _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.count == expected.count, "\(what): \(actual.count) values for \(expected.count)",
                sourceLocation: sourceLocation)
        for (index, (a, e)) in zip(actual, expected).enumerated() {
            #expect(Swift.abs(Double(a) - e) <= 4e-6 * Swift.abs(e) + slack(index),
                    "\(what) at input \(index): \(a), Keras \(e)", sourceLocation: sourceLocation)
        }
    }

    static func check(_ name: String, path: String, _ f: (Tensor) -> Tensor) {
        guard let curve = fixture.activations[name] else {
            Issue.record("no Keras reference for \(name)")
            return
        }
        let x = Tensor(shape: [fixture.points.count, 1], scalars: fixture.points.map(Float.init))
        let (y, g) = valueWithGradient(at: x) { f($0).sum() }
        let forward = f(x).scalars
        let slack: (Int) -> Double = { Swift.abs(fixture.points[$0]) >= 3 ? 2e-7 : 2.3e-16 }
        expectMatches(forward, curve.value, slack: slack, "\(name) \(path)")
        expectMatches(g.scalars, curve.gradient, slack: slack, "\(name)' \(path)")
        #expect(y.scalar.isFinite)
    }

    @Test func everyFixtureActivationIsCovered() {
        #expect(Set(Self.fixture.activations.keys) == Set(Self.activations.keys))
    }

    @Test(arguments: activations.keys.sorted())
    func activationFunctionAndLayer(_ name: String) {
        let activation = Self.activations[name]!
        Self.check(name, path: "function") { activation($0) }
        let layer = Activation(activation)
        Self.check(name, path: "Activation layer") { layer($0) }
    }

    /// Dense with a 1×1 kernel of 1 and a zero bias computes the activation of its input, through
    /// the fused GEMM + activation node where the activation fuses.
    @Test(arguments: activations.keys.sorted())
    func activationInsideDense(_ name: String) {
        let dense = Dense(1, activation: Self.activations[name]!, kernelInitializer: .ones, biasInitializer: .zeros)
        Self.check(name, path: FusedDense.Activation(Self.activations[name]!) == nil ? "Dense (composed)" : "Dense (fused)") {
            dense($0)
        }
    }

    @Test func activationLayersWithOptions() {
        let relu = ReLU(maxValue: 6)
        Self.check("relu(max_value=6)", path: "ReLU layer") { relu($0) }
        let thresholded = ReLU(negativeSlope: 0.1, threshold: 1.5)
        Self.check("relu(negative_slope=0.1,threshold=1.5)", path: "ReLU layer") { thresholded($0) }
        let leaky = LeakyReLU(negativeSlope: 0.3)
        Self.check("leaky_relu(negative_slope=0.3)", path: "LeakyReLU layer") { leaky($0) }
        let elu = ELU(alpha: 0.5)
        Self.check("elu(alpha=0.5)", path: "ELU layer") { elu($0) }
    }

    /// Keras' PReLU is `relu(x) − α·relu(−x)`: at x = 0 both ∂/∂x and ∂/∂α are 0.
    @Test func preluGradientsForInputAndAlpha() throws {
        let reference = Self.fixture.prelu
        let points = Self.fixture.points.map(Float.init)
        let layer = PReLU(alphaInitializer: .constant(Float(reference.alpha)))
        let x = Tensor(shape: [1, points.count], scalars: points)
        _ = layer(x)
        let alpha = try #require(layer.alpha)
        let (_, inputGradient) = valueWithGradient(at: x) { layer($0).sum() }
        let (_, alphaGradients) = valueWithGradients(of: [alpha]) { layer(x).sum() }
        Self.expectMatches(layer(x).scalars, reference.value, "PReLU")
        Self.expectMatches(inputGradient.scalars, reference.gradient, "PReLU ∂/∂x")
        Self.expectMatches(alphaGradients[0].scalars, reference.alphaGradient, "PReLU ∂/∂α")
    }

    static let losses: [String: @Sendable (Tensor, Tensor) -> Tensor] = [
        "binary_crossentropy(from_logits=True) y=0": { LossFunctions.binaryCrossentropy($0, $1, fromLogits: true, labelSmoothing: 0) },
        "binary_crossentropy(from_logits=True) y=1": { LossFunctions.binaryCrossentropy($0, $1, fromLogits: true, labelSmoothing: 0) },
        "binary_crossentropy(from_logits=True) y=0.25": { LossFunctions.binaryCrossentropy($0, $1, fromLogits: true, labelSmoothing: 0) },
        "binary_crossentropy y=1": { LossFunctions.binaryCrossentropy($0, $1, fromLogits: false, labelSmoothing: 0) },
        "huber": { LossFunctions.huber($0, $1, delta: 1) },
        "mean_absolute_error": { LossFunctions.meanAbsoluteError($0, $1) },
        "mean_squared_error": { LossFunctions.meanSquaredError($0, $1) },
        "hinge": { LossFunctions.hinge($0, $1) },
        "categorical_crossentropy(from_logits=True)": {
            LossFunctions.categoricalCrossentropy($0, $1, fromLogits: true, labelSmoothing: 0)
        },
        "sparse_categorical_crossentropy(from_logits=True)": { LossFunctions.sparseCategoricalCrossentropy($0, $1, fromLogits: true) },
        "categorical_crossentropy": { LossFunctions.categoricalCrossentropy($0, $1, fromLogits: false, labelSmoothing: 0) },
        "sparse_categorical_crossentropy": { LossFunctions.sparseCategoricalCrossentropy($0, $1, fromLogits: false) },
        "kl_divergence": { LossFunctions.kullbackLeiblerDivergence($0, $1) },
    ]

    @Test func everyFixtureLossIsCovered() {
        #expect(Set(Self.fixture.losses.keys) == Set(Self.losses.keys))
    }

    /// Per-sample losses and their gradients, including BCE from logits at z = 0 (`sigmoid(0) − y`),
    /// Huber at |e| = δ (the quadratic branch), MAE at 0 (0), hinge at its kink, and the softmax
    /// cross-entropies and KL divergence at zero, tiny, tied, ±1e4 logits and clipped probabilities.
    @Test(arguments: losses.keys.sorted())
    func lossValuesAndGradients(_ name: String) throws {
        let reference = try #require(Self.fixture.losses[name])
        let rows = reference.yPred.count
        let (targetColumns, columns) = (reference.yTrue[0].count, reference.yPred[0].count)
        let yTrue = Tensor(shape: [rows, targetColumns], scalars: reference.yTrue.flatMap { $0.map(Float.init) })
        let yPred = Tensor(shape: [rows, columns], scalars: reference.yPred.flatMap { $0.map(Float.init) })
        let loss = Self.losses[name]!
        let (_, g) = valueWithGradient(at: yPred) { loss(yTrue, $0).sum() }
        // p = 1e-8 is clipped to ε (gradient 0); p = ε itself passes the clip in both (gradient −1/ε).
        // The tail slack applies to a whole row whose inputs reach |x| ≥ 3 — and to probability
        // rows clipped at the upper edge, 1 − ε: not a float32 value, it is 1 − 1.19e-7 here (the one
        // documented difference from Keras' float64 clip, 1.2e-7 in the loss at most).
        let clipsAtTheTop = !name.contains("logits") && name.contains("crossentropy")
        let inTail = reference.yPred.map { row in row.contains { Swift.abs($0) >= 3 || (clipsAtTheTop && $0 >= 1 - 1e-7) } }
        Self.expectMatches(loss(yTrue, yPred).scalars, reference.value, slack: { inTail[$0] ? 2e-7 : 2.3e-16 }, name)
        Self.expectMatches(g.scalars, reference.gradient.flatMap { $0 }, slack: { inTail[$0 / columns] ? 2e-7 : 2.3e-16 }, "\(name)'")
    }
}
