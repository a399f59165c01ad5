/// An activation, usable as `activation: .relu` in layers and callable on tensors.
///
///     Dense(300, activation: .relu)
///     Dense(64, activation: .leakyRelu(negativeSlope: 0.2))
///     let y = ActivationFunction.selu(x)
///
/// Names and defaults are Keras 3's (`keras.activations`); `config` gives the Keras name.
public struct ActivationFunction: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        case linear, sigmoid, hardSigmoid, tanh, selu, swish, softplus, softsign
        case relu(negativeSlope: Float, maxValue: Float?, threshold: Float)
        case leakyRelu(negativeSlope: Float)
        case elu(alpha: Float)
        case gelu(approximate: Bool)
        case softmax(axis: Int)
        case logSoftmax(axis: Int)
    }

    let kind: Kind

    init(kind: Kind) {
        self.kind = kind
    }

    /// The identity (Keras `linear`, the default of `Dense`).
    public static let linear = ActivationFunction(kind: .linear)
    /// `1 / (1 + e⁻ˣ)`.
    public static let sigmoid = ActivationFunction(kind: .sigmoid)
    /// `relu6(x + 3) / 6`.
    public static let hardSigmoid = ActivationFunction(kind: .hardSigmoid)
    /// Hyperbolic tangent.
    public static let tanh = ActivationFunction(kind: .tanh)
    /// `max(x, 0)`.
    public static let relu = ActivationFunction(kind: .relu(negativeSlope: 0, maxValue: nil, threshold: 0))
    /// ReLU with Keras' options: slope below the threshold, cap, threshold.
    public static func relu(negativeSlope: Float = 0, maxValue: Float? = nil, threshold: Float = 0) -> ActivationFunction {
        ActivationFunction(kind: .relu(negativeSlope: negativeSlope, maxValue: maxValue, threshold: threshold))
    }
    /// Leaky ReLU with the function's default slope 0.2.
    public static let leakyRelu = ActivationFunction(kind: .leakyRelu(negativeSlope: 0.2))
    /// Leaky ReLU with a chosen slope.
    public static func leakyRelu(negativeSlope: Float) -> ActivationFunction {
        ActivationFunction(kind: .leakyRelu(negativeSlope: negativeSlope))
    }
    /// ELU with α = 1.
    public static let elu = ActivationFunction(kind: .elu(alpha: 1))
    /// ELU with a chosen α.
    public static func elu(alpha: Float) -> ActivationFunction { ActivationFunction(kind: .elu(alpha: alpha)) }
    /// SELU (self-normalizing; pair with `.lecunNormal` kernels and standardized inputs).
    public static let selu = ActivationFunction(kind: .selu)
    /// GELU, exact (`x Φ(x)` with erf; Keras 3's `"gelu"`, whose `approximate` defaults to false).
    public static let gelu = ActivationFunction(kind: .gelu(approximate: false))
    /// GELU, exact (`approximate: false`) or the tanh approximation (`approximate: true`).
    public static func gelu(approximate: Bool) -> ActivationFunction { ActivationFunction(kind: .gelu(approximate: approximate)) }
    /// `x · sigmoid(x)`.
    public static let swish = ActivationFunction(kind: .swish)
    /// Another name for `swish`.
    public static let silu = ActivationFunction(kind: .swish)
    /// `ln(1 + eˣ)`.
    public static let softplus = ActivationFunction(kind: .softplus)
    /// `x / (1 + |x|)`.
    public static let softsign = ActivationFunction(kind: .softsign)
    /// Softmax over the last axis.
    public static let softmax = ActivationFunction(kind: .softmax(axis: -1))
    /// Softmax over a chosen axis.
    public static func softmax(axis: Int) -> ActivationFunction { ActivationFunction(kind: .softmax(axis: axis)) }
    /// Log-softmax over the last axis.
    public static let logSoftmax = ActivationFunction(kind: .logSoftmax(axis: -1))

    /// Applies the activation.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch kind {
        case .linear: x
        case .sigmoid: sigmoidRememberingLogits(x)
        case .hardSigmoid: Strata.hardSigmoid(x)
        case .tanh: StrataCore.tanh(x)
        case .selu: Strata.selu(x)
        case .swish: Strata.swish(x)
        case .softplus: Strata.softplus(x)
        case .softsign: Strata.softsign(x)
        case .relu(let slope, let cap, let threshold): Strata.relu(x, negativeSlope: slope, maxValue: cap, threshold: threshold)
        case .leakyRelu(let slope): Strata.leakyRelu(x, negativeSlope: slope)
        case .elu(let alpha): Strata.elu(x, alpha: alpha)
        case .gelu(let approximate): Strata.gelu(x, approximate: approximate)
        case .softmax(let axis): Strata.softmax(x, axis: axis)
        case .logSoftmax(let axis): Strata.logSoftmax(x, axis: axis)
        }
    }

    /// The Keras name (`"relu"`), or a `{"name": …, options}` object when options differ from
    /// the defaults.
    public var config: ConfigValue {
        switch kind {
        case .linear: .string("linear")
        case .sigmoid: .string("sigmoid")
        case .hardSigmoid: .string("hard_sigmoid")
        case .tanh: .string("tanh")
        case .selu: .string("selu")
        case .swish: .string("silu")
        case .softplus: .string("softplus")
        case .softsign: .string("softsign")
        case .relu(0, nil, 0): .string("relu")
        case .relu(let slope, let cap, let threshold):
            .object(["name": .string("relu"), "negative_slope": .float(slope),
                     "max_value": cap.map { .float($0) } ?? .null, "threshold": .float(threshold)])
        case .leakyRelu(let slope): .object(["name": .string("leaky_relu"), "negative_slope": .float(slope)])
        case .elu(1): .string("elu")
        case .elu(let alpha): .object(["name": .string("elu"), "alpha": .float(alpha)])
        case .gelu(false): .string("gelu")
        case .gelu(let approximate): .object(["name": .string("gelu"), "approximate": .bool(approximate)])
        case .softmax(-1): .string("softmax")
        case .softmax(let axis): .object(["name": .string("softmax"), "axis": .int(axis)])
        case .logSoftmax(-1): .string("log_softmax")
        case .logSoftmax(let axis): .object(["name": .string("log_softmax"), "axis": .int(axis)])
        }
    }

    /// Rebuilds an activation from its configuration (a Keras name or an object).
    public init(config: ConfigValue) throws {
        let name: String
        var reader: ConfigReader?
        switch config {
        case .string(let value): name = value
        case .object:
            let r = try ConfigReader(config, owner: "activation")
            name = try r.string("name")
            reader = r
        case .null: name = "linear"
        default: throw StrataError.invalidArgument("activation config \(config) is neither a name nor an object", context: "activation")
        }
        switch name {
        case "linear": self = .linear
        case "sigmoid": self = .sigmoid
        case "hard_sigmoid": self = .hardSigmoid
        case "tanh": self = .tanh
        case "selu": self = .selu
        case "silu", "swish": self = .swish
        case "softplus": self = .softplus
        case "softsign": self = .softsign
        case "relu":
            self = .relu(negativeSlope: try reader?.float("negative_slope", default: 0) ?? 0,
                         maxValue: try reader?.optionalFloat("max_value"),
                         threshold: try reader?.float("threshold", default: 0) ?? 0)
        case "leaky_relu": self = .leakyRelu(negativeSlope: try reader?.float("negative_slope", default: 0.2) ?? 0.2)
        case "elu": self = .elu(alpha: try reader?.float("alpha", default: 1) ?? 1)
        case "gelu": self = .gelu(approximate: try reader?.bool("approximate", default: false) ?? false)
        case "softmax": self = .softmax(axis: try reader?.int("axis", default: -1) ?? -1)
        case "log_softmax": self = ActivationFunction(kind: .logSoftmax(axis: try reader?.int("axis", default: -1) ?? -1))
        default:
            throw StrataError.invalidArgument("unknown activation '\(name)'", context: "activation",
                                              expected: "linear, sigmoid, hard_sigmoid, tanh, relu, leaky_relu, elu, selu, gelu, silu, softplus, softsign, softmax, log_softmax")
        }
    }
}
