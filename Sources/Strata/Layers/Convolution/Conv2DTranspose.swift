import StrataCore

/// A transposed 2-D convolution (Keras `Conv2DTranspose`, "deconvolution"): the adjoint of a
/// `Conv2D` — each input pixel scatters a `kh × kw` patch into a larger output. The kernel is
/// `[kh, kw, filters, channels]` (output channels before input channels, the reverse of
/// `Conv2D`).
///
/// Output size per axis (Keras 3, `compute_conv_transpose_output_shape`), with k the dilated
/// kernel extent: valid `(n − 1)·s + max(k, s)`; same `n·s`; with `outputPadding` p: valid
/// `(n − 1)·s + k + p`, same `(n − 1)·s + k − 2·⌊k/2⌋ + p`. The full scatter is cropped as the
/// matching convolution pads: `⌊total / 2⌋` rows and columns at the top and left, the rest at
/// the bottom and right.
///
///     Conv2DTranspose(16, kernelSize: [3, 3], strides: [2, 2], padding: .same, activation: .relu)
public final class Conv2DTranspose: Layer, ConfigurableLayer {
    /// Output channels.
    public let filters: Int
    /// The kernel's extent.
    public let kernelSize: [Int]
    /// The upsampling step along height and width.
    public let strides: [Int]
    /// How the output is cropped (see above).
    public let padding: Padding
    /// Extra rows and columns at the bottom and right of the output (each < its stride); nil: Keras' default.
    public let outputPadding: [Int]?
    /// The spacing of the kernel's taps.
    public let dilationRate: [Int]
    /// The activation applied to the result plus bias.
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

    /// The `[kh, kw, filters, channels]` kernel (nil until built).
    public private(set) var kernel: Variable?
    /// The `[filters]` bias (nil until built or without bias).
    public private(set) var bias: Variable?

    /// Creates a transposed convolution with Keras 3's defaults.
    public init(_ filters: Int, kernelSize: [Int], strides: [Int] = [1, 1], padding: Padding = .valid, outputPadding: [Int]? = nil,
                dilationRate: [Int] = [1, 1], activation: ActivationFunction = .linear, useBias: Bool = true,
                kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros,
                kernelRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil,
                activityRegularizer: Regularizer? = nil, inputShape: [Int]? = nil, name: String? = nil) {
        (self.filters, self.kernelSize, self.strides, self.padding, self.outputPadding) = (filters, kernelSize, strides, padding, outputPadding)
        (self.dilationRate, self.activation, self.useBias) = (dilationRate, activation, useBias)
        (self.kernelInitializer, self.biasInitializer) = (kernelInitializer, biasInitializer)
        (self.kernelRegularizer, self.biasRegularizer) = (kernelRegularizer, biasRegularizer)
        super.init(name: name, inputShape: inputShape)
        self.activityRegularizer = activityRegularizer
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "Conv2DTranspose")
        self.init(try r.int("filters"), kernelSize: try r.tuple("kernel_size", rank: 2),
                  strides: try r.tuple("strides", rank: 2, default: [1, 1]), padding: try r.spatialPadding(allowed: [.valid, .same]),
                  outputPadding: r.value("output_padding") == .null ? nil : try r.tuple("output_padding", rank: 2),
                  dilationRate: try r.tuple("dilation_rate", rank: 2, default: [1, 1]),
                  activation: try ActivationFunction(config: r.value("activation")), useBias: try r.bool("use_bias", default: true),
                  kernelInitializer: try r.initializer("kernel_initializer", default: .glorotUniform),
                  biasInitializer: try r.initializer("bias_initializer", default: .zeros),
                  kernelRegularizer: try r.regularizer("kernel_regularizer"), biasRegularizer: try r.regularizer("bias_regularizer"),
                  inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }

    private var context: String { "Conv2DTranspose '\(name)'" }

    /// The output length along one axis of input length `n` (Keras' formula, above).
    static func outputLength(_ n: Int, kernel k: Int, stride s: Int, dilation d: Int, padding: Padding, outputPadding p: Int?) -> Int {
        let span = (k - 1) * d + 1
        switch (padding, p) {
        case (.same, nil): return n * s
        case (.same, let p?): return (n - 1) * s + span - 2 * (span / 2) + p
        case (_, nil): return (n - 1) * s + Swift.max(span, s)
        case (_, let p?): return (n - 1) * s + span + p
        }
    }

    /// The geometry of the convolution this layer is the adjoint of: from the output image down
    /// to the input, padded by the convolution's rule for the output's size.
    func geometry(for inputShape: [Int]) -> ConvGeometry? {
        guard inputShape.count == 3 else { return nil }
        let sizes = (0..<2).map { axis in
            Self.outputLength(inputShape[axis], kernel: kernelSize[axis], stride: strides[axis], dilation: dilationRate[axis],
                              padding: padding, outputPadding: outputPadding?[axis])
        }
        let pads = (0..<2).map { axis -> Int in
            guard padding == .same else { return 0 }
            let span = (kernelSize[axis] - 1) * dilationRate[axis] + 1
            return Swift.max((inputShape[axis] - 1) * strides[axis] + span - sizes[axis], 0) / 2
        }
        return ConvGeometry(h: sizes[0], w: sizes[1], kh: kernelSize[0], kw: kernelSize[1], sh: strides[0], sw: strides[1],
                            dh: dilationRate[0], dw: dilationRate[1], padTop: pads[0], padLeft: pads[1],
                            oh: inputShape[0], ow: inputShape[1])
    }

