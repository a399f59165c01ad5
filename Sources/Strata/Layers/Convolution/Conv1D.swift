/// A 1-D convolution over `[steps, channels]` samples (Keras `Conv1D`, channels last), with
/// a `[k, channels / groups, filters]` kernel; `padding: .causal` pads `(k−1)·d` steps on the
/// left only. See `Convolution` for the semantics.
///
///     Conv1D(32, kernelSize: 3, activation: .relu, inputShape: [100, 8])
///     Conv1D(16, kernelSize: 2, padding: .causal, dilationRate: 4)
public final class Conv1D: Convolution, ConfigurableLayer {
    /// Creates a 1-D convolution with `filters` output channels and Keras 3's defaults.
    public init(_ filters: Int, kernelSize: Int, strides: Int = 1, padding: Padding = .valid,
                dilationRate: Int = 1, groups: Int = 1, activation: ActivationFunction = .linear,
                useBias: Bool = true, kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros,
                kernelRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil,
                activityRegularizer: Regularizer? = nil, inputShape: [Int]? = nil, name: String? = nil) {
        super.init(rank: 1, filters: filters, kernelSize: [kernelSize], strides: [strides], padding: padding, dilationRate: [dilationRate],
                   groups: groups, activation: activation, useBias: useBias, kernelInitializer: kernelInitializer,
                   biasInitializer: biasInitializer, kernelRegularizer: kernelRegularizer, biasRegularizer: biasRegularizer,
                   activityRegularizer: activityRegularizer, inputShape: inputShape, name: name)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "Conv1D")
        let o = try Convolution.options(r, rank: 1)
        self.init(o.filters, kernelSize: o.kernelSize[0], strides: o.strides[0], padding: o.padding, dilationRate: o.dilationRate[0],
                  groups: o.groups, activation: o.activation, useBias: o.useBias, kernelInitializer: o.kernelInitializer,
                  biasInitializer: o.biasInitializer, kernelRegularizer: o.kernelRegularizer, biasRegularizer: o.biasRegularizer,
                  inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }
}
