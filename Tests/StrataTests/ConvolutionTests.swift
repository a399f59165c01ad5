import Foundation
import StrataTestSupport
import Testing
import StrataCore
@testable import Strata

/// A direct, naive NHWC convolution in double precision: the reference the GEMM path must match.
/// `padding` is the (top, left) padding; the kernel is `[kh, kw, c / groups, filters]`.
func referenceConvolution(_ x: Tensor, _ kernel: Tensor, bias: Tensor?, strides: [Int], dilation: [Int], padTop: Int, padLeft: Int,
                          outputSize: [Int], groups: Int) -> Tensor {
    let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (kh, kw, cg, filters) = (kernel.shape[0], kernel.shape[1], kernel.shape[2], kernel.shape[3])
    let fg = filters / groups
    let xs = x.scalars, ks = kernel.scalars, bs = bias?.scalars
    var out = [Float](repeating: 0, count: n * outputSize[0] * outputSize[1] * filters)
    for b in 0..<n { for oy in 0..<outputSize[0] { for ox in 0..<outputSize[1] { for f in 0..<filters {
        let group = f / fg
        var sum = Double(bs?[f] ?? 0)
        for ky in 0..<kh { for kx in 0..<kw { for ci in 0..<cg {
            let iy = oy * strides[0] - padTop + ky * dilation[0], ix = ox * strides[1] - padLeft + kx * dilation[1]
            guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
            let channel = group * cg + ci
            sum += Double(xs[((b * h + iy) * w + ix) * c + channel]) * Double(ks[((ky * kw + kx) * cg + ci) * filters + f])
        } } }
        out[((b * outputSize[0] + oy) * outputSize[1] + ox) * filters + f] = Float(sum)
    } } } }
    return Tensor(shape: [n, outputSize[0], outputSize[1], filters], scalars: out)
}

/// The gradients of `Σ conv(x, kernel) ⊙ g` (the naive loop's adjoint, in double precision):
/// the input's, the kernel's and the bias'.
func referenceConvolutionGradients(_ x: Tensor, _ kernel: Tensor, outputGradient g: Tensor, strides: [Int], dilation: [Int],
                                   padTop: Int, padLeft: Int, groups: Int) -> (Tensor, Tensor, Tensor) {
    let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (kh, kw, cg, filters) = (kernel.shape[0], kernel.shape[1], kernel.shape[2], kernel.shape[3])
    let (oh, ow, fg) = (g.shape[1], g.shape[2], filters / groups)
    let xs = x.scalars, ks = kernel.scalars, gs = g.scalars
    var dx = [Double](repeating: 0, count: xs.count), dk = [Double](repeating: 0, count: ks.count)
    var db = [Double](repeating: 0, count: filters)
    for b in 0..<n { for oy in 0..<oh { for ox in 0..<ow { for f in 0..<filters {
        let gradient = Double(gs[((b * oh + oy) * ow + ox) * filters + f])
        db[f] += gradient
        for ky in 0..<kh { for kx in 0..<kw { for ci in 0..<cg {
            let iy = oy * strides[0] - padTop + ky * dilation[0], ix = ox * strides[1] - padLeft + kx * dilation[1]
            guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
            let xi = ((b * h + iy) * w + ix) * c + (f / fg) * cg + ci, ki = ((ky * kw + kx) * cg + ci) * filters + f
            dx[xi] += Double(ks[ki]) * gradient
            dk[ki] += Double(xs[xi]) * gradient
        } } }
    } } } }
    func tensor(_ values: [Double], _ shape: [Int]) -> Tensor { Tensor(shape: shape, scalars: values.map { Float($0) }) }
    return (tensor(dx, x.shape), tensor(dk, kernel.shape), tensor(db, [filters]))
}

@Suite("Convolution and pooling: Keras 3's semantics")
struct ConvolutionTests {
    private func maxError(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
    }

