import StrataCore

/// Moves whole pixels of NHWC images: output pixel (oy, ox) is input pixel
/// (`rows[oy]`, `columns[ox]`), or zeros where either is −1 — the one operation behind zero
/// padding, cropping and nearest-neighbour upsampling. The gradient adds each output pixel's
/// gradient back into its source.
enum PixelMap {
    static func apply(_ x: Tensor, rows: [Int], columns: [Int]) -> Tensor {
        let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (oh, ow) = (rows.count, columns.count)
        var y = Tensor.zeros([n, oh, ow, c])
        y.withUnsafeMutableBufferPointer { out in
            x.withUnsafeBufferPointer { input in
                for image in 0..<n { for oy in 0..<oh where rows[oy] >= 0 { for ox in 0..<ow where columns[ox] >= 0 {
                    let source = input.baseAddress! + ((image * h + rows[oy]) * w + columns[ox]) * c
                    (out.baseAddress! + ((image * oh + oy) * ow + ox) * c).update(from: source, count: c)
                } } }
            }
        }
        let shape = x.shape
        return y.recorded(from: x) { gradient, _, _ in
            var dx = Tensor.zeros(shape)
            dx.withUnsafeMutableBufferPointer { out in
                gradient.withUnsafeBufferPointer { g in
                    for image in 0..<n { for oy in 0..<oh where rows[oy] >= 0 { for ox in 0..<ow where columns[ox] >= 0 {
                        let target = out.baseAddress! + ((image * h + rows[oy]) * w + columns[ox]) * c
                        let source = g.baseAddress! + ((image * oh + oy) * ow + ox) * c
                        for channel in 0..<c { target[channel] += source[channel] }
                    } } }
                }
            }
            return dx
        }
    }
}

/// Zeros around each image (Keras `ZeroPadding2D`): `padding` is `[[top, bottom], [left, right]]`.
///
///     ZeroPadding2D(padding: [[1, 1], [2, 2]])
public final class ZeroPadding2D: Layer, ConfigurableLayer {
    /// `[[top, bottom], [left, right]]` rows and columns of zeros.
    public let padding: [[Int]]

    /// Creates the layer (default one pixel on every side).
    public init(padding: [[Int]] = [[1, 1], [1, 1]], inputShape: [Int]? = nil, name: String? = nil) {
        self.padding = padding
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "ZeroPadding2D")
        try r.checkChannelsLast()
        self.init(padding: try r.edgePairs("padding", default: [[1, 1], [1, 1]]), inputShape: try r.optionalInts("input_shape"),
                  name: try r.layerName)
    }

    public override func build(for inputShape: [Int]) throws {
        try checkImagePairs(padding, inputShape: inputShape, what: "padding", context: "ZeroPadding2D '\(name)'")
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let (h, w) = (x.shape[1], x.shape[2])
        let rows = (0..<(h + padding[0][0] + padding[0][1])).map { $0 - padding[0][0] }.map { $0 >= 0 && $0 < h ? $0 : -1 }
        let columns = (0..<(w + padding[1][0] + padding[1][1])).map { $0 - padding[1][0] }.map { $0 >= 0 && $0 < w ? $0 : -1 }
        return PixelMap.apply(x, rows: rows, columns: columns)
    }

    public override func outputShape(for inputShape: [Int]) -> [Int] {
        [inputShape[0] + padding[0][0] + padding[0][1], inputShape[1] + padding[1][0] + padding[1][1], inputShape[2]]
    }

    public override var options: [String: ConfigValue] {
        ["padding": .array(padding.map { .ints($0) }), "data_format": .string("channels_last")]
    }
}

/// Rows and columns cut from the edges of each image (Keras `Cropping2D`): `cropping` is
/// `[[top, bottom], [left, right]]`.
///
///     Cropping2D(cropping: [[2, 2], [4, 4]])
public final class Cropping2D: Layer, ConfigurableLayer {
    /// `[[top, bottom], [left, right]]` rows and columns removed.
    public let cropping: [[Int]]

