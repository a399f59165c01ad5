/// Parametric ReLU (Keras `PReLU`): `x` above 0, `α · x` below (gradients 0 at 0), with α learned per unit
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
                  name: try r.layerName)
    }

    public override func build(for inputShape: [Int]) throws {
        guard sharedAxes.allSatisfy({ $0 >= 1 && $0 <= inputShape.count }) else {
            throw StrataError.invalidArgument("shared axes \(sharedAxes) are outside the sample axes 1...\(inputShape.count)",
                                              context: "PReLU '\(name)'")
        }
        var shape = inputShape
        for axis in sharedAxes { shape[axis - 1] = 1 }
        alpha = try addWeight("alpha", shape: shape, initializer: alphaInitializer, regularizer: alphaRegularizer)
    }

    /// Keras' formula (`keras/src/layers/activations/prelu.py`): `relu(x) − α · relu(−x)`, so at
    /// `x = 0` both ∂/∂x and ∂/∂α are 0.
    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        rectified(x) - alpha!.value * rectified(-x)
    }

    public override var options: [String: ConfigValue] {
        ["alpha_initializer": alphaInitializer.config, "alpha_regularizer": alphaRegularizer?.config ?? .null,
         "shared_axes": sharedAxes.isEmpty ? .null : .ints(sharedAxes)]
    }
}
