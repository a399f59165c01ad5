import StrataCore

/// Flips images at random (Keras `RandomFlip`): each image is flipped with probability ½
/// (Keras: a uniform draw ≤ 0.5). Keras 3 semantics: with `.horizontalAndVertical` one draw
/// decides both flips — an image is flipped both ways or not at all.
///
///     RandomFlip(.horizontal)
public final class RandomFlip: RandomAugmentation, ConfigurableLayer {
    /// Which flips (Keras' `mode`).
    public enum Mode: String, Sendable, CaseIterable {
        /// Left–right.
        case horizontal
        /// Top–bottom.
        case vertical
        /// Both, decided by one draw (Keras' default).
        case horizontalAndVertical = "horizontal_and_vertical"
    }

    /// The flips applied.
    public let mode: Mode

    /// Creates the layer (default both flips, as Keras).
    public init(_ mode: Mode = .horizontalAndVertical, seed: UInt64? = nil, inputShape: [Int]? = nil, name: String? = nil) {
        self.mode = mode
        super.init(seed: seed, inputShape: inputShape, name: name)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: Self.typeName)
        try r.checkChannelsLast()
        let raw = try r.string("mode", default: Mode.horizontalAndVertical.rawValue)
        guard let mode = Mode(rawValue: raw) else {
            throw r.fail("mode", "one of " + Mode.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self.init(mode, seed: try r.optionalSeed(), inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }

    /// Whole pixels moved: a nearest-pixel warp by x ↦ (w − 1) − x and/or y ↦ (h − 1) − y.
    override func augment(_ x: Tensor, draws: [SIMD4<Float>]) -> Tensor {
        let (height, width) = (Float(x.shape[1] - 1), Float(x.shape[2] - 1))
        let horizontal = mode != .vertical, vertical = mode != .horizontal
        let transforms = draws.flatMap { draw -> [Float] in
            let flip = draw[0] <= 0.5
            let (sx, sy) = (flip && horizontal, flip && vertical)
            return [sx ? -1 : 1, 0, sx ? width : 0, 0, sy ? -1 : 1, sy ? height : 0]
        }
        return ImageWarp.affine(x, transforms: transforms, outputHeight: x.shape[1], outputWidth: x.shape[2],
                                interpolation: .nearest, fillMode: .nearest)
    }

    public override var options: [String: ConfigValue] { super.options.merging(["mode": .string(mode.rawValue)]) { $1 } }
}
