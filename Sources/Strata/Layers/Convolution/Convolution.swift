import StrataCore

/// The shared machinery of `Conv1D` and `Conv2D` (Keras' `BaseConv`), channels last:
/// `activation(conv(x, kernel) + bias)` with a `kernelSize + [channels / groups, filters]` kernel.
///
/// Keras 3 semantics: "same" padding puts the odd pixel after (see `Padding`); `groups` splits
/// the input channels and the filters into consecutive blocks, block g of the filters seeing only
/// block g of the channels; strides > 1 with a dilation > 1 is refused, as Keras refuses it.
/// Defaults: stride 1, valid padding, dilation 1, one group, linear activation, bias on,
/// Glorot-uniform kernel (fans multiplied by the kernel's receptive field), zero bias. ReLU,
/// tanh and linear activations run fused into the output pass.
public class Convolution: Layer {
    /// The number of spatial axes (1 or 2).
    public let rank: Int
    /// Output channels.
    public let filters: Int
    /// The kernel's extent along each spatial axis.
    public let kernelSize: [Int]
    /// The step along each spatial axis.
    public let strides: [Int]
    /// How the input is padded.
    public let padding: Padding
    /// The spacing of the kernel's taps along each spatial axis.
    public let dilationRate: [Int]
    /// Blocks of channels convolved separately (1: all with all).
    public let groups: Int
    /// The activation applied to the convolution plus bias.
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

    /// The `kernelSize + [channels / groups, filters]` kernel (nil until built).
    public private(set) var kernel: Variable?
    /// The `[filters]` bias (nil until built or without bias).
    public private(set) var bias: Variable?

    init(rank: Int, filters: Int, kernelSize: [Int], strides: [Int], padding: Padding, dilationRate: [Int], groups: Int,
         activation: ActivationFunction, useBias: Bool, kernelInitializer: Initializer, biasInitializer: Initializer,
         kernelRegularizer: Regularizer?, biasRegularizer: Regularizer?, activityRegularizer: Regularizer?,
         inputShape: [Int]?, name: String?) {
        (self.rank, self.filters, self.kernelSize, self.strides, self.padding) = (rank, filters, kernelSize, strides, padding)
        (self.dilationRate, self.groups, self.activation, self.useBias) = (dilationRate, groups, activation, useBias)
        (self.kernelInitializer, self.biasInitializer) = (kernelInitializer, biasInitializer)
        (self.kernelRegularizer, self.biasRegularizer) = (kernelRegularizer, biasRegularizer)
        super.init(name: name, inputShape: inputShape)
        self.activityRegularizer = activityRegularizer
    }

    /// Reads the options a convolution's config holds (Keras' names), for the subclasses' `init(config:)`.
    static func options(_ r: ConfigReader, rank: Int) throws -> (filters: Int, kernelSize: [Int], strides: [Int], padding: Padding,
                                                                  dilationRate: [Int], groups: Int, activation: ActivationFunction,
                                                                  useBias: Bool, kernelInitializer: Initializer,
                                                                  biasInitializer: Initializer, kernelRegularizer: Regularizer?,
                                                                  biasRegularizer: Regularizer?) {
        let padding = try r.spatialPadding(allowed: rank == 1 ? Padding.allCases : [.valid, .same])
        return (try r.int("filters"), try r.tuple("kernel_size", rank: rank), try r.tuple("strides", rank: rank, default: Array(repeating: 1, count: rank)),
                padding, try r.tuple("dilation_rate", rank: rank, default: Array(repeating: 1, count: rank)), try r.int("groups", default: 1),
                try ActivationFunction(config: r.value("activation")), try r.bool("use_bias", default: true),
                try r.initializer("kernel_initializer", default: .glorotUniform), try r.initializer("bias_initializer", default: .zeros),
                try r.regularizer("kernel_regularizer"), try r.regularizer("bias_regularizer"))
    }

    private var context: String { "\(Self.typeName) '\(name)'" }

    /// The options checked on their own, as Keras checks them when the layer is made.
    private func checkOptions() throws {
        guard filters > 0 else { throw StrataError.invalidArgument("filters must be positive, got \(filters)", context: context) }
        guard groups > 0, filters % groups == 0 else {
            throw StrataError.invalidArgument("\(filters) filters do not split into \(groups) groups", context: context,
                                              expected: "filters divisible by groups")
        }
        try Self.checkWindow(kernelSize: kernelSize, strides: strides, dilationRate: dilationRate, padding: padding, context: context)
    }

    /// Kernel size, strides and dilation: positive, one per spatial axis, not strides and
    /// dilation both above 1 (Keras refuses that), causal padding in 1-D only.
    static func checkWindow(kernelSize: [Int], strides: [Int], dilationRate: [Int], padding: Padding, context: String) throws {
        let rank = kernelSize.count
        for (values, what) in [(kernelSize, "kernel size"), (strides, "strides"), (dilationRate, "dilation rate")] {
            guard values.count == rank, values.allSatisfy({ $0 > 0 }) else {
                throw StrataError.invalidArgument("\(what) \(values)", context: context, expected: "\(rank) positive integer(s)")
            }
        }
        guard strides.allSatisfy({ $0 == 1 }) || dilationRate.allSatisfy({ $0 == 1 }) else {
            throw StrataError.invalidArgument("strides \(strides) with dilation rate \(dilationRate)", context: context,
                                              expected: "strides of 1 or a dilation rate of 1 (Keras refuses both > 1)")
        }
        guard padding != .causal || rank == 1 else {
            throw StrataError.invalidArgument("causal padding", context: context, expected: "valid or same (causal is for Conv1D)")
        }
    }

