import StrataCore

/// The shared machinery of the max and average pooling layers, channels last (Keras'
/// `BasePooling`): windows of `poolSize` every `strides` (default: the pool size), `valid` or
/// `same` padding (see `Padding`).
///
/// Keras 3 semantics: max pooling sends a tie's gradient to one element — the first maximum of
/// the window in row-major order — and pads "same" windows with −∞ (padding is never the
/// maximum); average pooling with "same" padding divides by the number of real elements in the
/// window, not by the window size.
public class Pooling: Layer {
    /// Max or average.
    public enum Reduction: Sendable { case max, average }

    /// The number of spatial axes (1 or 2).
    public let rank: Int
    /// What a window reduces to.
    public let reduction: Reduction
    /// The window's extent along each spatial axis.
    public let poolSize: [Int]
    /// The step along each spatial axis.
    public let strides: [Int]
    /// How the input is padded.
    public let padding: Padding

    init(rank: Int, reduction: Reduction, poolSize: [Int], strides: [Int]?, padding: Padding, inputShape: [Int]?, name: String?) {
        (self.rank, self.reduction, self.poolSize, self.strides, self.padding) = (rank, reduction, poolSize, strides ?? poolSize, padding)
        super.init(name: name, inputShape: inputShape)
    }

    /// Reads a pooling config's options (Keras' names).
    static func options(_ r: ConfigReader, rank: Int) throws -> (poolSize: [Int], strides: [Int]?, padding: Padding) {
        let padding = try r.spatialPadding(allowed: [.valid, .same])
        let poolSize = try r.tuple("pool_size", rank: rank, default: Array(repeating: 2, count: rank))
        return (poolSize, r.value("strides") == .null ? nil : try r.tuple("strides", rank: rank), padding)
    }

    private var context: String { "\(Self.typeName) '\(name)'" }

    /// A window's geometry: a convolution's, undilated (a 1-D input as a 1-pixel-high image).
    func geometry(for inputShape: [Int]) -> ConvGeometry? {
        Convolution.geometry(for: inputShape, kernelSize: poolSize, strides: strides,
                             dilationRate: Array(repeating: 1, count: rank), padding: padding)
    }

    public override func build(for inputShape: [Int]) throws {
        guard poolSize.count == rank, poolSize.allSatisfy({ $0 > 0 }), strides.count == rank, strides.allSatisfy({ $0 > 0 }) else {
            throw StrataError.invalidArgument("pool size \(poolSize), strides \(strides)", context: context,
                                              expected: "\(rank) positive integer(s) each")
        }
        guard padding != .causal else { throw StrataError.invalidArgument("causal padding", context: context, expected: "valid or same") }
        guard inputShape.count == rank + 1 else {
            throw StrataError.shapeMismatch("needs samples of rank \(rank + 1), got \(inputShape)", context: context,
                                            expected: rank == 1 ? "[steps, channels]" : "[height, width, channels]")
        }
        guard geometry(for: inputShape) != nil else {
            throw StrataError.shapeMismatch("a \(poolSize) window does not fit inputs of \(Array(inputShape.dropLast())) with valid padding",
                                            context: context, expected: "larger inputs or padding: .same")
        }
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let sample = Array(x.shape.dropFirst())
        let g = geometry(for: sample)!
        let images = rank == 1 ? x.reshaped(to: [x.shape[0], 1] + sample) : x
        let y = reduction == .max ? Self.maxPool(images, g) : Self.averagePool(images, g)
        return rank == 1 ? y.reshaped(to: [x.shape[0], g.ow, sample[1]]) : y
    }

    private static func maxPool(_ x: Tensor, _ g: ConvGeometry) -> Tensor {
        let (y, argmax) = ConvKernels.maxPool(x, g)
        let shape = x.shape
        return y.recorded(from: x) { gradient, _, _ in
            ConvKernels.maxPoolBackward(gradient, argmax: argmax, g, inputShape: shape)
        }
    }