    /// Both fast paths — im2col + GEMM per group, and the direct kernels for few taps — equal the
    /// naive loop, forward and backward, on awkward shapes: 1×1 kernels, a kernel the size of the
    /// input, stride larger than the kernel, one channel, batch 1, groups, dilation, same padding
    /// with an odd total, and filter counts at each edge of the direct kernels' vector widths
    /// (8, 9, 16, 17, 32, 33, 64, 65) and their tap limits (32 for the weight gradient, 288 for
    /// the forward pass).
    @Test(arguments: [
        // (input [n, h, w, c], filters, kernel, strides, dilation, padding, groups)
        ([2, 5, 5, 3], 4, [1, 1], [1, 1], [1, 1], Padding.valid, 1),
        ([1, 4, 4, 1], 2, [4, 4], [1, 1], [1, 1], .valid, 1),
        ([2, 7, 6, 2], 3, [2, 2], [3, 3], [1, 1], .valid, 1),
        ([3, 6, 5, 4], 6, [3, 3], [1, 1], [1, 1], .same, 2),
        ([2, 8, 7, 2], 2, [3, 2], [1, 1], [2, 3], .same, 1),
        ([2, 6, 6, 3], 3, [3, 3], [2, 2], [1, 1], .same, 3),
        ([1, 5, 9, 1], 1, [2, 4], [2, 3], [1, 1], .same, 1),
        ([2, 9, 8, 1], 8, [5, 5], [1, 1], [1, 1], .same, 1),
        ([1, 7, 7, 2], 9, [3, 3], [1, 2], [1, 1], .valid, 1),
        ([2, 6, 7, 1], 16, [3, 3], [1, 1], [1, 1], .same, 1),
        ([1, 8, 6, 2], 17, [2, 2], [2, 1], [1, 1], .same, 1),
        ([3, 6, 6, 1], 32, [3, 3], [1, 1], [1, 1], .valid, 1),
        ([1, 6, 6, 2], 33, [4, 4], [1, 1], [1, 1], .same, 1),
        ([1, 5, 5, 4], 64, [2, 2], [1, 1], [1, 1], .valid, 2),
        ([2, 7, 7, 2], 5, [4, 4], [1, 1], [1, 1], .same, 1),
        ([1, 9, 9, 3], 4, [3, 3], [1, 1], [2, 2], .same, 1),
        ([2, 6, 6, 4], 5, [3, 3], [1, 1], [1, 1], .same, 1),      // 36 taps: direct forward, GEMM weight gradient
        ([1, 5, 5, 32], 3, [3, 3], [2, 1], [1, 1], .same, 1),     // 288 taps: the direct forward's limit
        ([1, 4, 4, 33], 2, [3, 3], [1, 1], [1, 1], .valid, 1),    // 297 taps: GEMM
        ([1, 5, 5, 1], 65, [3, 3], [1, 1], [1, 1], .same, 1),     // 65 filters: GEMM
    ])
    func bothPathsMatchTheNaiveLoop(_ shape: [Int], _ filters: Int, _ kernelSize: [Int], _ strides: [Int], _ dilation: [Int],
                                    _ padding: Padding, _ groups: Int) throws {
        let layer = Conv2D(filters, kernelSize: kernelSize, strides: strides, padding: padding, dilationRate: dilation, groups: groups,
                           biasInitializer: .randomUniform(minval: -1, maxval: 1, seed: 2))
        let x = random(shape, seed: 11)
        _ = layer(x)
        let g = layer.geometry(for: Array(shape.dropFirst()))!
        let kernel = layer.kernel!.value, bias = layer.bias!.value
        let expected = referenceConvolution(x, kernel, bias: bias, strides: strides, dilation: dilation,
                                            padTop: g.padTop, padLeft: g.padLeft, outputSize: [g.oh, g.ow], groups: groups)
        let weights = random(expected.shape, seed: 12)
        let (dx, dk, db) = referenceConvolutionGradients(x, kernel, outputGradient: weights, strides: strides, dilation: dilation,
                                                         padTop: g.padTop, padLeft: g.padLeft, groups: groups)
        let taps = kernelSize[0] * kernelSize[1] * shape[3] / groups
        let label = "\(shape) f\(filters) k\(kernelSize) s\(strides) d\(dilation) \(padding) g\(groups)"
        for direct in [true, false] {
            try DirectConvolution.$enabled.withValue(direct) {
                let rows = expected.count / filters
                #expect(DirectConvolution.forwardApplies(taps: taps, filters: filters / groups)
                        == (direct && taps <= 288 && filters / groups <= 64))
                #expect(DirectConvolution.weightGradientApplies(rows: rows, taps: taps, filters: filters / groups) == (direct && taps <= 32))
                let y = layer(x)
                #expect(y.shape == expected.shape)
                #expect(maxError(y, expected) < 1e-5, "forward, direct \(direct): \(label)")
                let (_, gx) = valueWithGradients(at: [x]) { (layer($0[0]) * weights).sum() }
                let (_, gw) = valueWithGradients(of: layer.trainableVariables) { (layer(x) * weights).sum() }
                #expect(maxError(gx[0], dx) < 1e-4, "input gradient, direct \(direct): \(label)")
                #expect(maxError(gw[0], dk) < 1e-4, "kernel gradient, direct \(direct): \(label)")
                #expect(maxError(gw[1], db) < 1e-4, "bias gradient, direct \(direct): \(label)")
                _ = try #require(gw.count == 2 ? gw : nil)
            }
        }
    }

    /// The fused ReLU (in the output pass, its derivative in the bias-gradient pass) gives the
    /// gradients of a linear convolution followed by a separate ReLU. (Finite differences are
    /// unreliable at ReLU's kink; this compares the two analytic paths instead.)
    @Test func fusedReLUMatchesASeparateReLU() throws {
        let fused = Conv2D(3, kernelSize: [3, 3], strides: [2, 1], padding: .same, activation: .relu)
        let plain = Conv2D(3, kernelSize: [3, 3], strides: [2, 1], padding: .same)
        let x = random([2, 5, 6, 2], seed: 8)
        _ = fused(x); _ = plain(x)
        for (target, source) in zip(plain.variables, fused.variables) { target.value = source.value }
        let weights = random([2, 3, 6, 3], 0.5, 1.5, seed: 9)
        let (yFused, gFused) = valueWithGradients(at: [x]) { (fused($0[0], training: true) * weights).sum() }
        let (yPlain, gPlain) = valueWithGradients(at: [x]) { (relu(plain($0[0], training: true)) * weights).sum() }
        #expect(abs(yFused.scalar - yPlain.scalar) < 1e-4)
        #expect(maxError(gFused[0], gPlain[0]) < 1e-5)
        let (_, wFused) = valueWithGradients(of: fused.trainableVariables) { (fused(x, training: true) * weights).sum() }
        let (_, wPlain) = valueWithGradients(of: plain.trainableVariables) { (relu(plain(x, training: true)) * weights).sum() }
        for (a, b) in zip(wFused, wPlain) { #expect(maxError(a, b) < 1e-4) }
    }

    /// TensorFlow's "same": out = ⌈n/s⌉, total = max((out−1)·s + (k−1)·d + 1 − n, 0), total/2
    /// before — the odd pixel after (bottom, right).
    @Test func samePaddingPutsTheOddPixelAfter() {
        #expect(Padding.same.axis(length: 3, kernel: 2, stride: 1)! == (3, 0))   // total 1: all after
        #expect(Padding.same.axis(length: 5, kernel: 4, stride: 1)! == (5, 1))   // total 3: 1 before, 2 after
        #expect(Padding.same.axis(length: 4, kernel: 3, stride: 2)! == (2, 0))   // total 1
        #expect(Padding.same.axis(length: 5, kernel: 3, stride: 2)! == (3, 1))   // total 2
        #expect(Padding.same.axis(length: 7, kernel: 3, stride: 1, dilation: 2)! == (7, 2))
        #expect(Padding.valid.axis(length: 7, kernel: 3, stride: 2)! == (3, 0))
        #expect(Padding.valid.axis(length: 2, kernel: 3, stride: 1) == nil)
        #expect(Padding.causal.axis(length: 6, kernel: 3, stride: 1, dilation: 2)! == (6, 4))
        // A 2×2 box filter over a 3×3 image of 1…9, "same": the last row and column see the padding.
        let layer = Conv2D(1, kernelSize: [2, 2], padding: .same, useBias: false, kernelInitializer: .ones)
        let y = layer(Tensor(shape: [1, 3, 3, 1], scalars: (1...9).map(Float.init)))
        #expect(y.scalars == [12, 16, 9, 24, 28, 15, 15, 17, 9])
    }

    /// Kernel layout `[kh, kw, in / groups, filters]`, and groups as consecutive blocks: with
    /// 4 channels and 2 groups, filters 0–1 read channels 0–1 only, filters 2–3 channels 2–3.
    @Test func kernelLayoutAndGroups() throws {
        let layer = Conv2D(4, kernelSize: [1, 1], groups: 2, useBias: false)
        try layer.build(inputShape: [1, 1, 4])
        #expect(layer.kernel!.shape == [1, 1, 2, 4])
        // kernel[0, 0, ci, f] = 10·ci + f + 1
        let values: [Float] = (0..<8).map { (index: Int) -> Float in Float(10 * (index / 4) + index % 4 + 1) }
        layer.kernel!.value = Tensor(shape: [1, 1, 2, 4], scalars: values)
        let y = layer(Tensor(shape: [1, 1, 1, 4], scalars: [1, 2, 3, 4]))
        // filter f of group 0 (f = 0, 1): x0·k[0,f] + x1·k[1,f]; group 1 (f = 2, 3): x2·k[0,f] + x3·k[1,f].
        let expected: [Float] = [1 + 22, 2 + 24, 9 + 52, 12 + 56]
        #expect(y.scalars == expected)
        #expect(Conv2D(8, kernelSize: [3, 3]).outputShape(for: [10, 12, 3]) == [8, 10, 8])
    }

    /// Causal Conv1D: `(k−1)·d` zeros on the left, so y[t] = w₀·x[t − d] + w₁·x[t].
    @Test func causalConvolutionSeesNoFuture() throws {
        let layer = Conv1D(1, kernelSize: 2, padding: .causal, dilationRate: 2, useBias: false)
        try layer.build(inputShape: [6, 1])
        layer.kernel!.value = Tensor(shape: [2, 1, 1], scalars: [10, 1])
        let y = layer(Tensor(shape: [1, 6, 1], scalars: [1, 2, 3, 4, 5, 6]))
        #expect(y.shape == [1, 6, 1] && y.scalars == [1, 2, 13, 24, 35, 46])
        #expect(throws: StrataError.self) { try Conv2D(1, kernelSize: [2, 2], padding: .causal).build(inputShape: [4, 4, 1]) }
        #expect(throws: StrataError.self) { try Conv2D(1, kernelSize: [2, 2], strides: [2, 2], dilationRate: [2, 2]).build(inputShape: [8, 8, 1]) }
        #expect(throws: StrataError.self) { try Conv2D(3, kernelSize: [2, 2], groups: 2).build(inputShape: [4, 4, 2]) }
        #expect(throws: StrataError.self) { try Conv2D(2, kernelSize: [5, 5]).build(inputShape: [4, 4, 1]) }
    }

    /// Max pooling: a tie's gradient goes to the first maximum in row-major window order; "same"
    /// padding is −∞ (never the maximum); global max pooling splits a tie's gradient evenly.
    @Test func maxPoolingTiesAndPadding() {
        let pool = MaxPooling2D()
        let ties = Tensor(shape: [1, 2, 2, 1], scalars: [5, 5, 5, 5])
        let (_, gradients) = valueWithGradients(at: [ties]) { pool($0[0]).sum() }
        #expect(gradients[0].scalars == [1, 0, 0, 0])
        let negative = Tensor(shape: [1, 3, 3, 1], scalars: (1...9).map { -Float($0) })
        let same = MaxPooling2D(padding: .same)(negative)
        #expect(same.shape == [1, 2, 2, 1] && same.scalars == [-1, -3, -7, -9], "padding never wins: \(same.scalars)")
        let (_, globalGradients) = valueWithGradients(at: [ties]) { GlobalMaxPooling2D()($0[0]).sum() }
        #expect(globalGradients[0].scalars == [0.25, 0.25, 0.25, 0.25])
        #expect(MaxPooling2D(poolSize: [3, 3], strides: [2, 2]).outputShape(for: [7, 7, 4]) == [3, 3, 4])
        #expect(MaxPooling1D(poolSize: 2)(Tensor(shape: [1, 5, 1], scalars: [1, 3, 2, 2, 9])).scalars == [3, 2])
    }

    /// Max pooling and its input gradient against a naive loop and scatter: overlapping windows
    /// add into the same input (3×3, stride 2), inputs no window covers get exactly 0 (a 2×2
    /// stride-2 window over 5 columns), ties (values of 0…4) go to the first maximum, channel
    /// counts on both kernel paths (16 at a time in registers, or any count), and enough images
    /// that threads split them, written into a recycled buffer left full of NaN (each image's
    /// gradient is zeroed by the thread that scatters it).
    @Test(arguments: [([3, 3], [2, 2], 7, 3), ([2, 2], [2, 2], 5, 3), ([3, 3], [2, 2], 7, 32), ([2, 2], [2, 2], 5, 16)])
    func maxPoolingGradientIsTheScatter(poolSize: [Int], strides: [Int], side: Int, channels: Int) throws {
        let images = 2_100 / channels * 4
        let shape = [images, side, side, channels]
        let x = Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { Float(($0 * 7919 + $0 / 7) % 5) })
        let pool = MaxPooling2D(poolSize: poolSize, strides: strides)
        let y = pool(x)
        let upstream = Tensor.randomNormal(y.shape, seed: 81)
        do { _ = Tensor(repeating: .nan, shape: x.shape) }   // a dirty buffer of the same size, released
        let (_, gradients) = valueWithGradients(at: [x]) { (pool($0[0]) * upstream).sum() }
        // The reference: each output's gradient added to its window's first maximum.
        let (xs, gs) = (x.scalars, upstream.scalars)
        var expected = [Float](repeating: 0, count: x.count)
        let (oh, ow) = (y.shape[1], y.shape[2])
        for n in 0..<images {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    for c in 0..<channels {
                        var best = -Float.infinity, at = -1
                        for ky in 0..<poolSize[0] {
                            for kx in 0..<poolSize[1] {
                                let index = ((n * side + oy * strides[0] + ky) * side + ox * strides[1] + kx) * channels + c
                                if xs[index] > best { best = xs[index]; at = index }
                            }
                        }
                        expected[at] += gs[((n * oh + oy) * ow + ox) * channels + c]
                    }
                }
            }
        }
        #expect(gradients[0].scalars == expected)
        #expect(expected.contains(0) && gradients[0].scalars.allSatisfy(\.isFinite))
        let maxima = (0..<y.count).map { i -> Float in
            let c = i % channels, pixel = i / channels, (n, oy, ox) = (pixel / (oh * ow), pixel / ow % oh, pixel % ow)
            return (0..<poolSize[0]).flatMap { ky in (0..<poolSize[1]).map { kx in
                xs[((n * side + oy * strides[0] + ky) * side + ox * strides[1] + kx) * channels + c]
            } }.max()!
        }
        #expect(y.scalars == maxima)
    }

    /// Average pooling with "same" padding divides by the real elements in each window.
    @Test func averagePoolingCountsOnlyRealElements() {
        let ones = Tensor.ones([1, 3, 3, 2])
        let same = AveragePooling2D(padding: .same)(ones)
        #expect(same.shape == [1, 2, 2, 2] && same.scalars.allSatisfy { $0 == 1 }, "\(same.scalars)")
        let image = Tensor(shape: [1, 3, 3, 1], scalars: (1...9).map(Float.init))
        #expect(AveragePooling2D(padding: .same)(image).scalars == [3, 4.5, 7.5, 9])
        let (_, gradients) = valueWithGradients(at: [image]) { AveragePooling2D(padding: .same)($0[0]).sum() }
        #expect(gradients[0].scalars == [0.25, 0.25, 0.5, 0.25, 0.25, 0.5, 0.5, 0.5, 1])
        #expect(GlobalAveragePooling2D()(image).scalars == [5])
        #expect(GlobalAveragePooling1D(keepdims: true)(Tensor(shape: [1, 4, 1], scalars: [1, 2, 3, 6])).shape == [1, 1, 1])
    }

    /// Flatten after a convolution reads (h, w, c) — Keras' channels-last order; batch
    /// normalization on images normalizes per channel over batch, height and width.
    @Test func flattenOrderAndBatchNormOverImages() {
        let x = Tensor(shape: [1, 2, 2, 3], scalars: (0..<12).map(Float.init))
        #expect(Flatten()(x).scalars == (0..<12).map(Float.init))
        let images = random([8, 5, 5, 3], -3, 3, seed: 4) * Tensor([1, 10, 100])
        let normalized = BatchNormalization()(images, training: true)
        let means = normalized.mean(axes: [0, 1, 2]).scalars
        let variances = normalized.variance(axes: [0, 1, 2]).scalars
        #expect(means.allSatisfy { abs($0) < 1e-4 } && variances.allSatisfy { abs($0 - 1) < 0.01 }, "\(means) \(variances)")
    }

    /// DepthwiseConv2D: kernel `[kh, kw, c, m]`, output channel `c·m + j` from input channel c
    /// with filter j — checked against the direct loop with the equivalent grouped kernel.
    @Test func depthwiseChannelOrder() throws {
        let layer = DepthwiseConv2D(kernelSize: [2, 2], depthMultiplier: 3, useBias: false)
        let x = random([2, 4, 4, 2], seed: 3)
        let y = layer(x)
        #expect(layer.kernel!.shape == [2, 2, 2, 3] && y.shape == [2, 3, 3, 6])
        let k = layer.kernel!.value.scalars
        // Output channel c·3 + j at (0, 0) of image 0 = Σ taps x[ky, kx, c] · k[ky, kx, c, j].
        for c in 0..<2 { for j in 0..<3 {
            var sum: Float = 0
            for ky in 0..<2 { for kx in 0..<2 { sum += x.scalars[(ky * 4 + kx) * 2 + c] * k[((ky * 2 + kx) * 2 + c) * 3 + j] } }
            #expect(abs(y.scalars[c * 3 + j] - sum) < 1e-5, "channel \(c * 3 + j)")
        } }
        let separable = SeparableConv2D(5, kernelSize: [3, 3], depthMultiplier: 2)
        _ = separable(x)
        #expect(separable.depthwiseKernel!.shape == [3, 3, 2, 2] && separable.pointwiseKernel!.shape == [1, 1, 4, 5])
        #expect(separable.weights.map(\.name) == ["\(separable.name)/depthwise_kernel", "\(separable.name)/pointwise_kernel", "\(separable.name)/bias"])
    }

    /// Conv2DTranspose: the kernel is `[kh, kw, filters, in]`; it is the adjoint of Conv2D with
    /// the same kernel (⟨conv(u), v⟩ = ⟨u, convᵀ(v)⟩), its output sizes are Keras', and "same"
    /// crops the odd row and column at the bottom and right.
    @Test func transposedConvolutionIsTheAdjoint() throws {
        #expect(Conv2DTranspose.outputLength(4, kernel: 3, stride: 2, dilation: 1, padding: .valid, outputPadding: nil) == 9)
        #expect(Conv2DTranspose.outputLength(4, kernel: 1, stride: 3, dilation: 1, padding: .valid, outputPadding: nil) == 12)
        #expect(Conv2DTranspose.outputLength(4, kernel: 3, stride: 2, dilation: 1, padding: .same, outputPadding: nil) == 8)
        #expect(Conv2DTranspose.outputLength(4, kernel: 3, stride: 2, dilation: 1, padding: .same, outputPadding: 1) == 8)
        #expect(Conv2DTranspose.outputLength(4, kernel: 4, stride: 2, dilation: 1, padding: .valid, outputPadding: 1) == 11)
        for padding in [Padding.valid, .same] {
            let transposed = Conv2DTranspose(3, kernelSize: [3, 2], strides: [2, 2], padding: padding, useBias: false)
            let v = random([2, 3, 4, 2], seed: 5)
            let tv = transposed(v)
            let conv = Conv2D(2, kernelSize: [3, 2], strides: [2, 2], padding: padding, useBias: false)
            try conv.build(inputShape: Array(tv.shape.dropFirst()))
            // Conv2D's kernel [kh, kw, in = 3, out = 2] is the transposed layer's [kh, kw, filters = 3, in = 2].
            conv.kernel!.value = transposed.kernel!.value
            let u = random(tv.shape, seed: 6)
            let cu = conv(u)
            #expect(cu.shape == v.shape, "\(padding): \(cu.shape) vs \(v.shape)")
            let left = zip(cu.scalars, v.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let right = zip(u.scalars, tv.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            #expect(abs(left - right) < 1e-3 * max(1, abs(left)), "\(padding): \(left) vs \(right)")
        }
        // One pixel, a 2×2 kernel of 1…4, stride 1, "same": the full 2×2 scatter is cropped to its top-left pixel.
        let same = Conv2DTranspose(1, kernelSize: [2, 2], padding: .same, useBias: false)
        try same.build(inputShape: [1, 1, 1])
        same.kernel!.value = Tensor(shape: [2, 2, 1, 1], scalars: [1, 2, 3, 4])
        #expect(same(Tensor(shape: [1, 1, 1, 1], scalars: [1])).scalars == [1])
        let valid = Conv2DTranspose(1, kernelSize: [2, 2], useBias: false)
        try valid.build(inputShape: [1, 1, 1])
        valid.kernel!.value = same.kernel!.value
        #expect(valid(Tensor(shape: [1, 1, 1, 1], scalars: [1])).scalars == [1, 2, 3, 4])
    }

    /// ZeroPadding2D, Cropping2D and UpSampling2D move whole pixels.
    @Test func paddingCroppingUpsampling() throws {
        let x = Tensor(shape: [1, 2, 2, 1], scalars: [1, 2, 3, 4])
        #expect(ZeroPadding2D(padding: [[1, 0], [0, 1]])(x).scalars == [0, 0, 0, 1, 2, 0, 3, 4, 0])
        #expect(Cropping2D(cropping: [[1, 0], [0, 1]])(x).scalars == [3])
        #expect(UpSampling2D(size: [1, 2])(x).scalars == [1, 1, 2, 2, 3, 3, 4, 4])
        let (_, gradients) = valueWithGradients(at: [x]) { UpSampling2D()($0[0]).sum() }
        #expect(gradients[0].scalars == [4, 4, 4, 4])
        let padded = try Layer.from(config: .object(["class_name": .string("ZeroPadding2D"), "config": .object(["padding": .number(2)])]))
        #expect(padded.outputShape(for: [3, 3, 1]) == [7, 7, 1])
        #expect(throws: StrataError.self) { try Cropping2D(cropping: [[1, 1], [0, 0]]).build(inputShape: [2, 4, 1]) }
        // SpatialDropout2D drops whole channels: each channel of a sample is all kept or all zero.
        let dropped = SpatialDropout2D(0.5, seed: 1)(Tensor.ones([4, 3, 3, 8]), training: true).scalars
        for sample in 0..<4 { for channel in 0..<8 {
            let values = Set((0..<9).map { dropped[(sample * 9 + $0) * 8 + channel] })
            #expect(values == [0] || values == [2])
        } }
    }

    /// A small CNN learns a synthetic task — is the bright bar horizontal or vertical? — to 100 %,
    /// and the same seed trains the same weights bit for bit.
    @Test func smallCNNLearnsOrientation() throws {
        func data(seed: UInt64) -> (Tensor, Tensor) {
            var pixels = [Float](), labels = [Int]()
            let noise = random([64, 8, 8, 1], 0, 0.3, seed: seed).scalars
            for sample in 0..<64 {
                let vertical = sample % 2 == 1, line = (sample / 2) % 8
                for y in 0..<8 { for x in 0..<8 {
                    pixels.append(noise[(sample * 8 + y) * 8 + x] + (((vertical ? x : y) == line) ? 1 : 0))
                } }
                labels.append(vertical ? 1 : 0)
            }
            return (Tensor(shape: [64, 8, 8, 1], scalars: pixels), Tensor(labels: labels))
        }
        func train() throws -> (Double, [Float]) {
            try Random.withSeed(5) {
                let model = Sequential {
                    Conv2D(4, kernelSize: [3, 3], padding: .same, activation: .relu, inputShape: [8, 8, 1])
                    MaxPooling2D()
                    Conv2D(8, kernelSize: [3, 3], activation: .relu)
                    GlobalMaxPooling2D()
                    Dense(2, activation: .softmax)
                }
                model.compile(optimizer: Adam(learningRate: 0.01), loss: .sparseCategoricalCrossentropy, metrics: [.accuracy])
                let (x, y) = data(seed: 1)
                try model.fit(x, y, batchSize: 16, epochs: 30, verbose: .silent)
                let (xTest, yTest) = data(seed: 2)
                return (try model.evaluate(xTest, yTest)["accuracy"]!, model.weights.flatMap(\.value.scalars))
            }
        }
        let (accuracy, weights) = try train()
        #expect(accuracy == 1, "test accuracy \(accuracy)")
        #expect(try train().1 == weights, "bit-identical with the same seed")
    }
}
