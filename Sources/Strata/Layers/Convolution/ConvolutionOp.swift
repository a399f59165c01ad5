import StrataCore

/// `activation(conv(x, kernel) + bias)` over NHWC images as one recorded operation, on the GEMM:
/// per group, the input's patches (`im2col`, `[n·oh·ow, kh·kw·cg]`) times the kernel's column
/// block (`[kh·kw·cg, filters/groups]`) accumulate onto the broadcast bias, written straight
/// into the NHWC output; the activation runs in place. Backward: `g' = g ⊙ activation'(y)`,
/// `dK = patchesᵀ·g'` (per group, into its column block), `db = Σ g'`, and
/// `dx = col2im(g'·Kᵀ)`. A 1×1 kernel with stride 1, no padding and one group reads the input
/// as its own patch matrix. A group of few taps (`DirectConvolution.applies`: a first layer's
/// 3×3×1 or 5×5×3) takes the direct kernels instead — no patch matrix; the input is padded once
/// and kept for the weight gradient; the input gradient is the same `col2im(g'·Kᵀ)`.
enum ConvolutionOp {
    /// x: `[n, h, w, c]`; kernel: `[kh, kw, c/groups, filters]`; bias: `[filters]` or nil.
    static func apply(_ x: Tensor, kernel: Tensor, bias: Tensor?, geometry g: ConvGeometry, groups: Int,
                      activation: FusedDense.Activation) -> Tensor {
        let (n, channels, filters) = (x.shape[0], x.shape[3], kernel.shape[3])
        let (cg, fg) = (channels / groups, filters / groups)
        let rows = n * g.oh * g.ow, width = g.kh * g.kw * cg
        precondition(kernel.shape == [g.kh, g.kw, cg, filters], "Conv: kernel \(kernel.shape) for input \(x.shape)")
        let pointwise = g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.padTop == 0 && g.padLeft == 0 && groups == 1
        let direct = !pointwise && DirectConvolution.applies(taps: width, filters: fg)
        let padded = direct ? DirectConvolution.padded(x.detached, g) : nil
        let patches = direct ? [] : (0..<groups).map { group in
            pointwise ? x.detached : ConvKernels.im2col(x, g, c0: group * cg, cg: cg)
        }
        var output: Tensor
        if let padded {
            output = DirectConvolution.forward(padded.input, padded.geometry, kernel: kernel.detached, bias: bias?.detached,
                                               groups: groups, relu: activation == .relu)
        } else {
            output = Tensor(uninitializedShape: [n, g.oh, g.ow, filters])
        }
        if !direct { output.withUnsafeMutableBufferPointer { out in
            let c = out.baseAddress!
            if let bias {
                bias.withUnsafeBufferPointer { b in
                    for row in 0..<rows { (c + row * filters).update(from: b.baseAddress!, count: filters) }
                }
            }
            kernel.withUnsafeBufferPointer { k in
                for (group, cols) in patches.enumerated() {
                    cols.withUnsafeBufferPointer { a in
                        Gemm.sgemm(transposeA: false, transposeB: false, m: rows, n: fg, k: width,
                                   a: a.baseAddress!, lda: width, b: k.baseAddress! + group * fg, ldb: filters,
                                   beta: bias == nil ? 0 : 1, c: c + group * fg, ldc: filters)
                    }
                }
            }
        } }
        switch activation {
        case .linear: break
        case .relu: if !direct { output.apply(inPlace: .relu) }
        case .tanh: output.apply(inPlace: .tanh)
        }
        let inputs = bias.map { [x, kernel, $0] } ?? [x, kernel]
        let (kernelValue, y, inputShape, needInput) = (kernel.detached, output.detached, x.shape, x.isTracked)
        return output.recorded(from: inputs) { g2 in
            let flatG = g2.reshaped(to: [rows, filters]), flatY = y.reshaped(to: [rows, filters])
            if let padded, !needInput, activation != .tanh {
                // A first layer's direct convolution: ReLU's backward and the bias gradient fused
                // into the weight gradient's single pass over the output gradient.
                let (kernelGradient, biasGradient) = DirectConvolution.weightGradient(
                    padded.input, padded.geometry, outputGradient: flatG, reluOutput: activation == .relu ? flatY : nil,
                    biasGradient: bias != nil, groups: groups, kernelShape: kernelValue.shape)
                return [nil, kernelGradient] + (biasGradient.map { [$0] } ?? [])
            }
            let gz: Tensor, biasGradient: Tensor?
            if case .relu = activation {
                (gz, biasGradient) = DenseKernels.reluBackward(flatG, output: flatY, biasGradient: bias != nil)
            } else {
                gz = activation.gradient(flatG, output: flatY)
                biasGradient = bias == nil ? nil : gz.sum(axes: [0])
            }
            var kernelGradient = padded.map {
                DirectConvolution.weightGradient($0.input, $0.geometry, outputGradient: gz, groups: groups, kernelShape: kernelValue.shape).kernel
            } ?? Tensor(uninitializedShape: kernelValue.shape)
            var inputGradient = needInput ? (pointwise ? Tensor(uninitializedShape: inputShape) : Tensor.zeros(inputShape)) : nil
            gz.withUnsafeBufferPointer { gzBuffer in
                let gzPointer = gzBuffer.baseAddress!
                if !direct { kernelGradient.withUnsafeMutableBufferPointer { dk in
                    for (group, cols) in patches.enumerated() {
                        cols.withUnsafeBufferPointer { a in
                            Gemm.sgemm(transposeA: true, transposeB: false, m: width, n: fg, k: rows,
                                       a: a.baseAddress!, lda: width, b: gzPointer + group * fg, ldb: filters,
                                       c: dk.baseAddress! + group * fg, ldc: filters)
                        }
                    }
                } }
                guard inputGradient != nil else { return }
                kernelValue.withUnsafeBufferPointer { k in
                    for group in 0..<groups {
                        var columns = pointwise ? inputGradient! : Tensor(uninitializedShape: [rows, width])
                        columns.withUnsafeMutableBufferPointer { dcols in
                            Gemm.sgemm(transposeA: false, transposeB: true, m: rows, n: width, k: fg,
                                       a: gzPointer + group * fg, lda: filters, b: k.baseAddress! + group * fg, ldb: filters,
                                       c: dcols.baseAddress!, ldc: width)
                        }
                        if pointwise { inputGradient = columns } else { ConvKernels.col2im(columns, g, c0: group * cg, cg: cg, into: &inputGradient!) }
                    }
                }
            }
            var gradients: [Tensor?] = [inputGradient, kernelGradient]
            if let biasGradient { gradients.append(biasGradient) }
            return gradients
        }
    }
}
