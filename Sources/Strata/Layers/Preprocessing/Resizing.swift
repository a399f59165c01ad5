import StrataCore

/// Resizes images to `height` × `width` (Keras `Resizing`), in training and inference alike:
/// TensorFlow's `tf.image.resize` with half-pixel centres, bilinear (default) or nearest;
/// `cropToAspectRatio` first cuts the largest centred window of the target's aspect ratio, so
/// nothing is stretched. (Keras' `pad_to_aspect_ratio`, `antialias` and the bicubic, area and
/// Lanczos interpolations are not supported; a config asking for them is refused.)
///
///     Resizing(height: 64, width: 64)
public final class Resizing: Layer, ConfigurableLayer {
    /// The output height.
    public let height: Int
    /// The output width.
    public let width: Int
    /// How pixels are read (default bilinear).
    public let interpolation: ImageInterpolation
    /// Whether to crop to the target's aspect ratio first (default false).
    public let cropToAspectRatio: Bool

    /// Creates the layer.
    public init(height: Int, width: Int, interpolation: ImageInterpolation = .bilinear, cropToAspectRatio: Bool = false,
                inputShape: [Int]? = nil, name: String? = nil) {
        (self.height, self.width, self.interpolation, self.cropToAspectRatio) = (height, width, interpolation, cropToAspectRatio)
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: Self.typeName)
        try r.checkChannelsLast()
        let raw = try r.string("interpolation", default: "bilinear")
        guard let interpolation = ImageInterpolation(rawValue: raw) else { throw r.fail("interpolation", "bilinear or nearest") }
        guard try !r.bool("pad_to_aspect_ratio", default: false) else { throw r.fail("pad_to_aspect_ratio", "false (not supported)") }
        guard try !r.bool("antialias", default: false) else { throw r.fail("antialias", "false (not supported)") }
        self.init(height: try r.int("height"), width: try r.int("width"), interpolation: interpolation,
                  cropToAspectRatio: try r.bool("crop_to_aspect_ratio", default: false),
                  inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }

    public override func build(for inputShape: [Int]) throws {
        try ImageResize.check(height: height, width: width, inputShape: inputShape, context: "\(Self.typeName) '\(name)'")
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        var images = x
        if cropToAspectRatio {
            let window = ImageResize.aspectWindow(imageHeight: x.shape[1], imageWidth: x.shape[2], height: height, width: width)
            images = ImageResize.crop(x, windows: Array(repeating: window, count: x.shape[0]))
        }
        return ImageResize.resize(images, height: height, width: width, interpolation: interpolation)
    }

    public override func outputShape(for inputShape: [Int]) -> [Int] { [height, width, inputShape[2]] }

    public override var options: [String: ConfigValue] {
        ["height": .number(Double(height)), "width": .number(Double(width)), "interpolation": .string(interpolation.rawValue),
         "crop_to_aspect_ratio": .bool(cropToAspectRatio), "pad_to_aspect_ratio": .bool(false), "antialias": .bool(false),
         "data_format": .string("channels_last")]
    }
}

/// Cuts the centred `height` × `width` window of each image (Keras `CenterCrop`), in training
/// and inference alike; an image smaller than the target in either dimension is instead
/// `smart_resize`d (the largest centred window of the target's aspect ratio, resized bilinearly).
///
///     CenterCrop(height: 24, width: 24)
public final class CenterCrop: Layer, ConfigurableLayer {
    /// The output height.
    public let height: Int
    /// The output width.
    public let width: Int

    /// Creates the layer.
    public init(height: Int, width: Int, inputShape: [Int]? = nil, name: String? = nil) {
        (self.height, self.width) = (height, width)
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: Self.typeName)
        try r.checkChannelsLast()
        self.init(height: try r.int("height"), width: try r.int("width"), inputShape: try r.optionalInts("input_shape"),
                  name: try r.layerName)
    }

    public override func build(for inputShape: [Int]) throws {
        try ImageResize.check(height: height, width: width, inputShape: inputShape, context: "\(Self.typeName) '\(name)'")
    }

    /// Keras: the window starts at ((H − h) // 2, (W − w) // 2).
    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let (imageHeight, imageWidth) = (x.shape[1], x.shape[2])
        guard imageHeight >= height, imageWidth >= width else { return ImageResize.smartResize(x, height: height, width: width) }
        let window = ImageResize.Window(top: (imageHeight - height) / 2, left: (imageWidth - width) / 2, height: height, width: width)
        return ImageResize.crop(x, windows: Array(repeating: window, count: x.shape[0]))
    }

    public override func outputShape(for inputShape: [Int]) -> [Int] { [height, width, inputShape[2]] }

    public override var options: [String: ConfigValue] {
        ["height": .number(Double(height)), "width": .number(Double(width)), "data_format": .string("channels_last")]
    }
}
