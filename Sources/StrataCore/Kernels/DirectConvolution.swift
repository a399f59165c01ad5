import CStrataKernels

/// The direct convolution for patches of few taps (`strata_conv_direct_*`): no patch matrix, the
/// filters as vector lanes, bias and ReLU in the output pass. It takes the shapes where im2col +
/// GEMM spends as much time on its passes over the patch matrix as on arithmetic, and where few
/// filters fill a fraction of the GEMM's register tile. It computes in float32; under the
/// bfloat16 policy a forward product the GEMM would round takes the same rounded operands (the
/// input and the kernel rounded to bfloat16, products exact, sums in float32 — the arithmetic
/// of the GEMM's bfloat16 path, summed in tap order), so the policy's rounding does not depend
/// on the path: on `vdpbf16ps` where the CPU has AVX-512 BF16 and the channel count is even
/// (channel pairs are its words), else the float32 kernel on rounded copies.
package enum DirectConvolution {
    /// Whether the direct forward pass takes a group of `taps` (kh·kw·cg) and `filters` outputs.
    /// Measured on the 2-core AMD EPYC (`strata bench conv`, GFLOP/s, direct vs im2col + GEMM):
    /// 3×3×1 → 32 filters 255 vs 142, 5×5×1 → 6 72 vs 48, 5×5×6 → 16 309 vs 126, 3×3×32 → 64
    /// 435 vs 267. Larger patches are not measured and stay on the GEMM. Under the bfloat16
    /// policy too (its rounded operands, see above): mnist_convnet's 3×3×32 → 64 forward pass,
    /// `strata bench conv --bfloat16` on a 2-core AMD EPYC with AVX-512 BF16 (L1d 48 KiB): 822
    /// GFLOP/s on `vdpbf16ps` vs 357 for im2col + the bfloat16 GEMM (`--path gemm`).
    package static func forwardApplies(taps: Int, filters: Int) -> Bool {
        enabled && taps <= Int(STRATA_CONV_DIRECT_MAX_TAPS) && filters <= Int(STRATA_CONV_DIRECT_MAX_FILTERS)
    }

    /// Whether the direct weight gradient takes a group of `taps` (with a direct forward pass):
    /// up to 32, where one or two passes over the output gradient hold every tap's accumulators
    /// (3×3×1 → 32: 29 vs 15 GFLOP/s). With more taps it re-reads the output gradient once per
    /// block of taps and loses to the GEMM (5×5×6 → 16: 140 vs 144; 3×3×32 → 64: 180 vs 224).
    package static func weightGradientApplies(rows: Int, taps: Int, filters: Int) -> Bool {
        enabled && taps <= maxWeightGradientTaps && !roundsOperands(m: taps, n: filters, k: rows)
    }

    /// Whether the GEMM would round this product's operands to bfloat16 in this task.
    private static func roundsOperands(m: Int, n: Int, k: Int) -> Bool {
        Gemm.precision == .bfloat16 && Gemm.bfloat16Pays(m: m, n: n, k: k)
    }

    static let maxWeightGradientTaps = 32

    /// Off: every convolution in this task takes im2col + GEMM (the tests compare the two paths).
    @TaskLocal package static var enabled = true

    /// The input padded so that every tap of every output lands inside it, and the geometry over
    /// that input (no padding); `x` itself when it needs none.
    package static func padded(_ x: Tensor, _ g: ConvGeometry) -> (input: Tensor, geometry: ConvGeometry) {
        let (n, channels) = (x.shape[0], x.shape[3])
        let rows = (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1, columns = (g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1
        var inner = g
        (inner.padTop, inner.padLeft) = (0, 0)
        guard g.padTop > 0 || g.padLeft > 0 || rows > g.h || columns > g.w else { return (x, inner) }
        (inner.h, inner.w) = (rows, columns)
        let xp = Tensor(uninitializedShape: [n, inner.h, inner.w, channels])
        withExtendedLifetime(x) {
            parallelImages(n, workPerImage: inner.h * inner.w * channels) { n0, n1 in
                strata_pad_images(x.storage.pointer, g.h, g.w, channels, g.padTop, g.padLeft, inner.h, inner.w, n0, n1,
                                  xp.storage.pointer)
            }
        }
        return (xp, inner)
    }

    /// `relu?(conv(xp, kernel) + bias)`: xp `[n, h, w, c]` padded as `padded` returns it, kernel
    /// `[kh, kw, c/groups, filters]`; the NHWC output `[n, oh, ow, filters]`.
    package static func forward(_ xp: Tensor, _ g: ConvGeometry, kernel: Tensor, bias: Tensor?, groups: Int, relu: Bool) -> Tensor {
        let (n, channels, filters) = (xp.shape[0], xp.shape[3], kernel.shape[3])
        let (cg, fg) = (channels / groups, filters / groups)
        let rows = n * g.oh * g.ow, taps = g.kh * g.kw * cg
        let output = Tensor(uninitializedShape: [n, g.oh, g.ow, filters])
        recordProducts(rows: rows, taps: taps, filters: fg, groups: groups, weightGradient: false)
        let rounds = roundsOperands(m: rows, n: fg, k: taps)
        if rounds, strata_bf16_kernel_active() != 0, channels % 2 == 0, cg % 2 == 0 {
            bfloat16Forward(xp, g, kernel: kernel, bias: bias, groups: groups, relu: relu, into: output)
            return output
        }
        let (xp, kernel) = rounds ? (xp.roundedToBFloat16, kernel.roundedToBFloat16) : (xp, kernel)
        var geometry = g.c
        for group in 0..<groups {
            let packed = pack(kernel, bias: bias, taps: taps, group: group, filters: fg)
            withExtendedLifetime((xp, packed)) {
                parallelChunks(count: rows, grain: max(1, (1 << 14) / (taps * fg))) { range in
                    strata_conv_direct_forward(&geometry, xp.storage.pointer, channels, group * cg, cg, packed.pointer, fg,
                                               bias == nil ? 0 : 1, relu ? 1 : 0, range.lowerBound, range.upperBound,
                                               output.storage.pointer + group * fg, filters)
                }
            }
        }
        return output
    }

    /// `forward` with bfloat16 operands on `vdpbf16ps` (`strata_conv_direct_forward_bf16`): the
    /// padded input converted once into bfloat16 pairs of adjacent channels, each group's kernel
    /// into pairs of taps per filter; the bias and the sums float32.
    private static func bfloat16Forward(_ xp: Tensor, _ g: ConvGeometry, kernel: Tensor, bias: Tensor?, groups: Int,
                                        relu: Bool, into output: Tensor) {
        let (channels, filters) = (xp.shape[3], kernel.shape[3])
        let (cg, fg) = (channels / groups, filters / groups)
        let pixels = xp.count / channels, rows = output.count / filters, taps = g.kh * g.kw * cg, pairs = taps / 2
        let width = strata_conv_direct_bf16_width(fg)
        let input = WordBuffer(count: pixels * channels / 2)
        withExtendedLifetime(xp) {
            parallelChunks(count: pixels, grain: max(16, (1 << 15) / channels)) { range in
                strata_bf16_pack_a(0, xp.storage.pointer, channels, range.lowerBound, range.upperBound, channels, input.words)
            }
        }
        var geometry = g.c
        for group in 0..<groups {
            let byFilter = WordBuffer(count: fg * pairs), packed = WordBuffer(count: pairs * width)
            withExtendedLifetime(kernel) {
                strata_bf16_pack_a(1, kernel.storage.pointer + group * fg, filters, 0, fg, taps, byFilter.words)
            }
            strata_conv_direct_pack_bf16(byFilter.words, pairs, fg, width, packed.words)
            withExtendedLifetime((input, packed, bias)) {
                parallelChunks(count: rows, grain: max(1, (1 << 14) / (taps * fg))) { range in
                    strata_conv_direct_forward_bf16(&geometry, input.words, channels, group * cg, cg, packed.words,
                                                    bias.map { UnsafePointer($0.storage.pointer + group * fg) },
                                                    fg, relu ? 1 : 0, range.lowerBound, range.upperBound,
                                                    output.storage.pointer + group * fg, filters)
                }
            }
        }
    }

    /// The kernel gradient `[kh, kw, c/groups, filters]` from the output gradient `gz`
    /// (`[n·oh·ow, filters]`): per group, Σ over output pixels of each tap's input times `gz` —
    /// or, given the ReLU'd output `reluOutput` (same shape), times `gz ⊙ (y > 0)`: ReLU's
    /// backward fused, no masked gradient written. With `biasGradient`, also Σ of that gradient
    /// over the pixels. The pixels are summed in a fixed number of chunks (set by the pixel count,
    /// not the threads) whose partial sums are added in order, so the result is the same for any
    /// thread count.
    package static func weightGradient(_ xp: Tensor, _ g: ConvGeometry, outputGradient gz: Tensor, reluOutput: Tensor? = nil,
                                       biasGradient: Bool = false, groups: Int, kernelShape: [Int],
                                       pool: ThreadPool = .shared) -> (kernel: Tensor, bias: Tensor?) {
        let (channels, filters) = (xp.shape[3], kernelShape[3])
        let (cg, fg) = (channels / groups, filters / groups)
        let rows = gz.count / filters, taps = g.kh * g.kw * cg
        let width = strata_conv_direct_width(fg)
        let chunks = RowChunks(rows: rows, minRows: minChunkRows, maxChunks: maxChunks)
        recordProducts(rows: rows, taps: taps, filters: fg, groups: groups, weightGradient: true)
        var gradient = Tensor(uninitializedShape: kernelShape)
        var bias = biasGradient ? Tensor(uninitializedShape: [filters]) : nil
        let partials = TensorStorage(uninitializedCount: chunks.count * (taps + 1) * width)
        var geometry = g.c
        let gzEnd = gz.storage.pointer + gz.count
        let chunkSum = { (row: Int, f: Int) -> Float in
            chunks.sum { Double(partials.pointer[($0 * (taps + 1) + row) * width + f]) }
        }
        gradient.withUnsafeMutableBufferPointer { out in
            for group in 0..<groups {
                withExtendedLifetime((xp, gz, reluOutput)) {
                    pool.run(parts: chunks.count) { chunk in
                        let range = chunks.range(chunk)
                        guard !range.isEmpty else { return }
                        let partial = partials.pointer + chunk * (taps + 1) * width
                        strata_conv_direct_weight_gradient(&geometry, xp.storage.pointer, channels, group * cg, cg,
                                                           gz.storage.pointer + group * fg,
                                                           reluOutput.map { UnsafePointer($0.storage.pointer + group * fg) },
                                                           filters, gzEnd, fg, range.lowerBound, range.upperBound, partial, partial + taps * width)
                    }
                }
                for t in 0..<taps { for f in 0..<fg { out[t * filters + group * fg + f] = chunkSum(t, f) } }
                bias?.withUnsafeMutableBufferPointer { db in
                    for f in 0..<fg { db[group * fg + f] = chunkSum(taps, f) }
                }
            }
        }
        withExtendedLifetime(partials) {}
        return (gradient, bias)
    }

    /// Partial sums of the weight gradient: at most 8, of at least 1,024 output pixels each.
    static let maxChunks = 8
    static let minChunkRows = 1024

    /// One group's kernel columns and bias packed as `strata_conv_direct_pack` lays them out.
    private static func pack(_ kernel: Tensor, bias: Tensor?, taps: Int, group: Int, filters fg: Int) -> TensorStorage {
        let width = strata_conv_direct_width(fg)
        let packed = TensorStorage(uninitializedCount: (taps + 1) * width)
        withExtendedLifetime((kernel, bias)) {
            strata_conv_direct_pack(kernel.storage.pointer + group * fg, taps, kernel.shape[3], fg,
                                    bias.map { UnsafePointer($0.storage.pointer + group * fg) }, width, packed.pointer)
        }
        return packed
    }

    /// The products im2col + GEMM would compute instead, for `strata bench train --floor`.
    private static func recordProducts(rows: Int, taps: Int, filters: Int, groups: Int, weightGradient: Bool) {
        for _ in 0..<groups {
            if weightGradient {
                Gemm.record(transposeA: true, transposeB: false, m: taps, n: filters, k: rows,
                            bfloat16: roundsOperands(m: taps, n: filters, k: rows))
            } else {
                Gemm.record(transposeA: false, transposeB: false, m: rows, n: filters, k: taps,
                            bfloat16: roundsOperands(m: rows, n: filters, k: taps))
            }
        }
    }
}

extension Tensor {
    /// Every element rounded to the nearest bfloat16 (kept as a float), as the GEMM's bfloat16
    /// path rounds its operands.
    var roundedToBFloat16: Tensor {
        let storage = withExtendedLifetime(self) { Gemm.rounded(self.storage.pointer, rows: 1, columns: count, leading: count) }
        return Tensor(shape: shape, storage: storage, node: nil)
    }
}