    private static func averagePool(_ x: Tensor, _ g: ConvGeometry) -> Tensor {
        let shape = x.shape
        return ConvKernels.averagePool(x, g).recorded(from: x) { gradient, _, _ in
            ConvKernels.averagePoolBackward(gradient, g, inputShape: shape)
        }
    }

    public override func outputShape(for inputShape: [Int]) -> [Int] {
        guard let g = geometry(for: inputShape), let channels = inputShape.last else { return inputShape }
        return (rank == 1 ? [g.ow] : [g.oh, g.ow]) + [channels]
    }

    public override var options: [String: ConfigValue] {
        ["pool_size": .ints(poolSize), "strides": .ints(strides), "padding": .string(padding.rawValue),
         "data_format": .string("channels_last")]
    }
}

/// Max pooling over `[height, width, channels]` samples (Keras `MaxPooling2D`).
///
///     MaxPooling2D()                                   // 2 × 2 windows, stride 2
///     MaxPooling2D(poolSize: [3, 3], strides: [2, 2], padding: .same)
public final class MaxPooling2D: Pooling, ConfigurableLayer {
    /// Creates the layer; `strides` defaults to `poolSize`.
    public init(poolSize: [Int] = [2, 2], strides: [Int]? = nil, padding: Padding = .valid, inputShape: [Int]? = nil, name: String? = nil) {
        super.init(rank: 2, reduction: .max, poolSize: poolSize, strides: strides, padding: padding, inputShape: inputShape, name: name)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "MaxPooling2D"), o = try Pooling.options(r, rank: 2)
        self.init(poolSize: o.poolSize, strides: o.strides, padding: o.padding, inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }
}

/// Average pooling over `[height, width, channels]` samples (Keras `AveragePooling2D`).
///
///     AveragePooling2D(poolSize: [2, 2])
public final class AveragePooling2D: Pooling, ConfigurableLayer {
    /// Creates the layer; `strides` defaults to `poolSize`.
    public init(poolSize: [Int] = [2, 2], strides: [Int]? = nil, padding: Padding = .valid, inputShape: [Int]? = nil, name: String? = nil) {
        super.init(rank: 2, reduction: .average, poolSize: poolSize, strides: strides, padding: padding, inputShape: inputShape, name: name)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "AveragePooling2D"), o = try Pooling.options(r, rank: 2)
        self.init(poolSize: o.poolSize, strides: o.strides, padding: o.padding, inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }
}

/// Max pooling over `[steps, channels]` samples (Keras `MaxPooling1D`).
///
///     MaxPooling1D(poolSize: 2)
public final class MaxPooling1D: Pooling, ConfigurableLayer {
    /// Creates the layer; `strides` defaults to `poolSize`.
    public init(poolSize: Int = 2, strides: Int? = nil, padding: Padding = .valid, inputShape: [Int]? = nil, name: String? = nil) {
        super.init(rank: 1, reduction: .max, poolSize: [poolSize], strides: strides.map { [$0] }, padding: padding,
                   inputShape: inputShape, name: name)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "MaxPooling1D"), o = try Pooling.options(r, rank: 1)
        self.init(poolSize: o.poolSize[0], strides: o.strides?[0], padding: o.padding, inputShape: try r.optionalInts("input_shape"),
                  name: try r.layerName)
    }
}

/// Average pooling over `[steps, channels]` samples (Keras `AveragePooling1D`).
///
///     AveragePooling1D(poolSize: 3, strides: 1, padding: .same)
public final class AveragePooling1D: Pooling, ConfigurableLayer {
    /// Creates the layer; `strides` defaults to `poolSize`.
    public init(poolSize: Int = 2, strides: Int? = nil, padding: Padding = .valid, inputShape: [Int]? = nil, name: String? = nil) {
        super.init(rank: 1, reduction: .average, poolSize: [poolSize], strides: strides.map { [$0] }, padding: padding,
                   inputShape: inputShape, name: name)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "AveragePooling1D"), o = try Pooling.options(r, rank: 1)
        self.init(poolSize: o.poolSize[0], strides: o.strides?[0], padding: o.padding, inputShape: try r.optionalInts("input_shape"),
                  name: try r.layerName)
    }
}