    public override func build(for inputShape: [Int]) throws {
        guard filters > 0 else { throw StrataError.invalidArgument("filters must be positive, got \(filters)", context: context) }
        try Convolution.checkWindow(kernelSize: kernelSize, strides: strides, dilationRate: dilationRate, padding: padding, context: context)
        if let outputPadding {
            guard outputPadding.count == 2, zip(outputPadding, strides).allSatisfy({ $0 >= 0 && $0 < $1 }) else {
                throw StrataError.invalidArgument("output padding \(outputPadding) with strides \(strides)", context: context,
                                                  expected: "0 ≤ output padding < stride on each axis")
            }
        }
        guard inputShape.count == 3, let g = geometry(for: inputShape), g.h > 0, g.w > 0 else {
            throw StrataError.shapeMismatch("needs samples of shape [height, width, channels], got \(inputShape)", context: context)
        }
        kernel = try addWeight("kernel", shape: kernelSize + [filters, inputShape[2]], initializer: kernelInitializer,
                               regularizer: kernelRegularizer)
        if useBias { bias = try addWeight("bias", shape: [filters], initializer: biasInitializer, regularizer: biasRegularizer) }
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let g = geometry(for: Array(x.shape.dropFirst()))!
        var y = Self.scatter(x, kernel: kernel!.value, geometry: g)
        if let bias { y = y + bias.value }
        return activation(y)
    }

    /// The transposed convolution as one recorded operation: `col2im(x · Kᵀ)` forward,
    /// `dx = im2col(g)·K` and `dK = im2col(g)ᵀ·x` backward, with K the `[kh·kw·filters, channels]`
    /// matrix of the kernel.
    static func scatter(_ x: Tensor, kernel: Tensor, geometry g: ConvGeometry) -> Tensor {
        let (n, channels, filters) = (x.shape[0], x.shape[3], kernel.shape[2])
        let rows = n * g.oh * g.ow, width = g.kh * g.kw * filters
        var columns = Tensor(uninitializedShape: [rows, width])
        columns.withUnsafeMutableBufferPointer { c in
            x.withUnsafeBufferPointer { a in
                kernel.withUnsafeBufferPointer { k in
                    Gemm.sgemm(transposeA: false, transposeB: true, m: rows, n: width, k: channels,
                               a: a.baseAddress!, lda: channels, b: k.baseAddress!, ldb: channels, c: c.baseAddress!, ldc: width)
                }
            }
        }
        var output = Tensor(uninitializedShape: [n, g.h, g.w, filters])
        ConvKernels.col2im(columns, g, c0: 0, cg: filters, into: &output)
        let (xValue, kernelValue, needInput) = (x.detached, kernel.detached, x.isTracked)
        return output.recorded(from: [x, kernel]) { gradient in
            let patches = ConvKernels.im2col(gradient, g, c0: 0, cg: filters)
            var inputGradient = needInput ? Tensor(uninitializedShape: xValue.shape) : nil
            var kernelGradient = Tensor(uninitializedShape: kernelValue.shape)
            patches.withUnsafeBufferPointer { p in
                if inputGradient != nil {
                    inputGradient!.withUnsafeMutableBufferPointer { dx in
                        kernelValue.withUnsafeBufferPointer { k in
                            Gemm.sgemm(transposeA: false, transposeB: false, m: rows, n: channels, k: width,
                                       a: p.baseAddress!, lda: width, b: k.baseAddress!, ldb: channels, c: dx.baseAddress!, ldc: channels)
                        }
                    }
                }
                kernelGradient.withUnsafeMutableBufferPointer { dk in
                    xValue.withUnsafeBufferPointer { a in
                        Gemm.sgemm(transposeA: true, transposeB: false, m: width, n: channels, k: rows,
                                   a: p.baseAddress!, lda: width, b: a.baseAddress!, ldb: channels, c: dk.baseAddress!, ldc: channels)
                    }
                }
            }
            return [inputGradient, kernelGradient]
        }
    }

    public override func outputShape(for inputShape: [Int]) -> [Int] {
        guard let g = geometry(for: inputShape) else { return inputShape }
        return [g.h, g.w, filters]
    }

    public override var options: [String: ConfigValue] {
        ["filters": .int(filters), "kernel_size": .ints(kernelSize), "strides": .ints(strides), "padding": .string(padding.rawValue),
         "output_padding": outputPadding.map { .ints($0) } ?? .null, "data_format": .string("channels_last"),
         "dilation_rate": .ints(dilationRate), "activation": activation.config, "use_bias": .bool(useBias),
         "kernel_initializer": kernelInitializer.config, "bias_initializer": biasInitializer.config,
         "kernel_regularizer": kernelRegularizer?.config ?? .null, "bias_regularizer": biasRegularizer?.config ?? .null]
    }
}
