import Foundation
import StrataCore

/// Shifts each image by a random fraction of its size (Keras `RandomTranslation`): the shift
/// down is drawn from `heightFactor` × height, the shift right from `widthFactor` × width (a
/// number f: [−f, f]; a pair: [lower, upper]; each in [−1, 1]); pixels from beyond the edges
/// follow `fillMode`.
///
///     RandomTranslation(heightFactor: 0.1, widthFactor: 0.1)
public final class RandomTranslation: AffineAugmentation, ConfigurableLayer {
    /// The vertical shift, as a fraction of the height.
    public let heightFactor: RandomFactor
    /// The horizontal shift, as a fraction of the width.
    public let widthFactor: RandomFactor
    private var heightRange = (lower: Float(0), upper: Float(0)), widthRange = (lower: Float(0), upper: Float(0))

    /// Creates the layer (Keras' defaults: reflect, bilinear, fill value 0).
    public init(heightFactor: RandomFactor, widthFactor: RandomFactor, fillMode: ImageFillMode = .reflect,
                interpolation: ImageInterpolation = .bilinear, fillValue: Float = 0, seed: UInt64? = nil,
                inputShape: [Int]? = nil, name: String? = nil) {
        (self.heightFactor, self.widthFactor) = (heightFactor, widthFactor)
        super.init(fillMode: fillMode, interpolation: interpolation, fillValue: fillValue, seed: seed, inputShape: inputShape, name: name)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: Self.typeName)
        let warp = try r.warpOptions()
        self.init(heightFactor: try r.factor("height_factor"), widthFactor: try r.factor("width_factor"), fillMode: warp.fillMode,
                  interpolation: warp.interpolation, fillValue: warp.fillValue, seed: try r.optionalSeed(),
                  inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }

    public override func build(for inputShape: [Int]) throws {
        try super.build(for: inputShape)
        let context = "\(Self.typeName) '\(name)'"
        heightRange = try heightFactor.range(within: -1...1, key: "heightFactor", context: context)
        widthRange = try widthFactor.range(within: -1...1, key: "widthFactor", context: context)
    }

    /// Keras: the output pixel (x, y) reads input (x − dx, y − dy), dy drawn first.
    override func transform(_ draws: SIMD4<Float>, height: Int, width: Int) -> [Float] {
        let dy = uniform(draws[0], heightRange.lower, heightRange.upper) * Float(height)
        let dx = uniform(draws[1], widthRange.lower, widthRange.upper) * Float(width)
        return [1, 0, -dx, 0, 1, -dy]
    }

    public override var options: [String: ConfigValue] {
        super.options.merging(["height_factor": heightFactor.configValue, "width_factor": widthFactor.configValue]) { $1 }
    }
}

/// Rotates each image about its centre by a random angle (Keras `RandomRotation`): `factor` is
/// a fraction of a full turn (a number f: [−f, f]; a pair: [lower, upper]; each in [−1, 1]);
/// positive angles turn counter-clockwise.
///
///     RandomRotation(0.1)   // up to ±36°
public final class RandomRotation: AffineAugmentation, ConfigurableLayer {
    /// The angle, as a fraction of 2π.
    public let factor: RandomFactor
    private var range = (lower: Float(0), upper: Float(0))

    /// Creates the layer (Keras' defaults: reflect, bilinear, fill value 0).
    public init(_ factor: RandomFactor, fillMode: ImageFillMode = .reflect, interpolation: ImageInterpolation = .bilinear,
                fillValue: Float = 0, seed: UInt64? = nil, inputShape: [Int]? = nil, name: String? = nil) {
        self.factor = factor
        super.init(fillMode: fillMode, interpolation: interpolation, fillValue: fillValue, seed: seed, inputShape: inputShape, name: name)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: Self.typeName)
        let warp = try r.warpOptions()
        self.init(try r.factor("factor"), fillMode: warp.fillMode, interpolation: warp.interpolation, fillValue: warp.fillValue,
                  seed: try r.optionalSeed(), inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }

