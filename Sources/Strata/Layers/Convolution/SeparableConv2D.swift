import StrataCore

/// A depthwise-separable 2-D convolution (Keras `SeparableConv2D`): a depthwise convolution
/// (`[kh, kw, channels, depthMultiplier]`, no bias), then a 1×1 pointwise convolution
/// (`[1, 1, channels · depthMultiplier, filters]`) with the bias and activation — far fewer
/// weights than a full convolution of the same reach.
///
///     SeparableConv2D(64, kernelSize: [3, 3], padding: .same, activation: .relu)
public final class SeparableConv2D: Layer, ConfigurableLayer {
    /// Output channels.
    public let filters: Int
    /// The depthwise kernel's extent.
    public let kernelSize: [Int]
    /// The depthwise step along height and width.
    public let strides: [Int]
    /// How the input is padded.
    public let padding: Padding
    /// Depthwise filters per input channel.
    public let depthMultiplier: Int
    /// The spacing of the depthwise kernel's taps.
    public let dilationRate: [Int]
    /// The activation applied after the pointwise convolution and bias.
    public let activation: ActivationFunction
    /// Whether the layer adds a bias.
    public let useBias: Bool
    /// How the depthwise kernel is initialized.
    public let depthwiseInitializer: Initializer
    /// How the pointwise kernel is initialized.
    public let pointwiseInitializer: Initializer
    /// How the bias is initialized.
    public let biasInitializer: Initializer
    /// Penalty on the depthwise kernel.
    public let depthwiseRegularizer: Regularizer?
    /// Penalty on the pointwise kernel.
    public let pointwiseRegularizer: Regularizer?
    /// Penalty on the bias.
    public let biasRegularizer: Regularizer?

    /// The `[kh, kw, channels, depthMultiplier]` depthwise kernel (nil until built).
    public private(set) var depthwiseKernel: Variable?
    /// The `[1, 1, channels · depthMultiplier, filters]` pointwise kernel (nil until built).
    public private(set) var pointwiseKernel: Variable?
    /// The `[filters]` bias (nil until built or without bias).
    public private(set) var bias: Variable?

    /// Creates a separable convolution with Keras 3's defaults.
    public init(_ filters: Int, kernelSize: [Int], strides: [Int] = [1, 1], padding: Padding = .valid, depthMultiplier: Int = 1,
                dilationRate: [Int] = [1, 1], activation: ActivationFunction = .linear, useBias: Bool = true,
                depthwiseInitializer: Initializer = .glorotUniform, pointwiseInitializer: Initializer = .glorotUniform,
                biasInitializer: Initializer = .zeros, depthwiseRegularizer: Regularizer? = nil,
                pointwiseRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil,
                activityRegularizer: Regularizer? = nil, inputShape: [Int]? = nil, name: String? = nil) {
        (self.filters, self.kernelSize, self.strides, self.padding) = (filters, kernelSize, strides, padding)
        (self.depthMultiplier, self.dilationRate, self.activation, self.useBias) = (depthMultiplier, dilationRate, activation, useBias)
        (self.depthwiseInitializer, self.pointwiseInitializer, self.biasInitializer) = (depthwiseInitializer, pointwiseInitializer, biasInitializer)
        (self.depthwiseRegularizer, self.pointwiseRegularizer, self.biasRegularizer) = (depthwiseRegularizer, pointwiseRegularizer, biasRegularizer)
        super.init(name: name, inputShape: inputShape)
        self.activityRegularizer = activityRegularizer
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "SeparableConv2D")
        self.init(try r.int("filters"), kernelSize: try r.tuple("kernel_size", rank: 2),
                  strides: try r.tuple("strides", rank: 2, default: [1, 1]), padding: try r.spatialPadding(allowed: [.valid, .same]),
                  depthMultiplier: try r.int("depth_multiplier", default: 1), dilationRate: try r.tuple("dilation_rate", rank: 2, default: [1, 1]),
                  activation: try ActivationFunction(config: r.value("activation")), useBias: try r.bool("use_bias", default: true),
                  depthwiseInitializer: try r.initializer("depthwise_initializer", default: .glorotUniform),
                  pointwiseInitializer: try r.initializer("pointwise_initializer", default: .glorotUniform),
                  biasInitializer: try r.initializer("bias_initializer", default: .zeros),
                  depthwiseRegularizer: try r.regularizer("depthwise_regularizer"),
                  pointwiseRegularizer: try r.regularizer("pointwise_regularizer"), biasRegularizer: try r.regularizer("bias_regularizer"),
                  inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }

    private var context: String { "SeparableConv2D '\(name)'" }

    func geometry(for inputShape: [Int]) -> ConvGeometry? {
        Convolution.geometry(for: inputShape, kernelSize: kernelSize, strides: strides, dilationRate: dilationRate, padding: padding)
    }

    public override func build(for inputShape: [Int]) throws {
        guard filters > 0, depthMultiplier > 0 else {
            throw StrataError.invalidArgument("filters \(filters), depth multiplier \(depthMultiplier)", context: context,
                                              expected: "positive integers")
        }
        try Convolution.checkWindow(kernelSize: kernelSize, strides: strides, dilationRate: dilationRate, padding: padding, context: context)
        try Convolution.checkInput(inputShape, rank: 2, fits: geometry(for: inputShape) != nil, kernelSize: kernelSize,
                                   dilationRate: dilationRate, context: context)
        let channels = inputShape[2]
        depthwiseKernel = try addWeight("depthwise_kernel", shape: kernelSize + [channels, depthMultiplier],
                                        initializer: depthwiseInitializer, regularizer: depthwiseRegularizer)
        pointwiseKernel = try addWeight("pointwise_kernel", shape: [1, 1, channels * depthMultiplier, filters],
                                        initializer: pointwiseInitializer, regularizer: pointwiseRegularizer)
        if useBias { bias = try addWeight("bias", shape: [filters], initializer: biasInitializer, regularizer: biasRegularizer) }
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let g = geometry(for: Array(x.shape.dropFirst()))!
        let depthwise = DepthwiseConv2D.depthwise(x, kernel: depthwiseKernel!.value, bias: nil, geometry: g, activation: .linear)
        let pointwise = ConvGeometry(h: g.oh, w: g.ow, kh: 1, kw: 1, sh: 1, sw: 1, padTop: 0, padLeft: 0, oh: g.oh, ow: g.ow)
        let fused = FusedDense.Activation(activation)
        let y = ConvolutionOp.apply(depthwise, kernel: pointwiseKernel!.value, bias: bias?.value, geometry: pointwise, groups: 1,
                                    activation: fused ?? .linear)
        return fused == nil ? activation(y) : y
    }

    public override func outputShape(for inputShape: [Int]) -> [Int] {
        guard let g = geometry(for: inputShape) else { return inputShape }
        return [g.oh, g.ow, filters]
    }

    public override var options: [String: ConfigValue] {
        ["filters": .int(filters), "kernel_size": .ints(kernelSize), "strides": .ints(strides), "padding": .string(padding.rawValue),
         "depth_multiplier": .int(depthMultiplier), "data_format": .string("channels_last"), "dilation_rate": .ints(dilationRate),
         "activation": activation.config, "use_bias": .bool(useBias),
         "depthwise_initializer": depthwiseInitializer.config, "pointwise_initializer": pointwiseInitializer.config,
         "bias_initializer": biasInitializer.config, "depthwise_regularizer": depthwiseRegularizer?.config ?? .null,
         "pointwise_regularizer": pointwiseRegularizer?.config ?? .null, "bias_regularizer": biasRegularizer?.config ?? .null]
    }
}
