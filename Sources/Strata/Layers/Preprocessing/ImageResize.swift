import StrataCore

/// Cropping and resizing of NHWC images as Keras does them, on the warp kernel: a crop is a
/// nearest-pixel warp by whole pixels (an exact copy), a resize samples output pixel o at
/// (o + ½)·(in / out) − ½ with the edge pixels repeated beyond the edges — TensorFlow's
/// `tf.image.resize` with half-pixel centres (bilinear; nearest reads ⌊(o + ½)·in / out⌋).
enum ImageResize {
    /// A window of an image: its top-left pixel and size.
    struct Window: Equatable {
        var top, left, height, width: Int
    }

    /// Each image cut to its own window (all of one size).
    static func crop(_ x: Tensor, windows: [Window]) -> Tensor {
        let (height, width) = (windows[0].height, windows[0].width)
        if windows.allSatisfy({ $0 == Window(top: 0, left: 0, height: x.shape[1], width: x.shape[2]) }) { return x }
        let transforms = windows.flatMap { [1, 0, Float($0.left), 0, 1, Float($0.top)] as [Float] }
        return ImageWarp.affine(x, transforms: transforms, outputHeight: height, outputWidth: width,
                                interpolation: .nearest, fillMode: .nearest)
    }

    /// The images resized to `height` × `width` (the same images when the size is unchanged).
    static func resize(_ x: Tensor, height: Int, width: Int, interpolation: ImageInterpolation) -> Tensor {
        let (inHeight, inWidth) = (x.shape[1], x.shape[2])
        if inHeight == height && inWidth == width { return x }
        let sy = Float(inHeight) / Float(height), sx = Float(inWidth) / Float(width)
        let transform: [Float] = [sx, 0, 0.5 * sx - 0.5, 0, sy, 0.5 * sy - 0.5]
        let transforms = Array((0..<x.shape[0]).map { _ in transform }.joined())
        return ImageWarp.affine(x, transforms: transforms, outputHeight: height, outputWidth: width,
                                interpolation: interpolation.kernel, fillMode: .nearest)
    }

    /// The centred window of `height` × `width`'s aspect ratio, as large as fits (Keras'
    /// `smart_resize` and `crop_to_aspect_ratio`: integer sizes truncated, at least 1 pixel).
    static func aspectWindow(imageHeight: Int, imageWidth: Int, height: Int, width: Int) -> Window {
        let cropHeight = Swift.max(Swift.min(imageHeight, Int(Float(imageWidth * height) / Float(width))), 1)
        let cropWidth = Swift.max(Swift.min(imageWidth, Int(Float(imageHeight * width) / Float(height))), 1)
        return Window(top: Int(Float(imageHeight - cropHeight) / 2), left: Int(Float(imageWidth - cropWidth) / 2),
                      height: cropHeight, width: cropWidth)
    }

    /// Keras' `smart_resize`: the largest centred window of the target's aspect ratio, resized
    /// (bilinear) to `height` × `width`.
    static func smartResize(_ x: Tensor, height: Int, width: Int) -> Tensor {
        let window = aspectWindow(imageHeight: x.shape[1], imageWidth: x.shape[2], height: height, width: width)
        let cropped = crop(x, windows: Array(repeating: window, count: x.shape[0]))
        return resize(cropped, height: height, width: width, interpolation: .bilinear)
    }

    /// Checks a target size and samples `[height, width, channels]`.
    static func check(height: Int, width: Int, inputShape: [Int], context: String) throws {
        guard height > 0, width > 0 else {
            throw StrataError.invalidArgument("target size \(height) × \(width)", context: context, expected: "a positive height and width")
        }
        guard inputShape.count == 3 else {
            throw StrataError.shapeMismatch("needs images [height, width, channels], got samples of shape \(inputShape)", context: context)
        }
    }
}