    public override func build(for inputShape: [Int]) throws {
        try super.build(for: inputShape)
        range = try factor.range(within: -1...1, key: "factor", context: "\(Self.typeName) '\(name)'")
    }

    /// Keras' `_compute_affine_matrix` with scale 1 and no shear or shift: about the centre
    /// ((w − 1)/2, (h − 1)/2), `angle` = uniform(360·lower, 360·upper) degrees.
    override func transform(_ draws: SIMD4<Float>, height: Int, width: Int) -> [Float] {
        let degrees = uniform(draws[0], range.lower * 360, range.upper * 360)
        let angle = degrees * Float(Double.pi / 180)   // Keras multiplies by float32(π / 180)
        let (cx, cy) = (0.5 * Float(width - 1), 0.5 * Float(height - 1))
        let (cosine, sine) = (Foundation.cos(angle), Foundation.sin(angle))
        let (a0, a1, b0, b1) = (cosine, -sine, sine, cosine)
        return [a0, a1, cx - cx * a0 - cy * a1, b0, b1, cy - cx * b0 - cy * b1]
    }

    public override var options: [String: ConfigValue] { super.options.merging(["factor": factor.configValue]) { $1 } }
}

/// Zooms each image about its centre by a random factor (Keras `RandomZoom`): the height is
/// scaled by 1 + uniform(`heightFactor`), the width by 1 + uniform(`widthFactor`) — or by the
/// same factor when `widthFactor` is nil, keeping the aspect ratio. Each end in (−1, 1];
/// positive values zoom out (the image shrinks), negative values zoom in.
///
///     RandomZoom(heightFactor: 0.2)
public final class RandomZoom: AffineAugmentation, ConfigurableLayer {
    /// The vertical zoom range.
    public let heightFactor: RandomFactor
    /// The horizontal zoom range (nil: the vertical draw, for both axes).
    public let widthFactor: RandomFactor?
    private var heightRange = (lower: Float(0), upper: Float(0)), widthRange: (lower: Float, upper: Float)?

    /// Creates the layer (Keras' defaults: reflect, bilinear, fill value 0).
    public init(heightFactor: RandomFactor, widthFactor: RandomFactor? = nil, fillMode: ImageFillMode = .reflect,
                interpolation: ImageInterpolation = .bilinear, fillValue: Float = 0, seed: UInt64? = nil,
                inputShape: [Int]? = nil, name: String? = nil) {
        (self.heightFactor, self.widthFactor) = (heightFactor, widthFactor)
        super.init(fillMode: fillMode, interpolation: interpolation, fillValue: fillValue, seed: seed, inputShape: inputShape, name: name)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: Self.typeName)
        let warp = try r.warpOptions()
        self.init(heightFactor: try r.factor("height_factor"), widthFactor: try r.optionalFactor("width_factor"),
                  fillMode: warp.fillMode, interpolation: warp.interpolation, fillValue: warp.fillValue, seed: try r.optionalSeed(),
                  inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }

    public override func build(for inputShape: [Int]) throws {
        try super.build(for: inputShape)
        let context = "\(Self.typeName) '\(name)'"
        heightRange = try heightFactor.range(within: -1...1, openBelow: true, key: "heightFactor", context: context)
        widthRange = try widthFactor?.range(within: -1...1, openBelow: true, key: "widthFactor", context: context)
    }

    /// Keras' `_get_zoom_matrix`: x reads zx·x + (w − 1)/2·(1 − zx), y likewise.
    override func transform(_ draws: SIMD4<Float>, height: Int, width: Int) -> [Float] {
        let zy = uniform(draws[0], 1 + heightRange.lower, 1 + heightRange.upper)
        let zx = widthRange.map { uniform(draws[1], 1 + $0.lower, 1 + $0.upper) } ?? zy
        return [zx, 0, (Float(width) - 1) / 2 * (1 - zx), 0, zy, (Float(height) - 1) / 2 * (1 - zy)]
    }

    public override var options: [String: ConfigValue] {
        super.options.merging(["height_factor": heightFactor.configValue, "width_factor": widthFactor?.configValue ?? .null]) { $1 }
    }
}
