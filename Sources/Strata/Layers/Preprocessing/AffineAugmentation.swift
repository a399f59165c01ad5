import StrataCore

/// What lies outside an image when a warp reads beyond its edges (Keras' `fill_mode`).
public enum ImageFillMode: String, Sendable, CaseIterable {
    /// `(d c b a | a b c d | d c b a)`: reflected about the edge of the last pixel (Keras' default).
    case reflect
    /// `(a b c d | a b c d | a b c d)`: wrapped around to the opposite edge.
    case wrap
    /// `(k k k k | a b c d | k k k k)`: the constant `fillValue`.
    case constant
    /// `(a a a a | a b c d | d d d d)`: the nearest edge pixel.
    case nearest

    var kernel: ImageWarp.FillMode {
        switch self {
        case .reflect: .reflect
        case .wrap: .wrap
        case .constant: .constant
        case .nearest: .nearest
        }
    }
}

/// How a warp reads between pixels (Keras' `interpolation`).
public enum ImageInterpolation: String, Sendable, CaseIterable {
    /// The nearest pixel.
    case nearest
    /// The four surrounding pixels, weighted by distance (Keras' default).
    case bilinear

    var kernel: ImageWarp.Interpolation { self == .nearest ? .nearest : .bilinear }
}

/// A random augmentation that moves pixels by one affine map per image — `RandomTranslation`,
/// `RandomRotation`, `RandomZoom` — warped in a single C pass over the batch with TensorFlow's
/// `ImageProjectiveTransformV3` semantics (what Keras' `ops.image.affine_transform` runs).
public class AffineAugmentation: RandomAugmentation {
    /// What lies beyond the edges (default reflect).
    public let fillMode: ImageFillMode
    /// How pixels are read (default bilinear).
    public let interpolation: ImageInterpolation
    /// The value outside the image with `fillMode: .constant` (default 0).
    public let fillValue: Float

    init(fillMode: ImageFillMode, interpolation: ImageInterpolation, fillValue: Float, seed: UInt64?,
         inputShape: [Int]?, name: String?) {
        (self.fillMode, self.interpolation, self.fillValue) = (fillMode, interpolation, fillValue)
        super.init(seed: seed, inputShape: inputShape, name: name)
    }

    /// The six numbers mapping output pixel (x, y) to its input sample point, for one image of
    /// `height` × `width` and its draws. Overridden.
    func transform(_ draws: SIMD4<Float>, height: Int, width: Int) -> [Float] { [1, 0, 0, 0, 1, 0] }

    override func augment(_ x: Tensor, draws: [SIMD4<Float>]) -> Tensor {
        let (height, width) = (x.shape[1], x.shape[2])
        return ImageWarp.affine(x, transforms: draws.flatMap { transform($0, height: height, width: width) },
                                outputHeight: height, outputWidth: width, interpolation: interpolation.kernel,
                                fillMode: fillMode.kernel, fillValue: fillValue)
    }

    public override var options: [String: ConfigValue] {
        super.options.merging(["fill_mode": .string(fillMode.rawValue), "interpolation": .string(interpolation.rawValue),
                               "fill_value": .float(fillValue)]) { $1 }
    }
}

extension ConfigReader {
    /// `fill_mode`, `interpolation` and `fill_value` with Keras' defaults (reflect, bilinear, 0).
    func warpOptions() throws -> (fillMode: ImageFillMode, interpolation: ImageInterpolation, fillValue: Float) {
        try checkChannelsLast()
        let fill = try string("fill_mode", default: "reflect"), interpolation = try string("interpolation", default: "bilinear")
        guard let fillMode = ImageFillMode(rawValue: fill) else {
            throw fail("fill_mode", "one of " + ImageFillMode.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard let reading = ImageInterpolation(rawValue: interpolation) else {
            throw fail("interpolation", "nearest or bilinear")
        }
        return (fillMode, reading, try float("fill_value", default: 0))
    }
}

/// A uniform draw `u` ∈ [0, 1) mapped onto [lower, upper) (Keras' `random.uniform(minval, maxval)`).
@inline(__always)
func uniform(_ u: Float, _ lower: Float, _ upper: Float) -> Float { lower + u * (upper - lower) }
