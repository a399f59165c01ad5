import StrataCore

/// `activation(conv(x, kernel) + bias)` over NHWC images as one recorded operation, on the GEMM:
/// per group, the input's patches (`im2col`, `[n·oh·ow, kh·kw·cg]`) times the kernel's column
/// block (`[kh·kw·cg, filters/groups]`) accumulate onto the broadcast bias, written straight
/// into the NHWC output; the activation runs in place. Backward: `g' = g ⊙ activation'(y)`,
/// `dK = patchesᵀ·g'` (per group, into its column block), `db = Σ g'`, and
/// `dx = col2im(g'·Kᵀ)`. A 1×1 kernel with stride 1, no padding and one group reads the input
/// as its own patch matrix. Where `DirectConvolution` takes the shape (a group of ≤ 288 taps and
/// ≤ 64 filters; under the mixed-precision policy with the GEMM's rounded operands), the forward
/// pass is the direct kernel instead (no patch matrix; the input padded once), and so is the
/// weight gradient for ≤ 32 taps (a first layer's 3×3×1 or 5×5×3, with
/// ReLU's backward and the bias gradient fused in when no input gradient is needed); a larger
/// group's weight gradient builds its patches in the backward pass. The input gradient is always
/// `col2im(g'·Kᵀ)`.
enum ConvolutionOp {
    /// x: `[n, h, w, c]`; kernel: `[kh, kw, c/groups, filters]`; bias: `[filters]` or nil.
    static func apply(_ x: Tensor, kernel: Tensor, bias: Tensor?, geometry g: ConvGeometry, groups: Int,
                      activation: FusedDense.Activation) -> Tensor {
        let shape = Shape(x: x, kernel: kernel, geometry: g, groups: groups)
        precondition(kernel.shape == [g.kh, g.kw, shape.cg, shape.filters], "Conv: kernel \(kernel.shape) for input \(x.shape)")
        let xValue = x.detached, kernelValue = kernel.detached
        let directForward = !shape.pointwise && DirectConvolution.forwardApplies(taps: shape.width, filters: shape.fg)
        let directWeights = directForward && DirectConvolution.weightGradientApplies(rows: shape.rows, taps: shape.width, filters: shape.fg)
        let padded = directForward ? DirectConvolution.padded(xValue, g) : nil
        let patches = directForward ? nil : shape.patches(of: xValue)
        var output: Tensor
        if let padded {
            output = DirectConvolution.forward(padded.input, padded.geometry, kernel: kernelValue, bias: bias?.detached,
                                               groups: groups, relu: activation == .relu)
        } else {
            output = shape.gemmForward(patches!, kernel: kernelValue, bias: bias?.detached)
        }
        switch activation {
        case .linear: break
        case .relu: if !directForward { output.apply(inPlace: .relu) }
        case .tanh: output.apply(inPlace: .tanh)
        }
        let inputs = bias.map { [x, kernel, $0] } ?? [x, kernel]
        let (y, needInput, rows, filters) = (output.detached, x.isTracked, shape.rows, shape.filters)
        return output.recorded(from: inputs) { g2 in
            let flatG = g2.reshaped(to: [rows, filters]), flatY = y.reshaped(to: [rows, filters])
            if directWeights, let padded, !needInput, activation != .tanh {
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
            let kernelGradient = if directWeights, let padded {
                DirectConvolution.weightGradient(padded.input, padded.geometry, outputGradient: gz, groups: groups,
                                                 kernelShape: kernelValue.shape).kernel
            } else {
                shape.gemmWeightGradient(patches ?? shape.patches(of: xValue), outputGradient: gz)
            }
            let inputGradient = needInput ? shape.gemmInputGradient(outputGradient: gz, kernel: kernelValue) : nil
            return [inputGradient, kernelGradient] + (biasGradient.map { [$0] } ?? [])
        }
    }

    /// One convolution's sizes, and its im2col + GEMM passes.
    private struct Shape {
        let g: ConvGeometry, inputShape: [Int], groups: Int
        let channels, filters, cg, fg, rows, width: Int
        /// A 1×1 kernel with stride 1, no padding and one group: the input is its own patch matrix.
        let pointwise: Bool

        init(x: Tensor, kernel: Tensor, geometry g: ConvGeometry, groups: Int) {
            (self.g, inputShape, self.groups) = (g, x.shape, groups)
            (channels, filters) = (x.shape[3], kernel.shape[3])
            (cg, fg) = (channels / groups, filters / groups)
            (rows, width) = (x.shape[0] * g.oh * g.ow, g.kh * g.kw * cg)
            pointwise = g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.padTop == 0 && g.padLeft == 0 && groups == 1
        }

        /// Each group's patch matrix `[rows, width]`.
        func patches(of x: Tensor) -> [Tensor] {
            (0..<groups).map { group in pointwise ? x : ConvKernels.im2col(x, g, c0: group * cg, cg: cg) }
        }

        /// `patches·K + bias`, per group into its columns of the NHWC output.
        func gemmForward(_ patches: [Tensor], kernel: Tensor, bias: Tensor?) -> Tensor {
            var output = FusedDense.productOutput(shape: [inputShape[0], g.oh, g.ow, filters], bias: bias)
            output.withUnsafeMutableBufferPointer { out in
                let c = out.baseAddress!
                kernel.withUnsafeBufferPointer { k in
                    for (group, cols) in patches.enumerated() {
                        cols.withUnsafeBufferPointer { a in
                            Gemm.sgemm(transposeA: false, transposeB: false, m: rows, n: fg, k: width,
                                       a: a.baseAddress!, lda: width, b: k.baseAddress! + group * fg, ldb: filters,
                                       beta: bias == nil ? 0 : 1, c: c + group * fg, ldc: filters)
                        }
                    }
                }
            }
            return output
        }

        /// `dK = patchesᵀ·gz`, per group into its column block.
        func gemmWeightGradient(_ patches: [Tensor], outputGradient gz: Tensor) -> Tensor {
            var gradient = Tensor(uninitializedShape: [g.kh, g.kw, cg, filters])
            gz.withUnsafeBufferPointer { gzBuffer in
                gradient.withUnsafeMutableBufferPointer { dk in
                    for (group, cols) in patches.enumerated() {
                        cols.withUnsafeBufferPointer { a in
                            Gemm.sgemm(transposeA: true, transposeB: false, m: width, n: fg, k: rows,
                                       a: a.baseAddress!, lda: width, b: gzBuffer.baseAddress! + group * fg, ldb: filters,
                                       c: dk.baseAddress! + group * fg, ldc: filters)
                        }
                    }
                }
            }
            return gradient
        }

        /// `dx = col2im(gz·Kᵀ)`, per group into its channels.
        func gemmInputGradient(outputGradient gz: Tensor, kernel: Tensor) -> Tensor {
            var inputGradient = Tensor(uninitializedShape: inputShape)   // every group writes its channels
            gz.withUnsafeBufferPointer { gzBuffer in
                kernel.withUnsafeBufferPointer { k in
                    for group in 0..<groups {
                        var columns = pointwise ? inputGradient : Tensor(uninitializedShape: [rows, width])
                        columns.withUnsafeMutableBufferPointer { dcols in
                            Gemm.sgemm(transposeA: false, transposeB: true, m: rows, n: width, k: fg,
                                       a: gzBuffer.baseAddress! + group * fg, lda: filters, b: k.baseAddress! + group * fg,
                                       ldb: filters, c: dcols.baseAddress!, ldc: width)
                        }
                        if pointwise { inputGradient = columns } else { ConvKernels.col2im(columns, g, c0: group * cg, cg: cg, into: &inputGradient) }
                    }
                }
            }
            return inputGradient
        }
    }
}
