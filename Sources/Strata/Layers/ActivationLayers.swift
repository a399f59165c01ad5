/// Applies an activation function (Keras `Activation`).
///
///     Activation(.relu)
public final class Activation: Layer, ConfigurableLayer {
    /// The function applied.
    public let function: ActivationFunction

    /// Creates an activation layer.
    public init(_ function: ActivationFunction, inputShape: [Int]? = nil, name: String? = nil) {
        self.function = function
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "Activation")
        self.init(try ActivationFunction(config: r.value("activation")), inputShape: try r.optionalInts("input_shape"),
                  name: try r.string("name"))
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor { function(x) }
    public override var options: [String: ConfigValue] { ["activation": function.config] }
}

/// ReLU with Keras' options (Keras `ReLU`): `maxValue` caps the output, `negativeSlope` applies
/// below `threshold`.
public final class ReLU: Layer, ConfigurableLayer {
    /// Cap on the output (nil: none).
    public let maxValue: Float?
    /// Slope below the threshold.
    public let negativeSlope: Float
    /// Where the function bends.
    public let threshold: Float

    /// Creates a ReLU layer (Keras defaults: no cap, slope 0, threshold 0).
    public init(maxValue: Float? = nil, negativeSlope: Float = 0, threshold: Float = 0,
                inputShape: [Int]? = nil, name: String? = nil) {
        self.maxValue = maxValue
        self.negativeSlope = negativeSlope
        self.threshold = threshold
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "ReLU")
        self.init(maxValue: try r.optionalFloat("max_value"), negativeSlope: try r.float("negative_slope", default: 0),
                  threshold: try r.float("threshold", default: 0), inputShape: try r.optionalInts("input_shape"),
                  name: try r.string("name"))
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        relu(x, negativeSlope: negativeSlope, maxValue: maxValue, threshold: threshold)
    }

    public override var options: [String: ConfigValue] {
        ["max_value": maxValue.map { .float($0) } ?? .null, "negative_slope": .float(negativeSlope),
         "threshold": .float(threshold)]
    }
}

/// Leaky ReLU (Keras `LeakyReLU`): `x` above 0, `negativeSlope · x` below. Keras 3's layer
/// default slope is 0.3.
///
///     LeakyReLU(negativeSlope: 0.2)
public final class LeakyReLU: Layer, ConfigurableLayer {
    /// Slope below 0.
    public let negativeSlope: Float

    /// Creates a leaky ReLU layer.
    public init(negativeSlope: Float = 0.3, inputShape: [Int]? = nil, name: String? = nil) {
        self.negativeSlope = negativeSlope
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "LeakyReLU")
        self.init(negativeSlope: try r.float("negative_slope", default: 0.3), inputShape: try r.optionalInts("input_shape"),
                  name: try r.string("name"))
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor { leakyRelu(x, negativeSlope: negativeSlope) }
    public override var options: [String: ConfigValue] { ["negative_slope": .float(negativeSlope)] }
}

/// ELU (Keras `ELU`): `x` above 0, `α (eˣ − 1)` below.
public final class ELU: Layer, ConfigurableLayer {
    /// The saturation value for very negative inputs is −α.
    public let alpha: Float

    /// Creates an ELU layer (Keras default α = 1).
    public init(alpha: Float = 1, inputShape: [Int]? = nil, name: String? = nil) {
        self.alpha = alpha
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "ELU")
        self.init(alpha: try r.float("alpha", default: 1), inputShape: try r.optionalInts("input_shape"), name: try r.string("name"))
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor { elu(x, alpha: alpha) }
    public override var options: [String: ConfigValue] { ["alpha": .float(alpha)] }
}

/// Softmax along an axis (Keras `Softmax`, default the last).
public final class Softmax: Layer, ConfigurableLayer {
    /// The axis normalized.
    public let axis: Int

    /// Creates a softmax layer.
    public init(axis: Int = -1, inputShape: [Int]? = nil, name: String? = nil) {
        self.axis = axis
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "Softmax")
        self.init(axis: try r.int("axis", default: -1), inputShape: try r.optionalInts("input_shape"), name: try r.string("name"))
    }

    public override func build(for inputShape: [Int]) throws {
        let rank = inputShape.count + 1                    // with the batch axis
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 1 && resolved < rank else {
            throw StrataError.invalidArgument("axis \(axis) is out of range for samples of shape \(inputShape)",
                                              context: "Softmax '\(name)'")
        }
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor { softmax(x, axis: axis) }
    public override var options: [String: ConfigValue] { ["axis": .int(axis)] }
}

/// Parametric ReLU (Keras `PReLU`): `x` above 0, `α · x` below, with α learned per unit
/// (initialized to zeros, Keras' default). `sharedAxes` share one α along the given sample axes
/// (1-based, as in Keras: for images `[1, 2]` shares α across height and width).
public final class PReLU: Layer, ConfigurableLayer {
    /// How α starts.
    public let alphaInitializer: Initializer
    /// Penalty on α.
    public let alphaRegularizer: Regularizer?
    /// Axes (1-based, batch axis 0) that share one α.
    public let sharedAxes: [Int]
    /// The learned slopes (nil until built).
    public private(set) var alpha: Variable?

    /// Creates a PReLU layer.
    public init(alphaInitializer: Initializer = .zeros, alphaRegularizer: Regularizer? = nil, sharedAxes: [Int] = [],
                inputShape: [Int]? = nil, name: String? = nil) {
        self.alphaInitializer = alphaInitializer
        self.alphaRegularizer = alphaRegularizer
        self.sharedAxes = sharedAxes
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "PReLU")
        self.init(alphaInitializer: r.value("alpha_initializer") == .null ? .zeros : try Initializer(config: r.value("alpha_initializer")),
                  alphaRegularizer: r.value("alpha_regularizer") == .null ? nil : try Regularizer(config: r.value("alpha_regularizer")),
                  sharedAxes: try r.optionalInts("shared_axes") ?? [], inputShape: try r.optionalInts("input_shape"),
                  name: try r.string("name"))
    }

    public override func build(for inputShape: [Int]) throws {
        guard sharedAxes.allSatisfy({ $0 >= 1 && $0 <= inputShape.count }) else {
            throw StrataError.invalidArgument("shared axes \(sharedAxes) are outside the sample axes 1...\(inputShape.count)",
                                              context: "PReLU '\(name)'")
        }
        var shape = inputShape
        for axis in sharedAxes { shape[axis - 1] = 1 }
        alpha = addWeight("alpha", shape: shape, initializer: alphaInitializer, regularizer: alphaRegularizer)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let positive = x .> 0
        return x * positive + x * (1 - positive) * alpha!.value
    }

    public override var options: [String: ConfigValue] {
        ["alpha_initializer": alphaInitializer.config, "alpha_regularizer": alphaRegularizer?.config ?? .null,
         "shared_axes": sharedAxes.isEmpty ? .null : .ints(sharedAxes)]
    }
}