    /// Samples of rank `rank + 1` that the kernel `fits` (with the layer's padding).
    static func checkInput(_ inputShape: [Int], rank: Int, fits: Bool, kernelSize: [Int], dilationRate: [Int], context: String) throws {
        guard inputShape.count == rank + 1 else {
            throw StrataError.shapeMismatch("needs samples of rank \(rank + 1) (\(rank == 1 ? "steps" : "height, width"), channels), got \(inputShape)",
                                            context: context,
                                            expected: rank == 1 ? "[steps, channels]" : "[height, width, channels] — add Reshape([28, 28, 1]) for grayscale images")
        }
        guard fits else {
            let span = zip(kernelSize, dilationRate).map { ($0 - 1) * $1 + 1 }
            throw StrataError.shapeMismatch("a kernel spanning \(span) does not fit inputs of \(Array(inputShape.dropLast())) with valid padding",
                                            context: context, expected: "larger inputs, a smaller kernel, or padding: .same")
        }
    }

    /// The 2-D geometry for samples of `inputShape` (`spatial + [channels]`); nil when the kernel does not fit.
    func geometry(for inputShape: [Int]) -> ConvGeometry? {
        Self.geometry(for: inputShape, kernelSize: kernelSize, strides: strides, dilationRate: dilationRate, padding: padding)
    }

    /// The 2-D geometry of a 1- or 2-D convolution (a 1-D input as a 1-pixel-high image); nil
    /// when the (dilated) kernel does not fit.
    static func geometry(for inputShape: [Int], kernelSize: [Int], strides: [Int], dilationRate: [Int],
                         padding: Padding) -> ConvGeometry? {
        let rank = kernelSize.count
        guard inputShape.count == rank + 1 else { return nil }
        let spatial = rank == 1 ? [1] + inputShape.dropLast() : Array(inputShape.dropLast())
        let kernel = rank == 1 ? [1] + kernelSize : kernelSize, stride = rank == 1 ? [1] + strides : strides
        let dilation = rank == 1 ? [1] + dilationRate : dilationRate
        let rowPadding: Padding = rank == 1 ? .valid : padding
        guard let rows = rowPadding.axis(length: spatial[0], kernel: kernel[0], stride: stride[0], dilation: dilation[0]),
              let columns = padding.axis(length: spatial[1], kernel: kernel[1], stride: stride[1], dilation: dilation[1])
        else { return nil }
        return ConvGeometry(h: spatial[0], w: spatial[1], kh: kernel[0], kw: kernel[1], sh: stride[0], sw: stride[1],
                            dh: dilation[0], dw: dilation[1], padTop: rows.before, padLeft: columns.before,
                            oh: rows.output, ow: columns.output)
    }

    public override func build(for inputShape: [Int]) throws {
        try checkOptions()
        try Self.checkInput(inputShape, rank: rank, fits: geometry(for: inputShape) != nil, kernelSize: kernelSize,
                            dilationRate: dilationRate, context: context)
        let channels = inputShape[rank]
        guard channels % groups == 0 else {
            throw StrataError.shapeMismatch("\(channels) input channels do not split into \(groups) groups", context: context,
                                            expected: "channels divisible by groups")
        }
        kernel = try addWeight("kernel", shape: kernelSize + [channels / groups, filters], initializer: kernelInitializer,
                               regularizer: kernelRegularizer)
        if useBias { bias = try addWeight("bias", shape: [filters], initializer: biasInitializer, regularizer: biasRegularizer) }
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let fused = FusedDense.Activation(activation)
        let y = convolve(x, activation: fused ?? .linear)
        return fused == nil ? activation(y) : y
    }

    /// The convolution plus bias, before the activation (what `Diagnostics` inspects).
    func linearOutput(_ x: Tensor) -> Tensor { convolve(x, activation: .linear) }

    private func convolve(_ x: Tensor, activation: FusedDense.Activation) -> Tensor {
        let sample = Array(x.shape.dropFirst())
        let g = geometry(for: sample)!
        let images = rank == 1 ? x.reshaped(to: [x.shape[0], 1] + sample) : x
        let weights = rank == 1 ? kernel!.value.reshaped(to: [1] + kernel!.shape) : kernel!.value
        let y = ConvolutionOp.apply(images, kernel: weights, bias: bias?.value, geometry: g, groups: groups, activation: activation)
        return rank == 1 ? y.reshaped(to: [x.shape[0], g.ow, filters]) : y
    }

    public override func outputShape(for inputShape: [Int]) -> [Int] {
        guard let g = geometry(for: inputShape) else { return Array(repeating: 0, count: rank) + [filters] }
        return (rank == 1 ? [g.ow] : [g.oh, g.ow]) + [filters]
    }

    public override var options: [String: ConfigValue] {
        ["filters": .int(filters), "kernel_size": .ints(kernelSize), "strides": .ints(strides), "padding": .string(padding.rawValue),
         "data_format": .string("channels_last"), "dilation_rate": .ints(dilationRate), "groups": .int(groups),
         "activation": activation.config, "use_bias": .bool(useBias),
         "kernel_initializer": kernelInitializer.config, "bias_initializer": biasInitializer.config,
         "kernel_regularizer": kernelRegularizer?.config ?? .null, "bias_regularizer": biasRegularizer?.config ?? .null]
    }
}

extension Convolution: AffineAbsorbing {
    /// `conv(x, K) + b` then `·s + t` per filter = `conv(x, K·s) + (b·s + t)` (the filters are the
    /// kernel's last axis), for a convolution without activation.
    func absorbingOutput(scale: Tensor, shift: Tensor) -> Layer? {
        guard let kernel, case .linear = activation.kind, scale.count == filters else { return nil }
        return foldedCopy(kernel: kernel.value.detached * scale,
                          bias: bias.map { $0.value.detached * scale + shift } ?? shift)
    }
}
