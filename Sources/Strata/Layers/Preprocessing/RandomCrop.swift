import StrataCore

/// Crops a random `height` × `width` window of each image (Keras `RandomCrop`). At inference,
/// and in training when an image is not larger than the target in both dimensions, it returns
/// the largest centred window of the target's aspect ratio resized to the target (Keras'
/// documented behaviour, `smart_resize`) — so the output is always `height` × `width`.
/// Unlike Keras 3, which draws one window per batch, each image draws its own: a batch-wide
/// window would depend on how the data is batched and split across replicas.
///
///     RandomCrop(height: 28, width: 28)
public final class RandomCrop: RandomAugmentation, ConfigurableLayer {
    /// The output height.
    public let height: Int
    /// The output width.
    public let width: Int

    /// Creates the layer.
    public init(height: Int, width: Int, seed: UInt64? = nil, inputShape: [Int]? = nil, name: String? = nil) {
        (self.height, self.width) = (height, width)
        super.init(seed: seed, inputShape: inputShape, name: name)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: Self.typeName)
        try r.checkChannelsLast()
        self.init(height: try r.int("height"), width: try r.int("width"), seed: try r.optionalSeed(),
                  inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }

    public override func build(for inputShape: [Int]) throws {
        try ImageResize.check(height: height, width: width, inputShape: inputShape, context: "\(Self.typeName) '\(name)'")
    }

    /// Keras: the window's top-left corner is (⌊u·(H − h + 1)⌋, ⌊u′·(W − w + 1)⌋).
    override func augment(_ x: Tensor, draws: [SIMD4<Float>]) -> Tensor {
        let (imageHeight, imageWidth) = (x.shape[1], x.shape[2])
        guard imageHeight > height, imageWidth > width else { return inference(x) }
        let windows = draws.map { draw in
            ImageResize.Window(top: Swift.min(Int(draw[0] * Float(imageHeight - height + 1)), imageHeight - height),
                               left: Swift.min(Int(draw[1] * Float(imageWidth - width + 1)), imageWidth - width),
                               height: height, width: width)
        }
        return ImageResize.crop(x, windows: windows)
    }

    override func inference(_ x: Tensor) -> Tensor { ImageResize.smartResize(x, height: height, width: width) }

    public override func outputShape(for inputShape: [Int]) -> [Int] { [height, width, inputShape[2]] }

    public override var options: [String: ConfigValue] {
        super.options.merging(["height": .number(Double(height)), "width": .number(Double(width))]) { $1 }
    }
}
