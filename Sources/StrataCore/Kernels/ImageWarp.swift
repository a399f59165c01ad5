import CStrataKernels

/// Affine warps of NHWC images — the one pass behind the geometric augmentation layers and
/// resizing — with TensorFlow's `ImageProjectiveTransformV3` semantics (Keras'
/// `ops.image.affine_transform`): output pixel (x, y) of image n samples the input at
/// (t₀·x + t₁·y + t₂, t₃·x + t₄·y + t₅), `t` its six numbers. Split across threads by image, so
/// every image is computed the same way whatever the thread count.
package enum ImageWarp {
    /// How a sample point is read.
    package enum Interpolation: Int32, Sendable {
        /// The nearest pixel (coordinates rounded half away from zero).
        case nearest = 0
        /// The four surrounding pixels, weighted.
        case bilinear = 1
    }

    /// What lies outside the image.
    package enum FillMode: Int32, Sendable {
        /// `(d c b a | a b c d | d c b a)`.
        case reflect = 0
        /// `(a b c d | a b c d | a b c d)`.
        case wrap = 1
        /// `(k k k k | a b c d | k k k k)`, k the fill value.
        case constant = 2
        /// `(a a a a | a b c d | d d d d)`.
        case nearest = 3
    }

    /// `x` ([n, h, w, c]) warped to [n, outputHeight, outputWidth, c] by `transforms` (six floats
    /// per image), recorded for the gradient (the adjoint: each output gradient added into the
    /// pixels it was read from).
    package static func affine(_ x: Tensor, transforms: [Float], outputHeight: Int, outputWidth: Int,
                               interpolation: Interpolation, fillMode: FillMode, fillValue: Float = 0) -> Tensor {
        let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        precondition(transforms.count == 6 * n, "ImageWarp.affine: \(transforms.count) transform numbers for \(n) images")
        let geometry = strata_warp_geometry(h: h, w: w, channels: c, oh: outputHeight, ow: outputWidth,
                                            interpolation: interpolation.rawValue, fill_mode: fillMode.rawValue,
                                            fill_value: fillValue)
        let y = Tensor(uninitializedShape: [n, outputHeight, outputWidth, c])
        // A sample point costs ~16 copied floats: split batches of small images across threads too.
        withExtendedLifetime(x) {
            parallelImages(n, workPerImage: 16 * outputHeight * outputWidth * c) { n0, n1 in
                withUnsafePointer(to: geometry) { g in
                    strata_affine_warp(g, x.storage.pointer, transforms, n0, n1, y.storage.pointer)
                }
            }
        }
        let inputShape = x.shape
        return y.recorded(from: x) { dy, _, _ in
            var dx = Tensor.zeros(inputShape)
            dx.withUnsafeMutableBufferPointer { out in
                let pointer = out.baseAddress!
                withExtendedLifetime(dy) {
                    parallelImages(n, workPerImage: 16 * outputHeight * outputWidth * c) { n0, n1 in
                        withUnsafePointer(to: geometry) { g in
                            strata_affine_warp_backward(g, dy.storage.pointer, transforms, n0, n1, pointer)
                        }
                    }
                }
            }
            return dx
        }
    }
}
