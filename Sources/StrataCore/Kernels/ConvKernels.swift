import CStrataKernels

/// The geometry of one 2-D convolution or pooling over NHWC images: input `h × w`, kernel (or
/// window) `kh × kw`, strides, dilations, the top/left padding and the output size.
package struct ConvGeometry: Equatable, Sendable {
    package var h, w, kh, kw, sh, sw, dh, dw, padTop, padLeft, oh, ow: Int

    package init(h: Int, w: Int, kh: Int, kw: Int, sh: Int, sw: Int, dh: Int = 1, dw: Int = 1,
                 padTop: Int, padLeft: Int, oh: Int, ow: Int) {
        (self.h, self.w, self.kh, self.kw, self.sh, self.sw, self.dh, self.dw) = (h, w, kh, kw, sh, sw, dh, dw)
        (self.padTop, self.padLeft, self.oh, self.ow) = (padTop, padLeft, oh, ow)
    }

    var c: strata_conv_geometry {
        strata_conv_geometry(h: h, w: w, kh: kh, kw: kw, sh: sh, sw: sw, dh: dh, dw: dw,
                             pad_top: padTop, pad_left: padLeft, oh: oh, ow: ow)
    }
}

/// The non-GEMM passes of convolution and pooling, on NHWC tensors, split across threads by
/// image (each image's outputs and input gradient belong to one thread).
package enum ConvKernels {
    /// The patches of `x` ([n, h, w, channels]) for channels `c0 ..< c0 + cg`:
    /// `[n·oh·ow, kh·kw·cg]`, columns ordered (ky, kx, c) as a `[kh, kw, cg, filters]` kernel.
    package static func im2col(_ x: Tensor, _ g: ConvGeometry, c0: Int, cg: Int) -> Tensor {
        let (n, channels) = (x.shape[0], x.shape[3])
        let width = g.kh * g.kw * cg
        let cols = Tensor(uninitializedShape: [n * g.oh * g.ow, width])
        var geometry = g.c
        withExtendedLifetime(x) {
            parallelImages(n, workPerImage: g.oh * g.ow * width) { n0, n1 in
                strata_im2col(&geometry, x.storage.pointer, channels, c0, cg, n0, n1, cols.storage.pointer)
            }
        }
        return cols
    }

    /// Writes channels `c0 ..< c0 + cg` of `dx` ([n, h, w, channels]; other channels untouched):
    /// each element the sum of the patch gradients `cols` (as `im2col` lays them out) that read
    /// it, zero where none does — so `dx` may start uninitialized.
    package static func col2im(_ cols: Tensor, _ g: ConvGeometry, c0: Int, cg: Int, into dx: inout Tensor) {
        let (n, channels) = (dx.shape[0], dx.shape[3])
        var geometry = g.c
        dx.withUnsafeMutableBufferPointer { out in
            let pointer = out.baseAddress!
            withExtendedLifetime(cols) {
                parallelImages(n, workPerImage: g.oh * g.ow * g.kh * g.kw * cg) { n0, n1 in
                    strata_col2im(&geometry, cols.storage.pointer, channels, c0, cg, n0, n1, pointer)
                }
            }
        }
    }

    /// Max pooling of `x` ([n, h, w, c]): the output and, per output, the index within its image
    /// of the maximum it took (the first in row-major window order), stored as `Int32` bits.
    package static func maxPool(_ x: Tensor, _ g: ConvGeometry) -> (output: Tensor, argmax: Tensor) {
        let (n, channels) = (x.shape[0], x.shape[3])
        let y = Tensor(uninitializedShape: [n, g.oh, g.ow, channels])
        let argmax = Tensor(uninitializedShape: y.shape)
        var geometry = g.c
        withExtendedLifetime(x) {
            argmax.storage.pointer.withMemoryRebound(to: Int32.self, capacity: argmax.count) { indices in
                parallelImages(n, workPerImage: g.oh * g.ow * g.kh * g.kw * channels) { n0, n1 in
                    strata_max_pool(&geometry, x.storage.pointer, channels, n0, n1, y.storage.pointer, indices)
                }
            }
        }
        return (y, argmax)
    }

    /// The input gradient of max pooling: each output gradient added to its maximum.
    package static func maxPoolBackward(_ dy: Tensor, argmax: Tensor, _ g: ConvGeometry, inputShape: [Int]) -> Tensor {
        let dx = Tensor(uninitializedShape: inputShape)   // every image written by its thread
        var geometry = g.c
        let (n, channels) = (inputShape[0], inputShape[3])
        withExtendedLifetime((dy, argmax)) {
            argmax.storage.pointer.withMemoryRebound(to: Int32.self, capacity: argmax.count) { indices in
                parallelImages(n, workPerImage: g.h * g.w * channels) { n0, n1 in
                    strata_max_pool_backward(&geometry, dy.storage.pointer, indices, channels, n0, n1, dx.storage.pointer)
                }
            }
        }
        return dx
    }

    /// Average pooling of `x` ([n, h, w, c]): each window's mean over its real (unpadded) elements.
    package static func averagePool(_ x: Tensor, _ g: ConvGeometry) -> Tensor {
        let (n, channels) = (x.shape[0], x.shape[3])
        let y = Tensor(uninitializedShape: [n, g.oh, g.ow, channels])
        var geometry = g.c
        withExtendedLifetime(x) {
            parallelImages(n, workPerImage: g.oh * g.ow * g.kh * g.kw * channels) { n0, n1 in
                strata_average_pool(&geometry, x.storage.pointer, channels, n0, n1, y.storage.pointer)
            }
        }
        return y
    }

    /// The input gradient of average pooling.
    package static func averagePoolBackward(_ dy: Tensor, _ g: ConvGeometry, inputShape: [Int]) -> Tensor {
        var dx = Tensor.zeros(inputShape)
        var geometry = g.c
        let (n, channels) = (inputShape[0], inputShape[3])
        dx.withUnsafeMutableBufferPointer { out in
            let pointer = out.baseAddress!
            withExtendedLifetime(dy) {
                parallelImages(n, workPerImage: g.oh * g.ow * g.kh * g.kw * channels) { n0, n1 in
                    strata_average_pool_backward(&geometry, dy.storage.pointer, channels, n0, n1, pointer)
                }
            }
        }
        return dx
    }
}
