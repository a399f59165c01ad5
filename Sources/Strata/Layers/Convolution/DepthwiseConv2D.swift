import StrataCore

/// A depthwise 2-D convolution (Keras `DepthwiseConv2D`): each input channel convolved with its
/// own `depthMultiplier` filters, no mixing across channels. The kernel is
/// `[kh, kw, channels, depthMultiplier]`; output channel `c·depthMultiplier + m` comes from input
/// channel `c` — a grouped convolution with one group per channel, whose kernel this is.
///
///     DepthwiseConv2D(kernelSize: [3, 3], padding: .same, activation: .relu)
///
/// Defaults (Keras 3): stride 1, valid padding, multiplier 1, dilation 1, linear activation, bias
/// on, Glorot-uniform kernel, zero bias.
public final class DepthwiseConv2D: Layer, ConfigurableLayer {
    /// The kernel's extent.
    public let kernelSize: [Int]
    /// The step along height and width.
    public let strides: [Int]
    /// How the input is padded.
    public let padding: Padding
    /// Filters per input channel.
    public let depthMultiplier: Int
    /// The spacing of the kernel's taps.
    public let dilationRate: [Int]
    /// The activation applied to the convolution plus bias.
    public let activation: ActivationFunction
    /// Whether the layer adds a bias.
    public let useBias: Bool
    /// How the kernel is initialized.
    public let depthwiseInitializer: Initializer
    /// How the bias is initialized.
    public let biasInitializer: Initializer
    /// Penalty on the kernel.
    public let depthwiseRegularizer: Regularizer?
    /// Penalty on the bias.
    public let biasRegularizer: Regularizer?

    /// The `[kh, kw, channels, depthMultiplier]` kernel (nil until built).
    public private(set) var kernel: Variable?
    /// The `[channels · depthMultiplier]` bias (nil until built or without bias).
    public private(set) var bias: Variable?

    /// Creates a depthwise convolution with Keras 3's defaults.
    public init(kernelSize: [Int], strides: [Int] = [1, 1], padding: Padding = .valid, depthMultiplier: Int = 1,
                dilationRate: [Int] = [1, 1], activation: ActivationFunction = .linear, useBias: Bool = true,
                depthwiseInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros,
                depthwiseRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil,
                activityRegularizer: Regularizer? = nil, inputShape: [Int]? = nil, name: String? = nil) {
        (self.kernelSize, self.strides, self.padding, self.depthMultiplier) = (kernelSize, strides, padding, depthMultiplier)
        (self.dilationRate, self.activation, self.useBias) = (dilationRate, activation, useBias)
        (self.depthwiseInitializer, self.biasInitializer) = (depthwiseInitializer, biasInitializer)
        (self.depthwiseRegularizer, self.biasRegularizer) = (depthwiseRegularizer, biasRegularizer)
        super.init(name: name, inputShape: inputShape)
        self.activityRegularizer = activityRegularizer
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "DepthwiseConv2D")
        self.init(kernelSize: try r.tuple("kernel_size", rank: 2), strides: try r.tuple("strides", rank: 2, default: [1, 1]),
                  padding: try r.spatialPadding(allowed: [.valid, .same]), depthMultiplier: try r.int("depth_multiplier", default: 1),
                  dilationRate: try r.tuple("dilation_rate", rank: 2, default: [1, 1]),
                  activation: try ActivationFunction(config: r.value("activation")), useBias: try r.bool("use_bias", default: true),
                  depthwiseInitializer: try r.initializer("depthwise_initializer", default: .glorotUniform),
                  biasInitializer: try r.initializer("bias_initializer", default: .zeros),
                  depthwiseRegularizer: try r.regularizer("depthwise_regularizer"), biasRegularizer: try r.regularizer("bias_regularizer"),
                  inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }

    private var context: String { "DepthwiseConv2D '\(name)'" }

    func geometry(for inputShape: [Int]) -> ConvGeometry? {
        Convolution.geometry(for: inputShape, kernelSize: kernelSize, strides: strides, dilationRate: dilationRate, padding: padding)
    }

    public override func build(for inputShape: [Int]) throws {
        try Convolution.checkWindow(kernelSize: kernelSize, strides: strides, dilationRate: dilationRate, padding: padding, context: context)
        guard depthMultiplier > 0 else {
            throw StrataError.invalidArgument("depth multiplier must be positive, got \(depthMultiplier)", context: context)
        }
        try Convolution.checkInput(inputShape, rank: 2, fits: geometry(for: inputShape) != nil, kernelSize: kernelSize,
                                   dilationRate: dilationRate, context: context)
        let channels = inputShape[2]
        kernel = try addWeight("kernel", shape: kernelSize + [channels, depthMultiplier], initializer: depthwiseInitializer,
                               regularizer: depthwiseRegularizer)
        if useBias {
            bias = try addWeight("bias", shape: [channels * depthMultiplier], initializer: biasInitializer, regularizer: biasRegularizer)
        }
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        Self.depthwise(x, kernel: kernel!.value, bias: bias?.value, geometry: geometry(for: Array(x.shape.dropFirst()))!,
                       activation: activation)
    }

    /// `activation(depthwise(x) + bias)`: a `[kh, kw, c, m]` kernel read as the `[kh, kw, 1, c·m]`
    /// kernel of a convolution with `c` groups (the same memory, so channel `c·m + j` is filter j of c).
    static func depthwise(_ x: Tensor, kernel: Tensor, bias: Tensor?, geometry: ConvGeometry, activation: ActivationFunction) -> Tensor {
        let (channels, multiplier) = (kernel.shape[2], kernel.shape[3])
        let grouped = kernel.reshaped(to: [kernel.shape[0], kernel.shape[1], 1, channels * multiplier])
        let fused = FusedDense.Activation(activation)
        let y = ConvolutionOp.apply(x, kernel: grouped, bias: bias, geometry: geometry, groups: channels, activation: fused ?? .linear)
        return fused == nil ? activation(y) : y
    }

    public override func outputShape(for inputShape: [Int]) -> [Int] {
        guard let g = geometry(for: inputShape), let channels = inputShape.last else { return inputShape }
        return [g.oh, g.ow, channels * depthMultiplier]
    }

    public override var options: [String: ConfigValue] {
        ["kernel_size": .ints(kernelSize), "strides": .ints(strides), "padding": .string(padding.rawValue),
         "depth_multiplier": .int(depthMultiplier), "data_format": .string("channels_last"), "dilation_rate": .ints(dilationRate),
         "activation": activation.config, "use_bias": .bool(useBias),
         "depthwise_initializer": depthwiseInitializer.config, "bias_initializer": biasInitializer.config,
         "depthwise_regularizer": depthwiseRegularizer?.config ?? .null, "bias_regularizer": biasRegularizer?.config ?? .null]
    }
}
