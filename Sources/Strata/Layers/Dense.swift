/// A fully connected layer: `activation(x · kernel + bias)` on the last axis (Keras `Dense`).
///
///     Dense(300, activation: .relu)
///     Dense(64, activation: .selu, kernelInitializer: .lecunNormal)
///     Dense(64, kernelInitializer: .heNormal, kernelRegularizer: .l2(0.01))
///
/// Defaults (Keras 3): linear activation, bias on, Glorot-uniform kernel, zero bias. With ReLU,
/// tanh or no activation, the product, bias and activation run as one fused operation (one GEMM
/// writing over the broadcast bias, the activation in place, one backward); other activations
/// run after a fused product + bias.
public final class Dense: Layer, ConfigurableLayer {
    /// Output features.
    public let units: Int
    /// The activation applied to `x · kernel + bias`.
    public let activation: ActivationFunction
    /// Whether the layer adds a bias.
    public let useBias: Bool
    /// How the kernel is initialized.
    public let kernelInitializer: Initializer
    /// How the bias is initialized.
    public let biasInitializer: Initializer
    /// Penalty on the kernel.
    public let kernelRegularizer: Regularizer?
    /// Penalty on the bias.
    public let biasRegularizer: Regularizer?

    /// The `[inputFeatures, units]` weight matrix (nil until built).
    public private(set) var kernel: Variable?
    /// The `[units]` bias (nil until built or without bias).
    public private(set) var bias: Variable?

    /// Creates a dense layer with `units` outputs.
    public init(_ units: Int, activation: ActivationFunction = .linear, useBias: Bool = true,
                kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros,
                kernelRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil,
                activityRegularizer: Regularizer? = nil, inputShape: [Int]? = nil, name: String? = nil) {
        self.units = units
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.kernelRegularizer = kernelRegularizer
        self.biasRegularizer = biasRegularizer
        super.init(name: name, inputShape: inputShape)
        self.activityRegularizer = activityRegularizer
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "Dense")
        self.init(try r.int("units"), activation: try ActivationFunction(config: r.value("activation")),
                  useBias: try r.bool("use_bias", default: true),
                  kernelInitializer: try r.initializer("kernel_initializer", default: .glorotUniform),
                  biasInitializer: try r.initializer("bias_initializer", default: .zeros),
                  kernelRegularizer: try r.regularizer("kernel_regularizer"), biasRegularizer: try r.regularizer("bias_regularizer"),
                  inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }

    public override func build(for inputShape: [Int]) throws {
        guard units > 0 else {
            throw StrataError.invalidArgument("units must be positive, got \(units)", context: "Dense '\(name)'")
        }
        guard let features = inputShape.last else {
            throw StrataError.shapeMismatch("needs inputs with a feature axis, got per-sample shape []",
                                            context: "Dense '\(name)'",
                                            expected: "[features] — add Flatten() or Reshape first")
        }
        kernel = try addWeight("kernel", shape: [features, units], initializer: kernelInitializer,
                           regularizer: kernelRegularizer)
        if useBias {
            bias = try addWeight("bias", shape: [units], initializer: biasInitializer, regularizer: biasRegularizer)
        }
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let features = x.shape[x.rank - 1]
        let flat = x.rank == 2 ? x : x.reshaped(to: [-1, features])
        let fused = FusedDense.Activation(activation)
        var y = FusedDense.apply(flat, kernel!.value, bias?.value, activation: fused ?? .linear)
        if fused == nil { y = activation(y) }
        return x.rank == 2 ? y : y.reshaped(to: Array(x.shape.dropLast()) + [units])
    }

    public override func outputShape(for inputShape: [Int]) -> [Int] { inputShape.dropLast() + [units] }

    public override var options: [String: ConfigValue] {
        ["units": .int(units), "activation": activation.config, "use_bias": .bool(useBias),
         "kernel_initializer": kernelInitializer.config, "bias_initializer": biasInitializer.config,
         "kernel_regularizer": kernelRegularizer?.config ?? .null, "bias_regularizer": biasRegularizer?.config ?? .null]
    }
}

extension Dense: AffineAbsorbing {
    /// `(x·s + t)·W + b` = `x·(diag(s)·W) + (b + t·W)`.
    func absorbingInput(scale: Tensor, shift: Tensor) -> Layer? {
        guard let kernel, kernel.shape[0] == scale.count else { return nil }
        let w = kernel.value.detached
        let moved = matmul(shift.reshaped(to: [1, -1]), w).reshaped(to: [units])
        return foldedCopy(kernel: w * scale.reshaped(to: [-1, 1]), bias: bias.map { $0.value.detached + moved } ?? moved)
    }

    /// `(x·W + b)·s + t` = `x·(W·diag(s)) + (b·s + t)`, for a Dense without activation.
    func absorbingOutput(scale: Tensor, shift: Tensor) -> Layer? {
        guard let kernel, case .linear = activation.kind, scale.count == units else { return nil }
        return foldedCopy(kernel: kernel.value.detached * scale.reshaped(to: [1, -1]),
                          bias: bias.map { $0.value.detached * scale + shift } ?? shift)
    }
}