    /// Creates the layer (default nothing cropped).
    public init(cropping: [[Int]] = [[0, 0], [0, 0]], inputShape: [Int]? = nil, name: String? = nil) {
        self.cropping = cropping
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "Cropping2D")
        try r.checkChannelsLast()
        self.init(cropping: try r.edgePairs("cropping", default: [[0, 0], [0, 0]]), inputShape: try r.optionalInts("input_shape"),
                  name: try r.layerName)
    }

    public override func build(for inputShape: [Int]) throws {
        let context = "Cropping2D '\(name)'"
        try checkImagePairs(cropping, inputShape: inputShape, what: "cropping", context: context)
        guard inputShape[0] > cropping[0][0] + cropping[0][1], inputShape[1] > cropping[1][0] + cropping[1][1] else {
            throw StrataError.shapeMismatch("cropping \(cropping) leaves nothing of \(inputShape[0]) × \(inputShape[1]) images",
                                            context: context, expected: "less cropping than the image's size")
        }
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let shape = outputShape(for: Array(x.shape.dropFirst()))
        return PixelMap.apply(x, rows: (0..<shape[0]).map { $0 + cropping[0][0] }, columns: (0..<shape[1]).map { $0 + cropping[1][0] })
    }

    public override func outputShape(for inputShape: [Int]) -> [Int] {
        [inputShape[0] - cropping[0][0] - cropping[0][1], inputShape[1] - cropping[1][0] - cropping[1][1], inputShape[2]]
    }

    public override var options: [String: ConfigValue] {
        ["cropping": .array(cropping.map { .ints($0) }), "data_format": .string("channels_last")]
    }
}

/// Each pixel repeated `size[0] × size[1]` times (Keras `UpSampling2D`, nearest neighbour).
///
///     UpSampling2D(size: [2, 2])
public final class UpSampling2D: Layer, ConfigurableLayer {
    /// The repetitions along height and width.
    public let size: [Int]

    /// Creates the layer (default 2 × 2).
    public init(size: [Int] = [2, 2], inputShape: [Int]? = nil, name: String? = nil) {
        self.size = size
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "UpSampling2D")
        try r.checkChannelsLast()
        let interpolation = try r.string("interpolation", default: "nearest")
        guard interpolation == "nearest" else {
            throw StrataError.invalidArgument("interpolation '\(interpolation)' is not supported", context: "UpSampling2D config",
                                              expected: "nearest")
        }
        self.init(size: try r.tuple("size", rank: 2, default: [2, 2]), inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }

    public override func build(for inputShape: [Int]) throws {
        guard size.count == 2, size.allSatisfy({ $0 > 0 }), inputShape.count == 3 else {
            throw StrataError.invalidArgument("size \(size) for samples \(inputShape)", context: "UpSampling2D '\(name)'",
                                              expected: "two positive factors, samples [height, width, channels]")
        }
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        PixelMap.apply(x, rows: (0..<(x.shape[1] * size[0])).map { $0 / size[0] }, columns: (0..<(x.shape[2] * size[1])).map { $0 / size[1] })
    }

    public override func outputShape(for inputShape: [Int]) -> [Int] { [inputShape[0] * size[0], inputShape[1] * size[1], inputShape[2]] }

    public override var options: [String: ConfigValue] {
        ["size": .ints(size), "interpolation": .string("nearest"), "data_format": .string("channels_last")]
    }
}

/// `[[top, bottom], [left, right]]` of non-negative integers, for samples `[height, width, channels]`.
private func checkImagePairs(_ pairs: [[Int]], inputShape: [Int], what: String, context: String) throws {
    guard pairs.count == 2, pairs.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0 >= 0 } }) else {
        throw StrataError.invalidArgument("\(what) \(pairs)", context: context, expected: "[[top, bottom], [left, right]], each ≥ 0")
    }
    guard inputShape.count == 3 else {
        throw StrataError.shapeMismatch("needs samples [height, width, channels], got \(inputShape)", context: context)
    }
}
