/// A 2-D convolution over `[height, width, channels]` samples (Keras `Conv2D`, channels last),
/// with a `[kh, kw, channels / groups, filters]` kernel. See `Convolution` for the semantics.
///
///     Conv2D(32, kernelSize: [3, 3], activation: .relu, inputShape: [28, 28, 1])
///     Conv2D(64, kernelSize: [3, 3], strides: [2, 2], padding: .same)
public final class Conv2D: Convolution, ConfigurableLayer {
    /// Creates a 2-D convolution with `filters` output channels and Keras 3's defaults.
    public init(_ filters: Int, kernelSize: [Int], strides: [Int] = [1, 1], padding: Padding = .valid,
                dilationRate: [Int] = [1, 1], groups: Int = 1, activation: ActivationFunction = .linear,
                useBias: Bool = true, kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros,
                kernelRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil,
                activityRegularizer: Regularizer? = nil, inputShape: [Int]? = nil, name: String? = nil) {
        super.init(rank: 2, filters: filters, kernelSize: kernelSize, strides: strides, padding: padding, dilationRate: dilationRate,
                   groups: groups, activation: activation, useBias: useBias, kernelInitializer: kernelInitializer,
                   biasInitializer: biasInitializer, kernelRegularizer: kernelRegularizer, biasRegularizer: biasRegularizer,
                   activityRegularizer: activityRegularizer, inputShape: inputShape, name: name)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "Conv2D")
        let o = try Convolution.options(r, rank: 2)
        self.init(o.filters, kernelSize: o.kernelSize, strides: o.strides, padding: o.padding, dilationRate: o.dilationRate,
                  groups: o.groups, activation: o.activation, useBias: o.useBias, kernelInitializer: o.kernelInitializer,
                  biasInitializer: o.biasInitializer, kernelRegularizer: o.kernelRegularizer, biasRegularizer: o.biasRegularizer,
                  inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }
}
