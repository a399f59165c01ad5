import StrataCore

// Convolutions, pooling and the spatial layers in ONNX operators. They run channels first
// (ONNX's `Conv`, `ConvTranspose` and pooling take NCHW): the input is transposed once when it
// arrives channels last, and the result stays channels first for the next layer.

extension ConvGeometry {
    /// ONNX `pads` — the starts of every spatial axis, then the ends — for `rank` spatial axes
    /// (1: the width only). The end is what the last window needs beyond the input, so ONNX's
    /// `⌊(n + pads − span)/s⌋ + 1` gives Strata's output size.
    func onnxPads(rank: Int) -> [Int] {
        let bottom = Swift.max(0, (oh - 1) * sh + (kh - 1) * dh + 1 - h - padTop)
        let right = Swift.max(0, (ow - 1) * sw + (kw - 1) * dw + 1 - w - padLeft)
        return rank == 1 ? [padLeft, right] : [padTop, padLeft, bottom, right]
    }

    /// `kernel_shape`, `strides`, `dilations` and `pads` of a window over `rank` spatial axes.
    func onnxWindow(rank: Int, dilations: Bool = true) -> [ONNXAttribute] {
        let pick: ([Int]) -> [Int] = { rank == 1 ? [$0[1]] : $0 }
        return [.init("kernel_shape", .ints(pick([kh, kw]))), .init("strides", .ints(pick([sh, sw]))), .init("pads", .ints(onnxPads(rank: rank)))]
            + (dilations ? [.init("dilations", .ints(pick([dh, dw])))] : [])
    }
}

extension ONNXGraph {
    /// A `Conv` of `x` (channels first) with a kernel already in ONNX's `[filters, channels/group, k…]` order.
    func convolution(_ x: Value, kernel: Tensor, bias: Tensor?, geometry: ConvGeometry, rank: Int, groups: Int,
                     outputShape: [Int], kernelName: String = "kernel") -> Value {
        let inputs = [value(x, in: .channelsFirst), constant(kernel, name: kernelName)] + (bias.map { [constant($0, name: "bias")] } ?? [])
        let y = add("Conv", inputs, geometry.onnxWindow(rank: rank) + [.init("group", .int(groups))])
        return Value(name: y, shape: outputShape, layout: .channelsFirst)
    }
}

/// A Keras kernel `[k…, in, out]` in ONNX's `[out, in, k…]` order.
private func outputsFirst(_ kernel: Tensor) -> Tensor {
    let r = kernel.rank
    return kernel.detached.transposed(permutation: [r - 1, r - 2] + Array(0..<(r - 2)))
}

extension Convolution: ONNXExportable {
    /// `Conv` (with `group`, explicit TF-style `pads`; causal = all padding before), the activation.
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        let x = inputs[0]
        let y = graph.convolution(x, kernel: outputsFirst(kernel!.value), bias: bias?.value, geometry: geometry(for: x.shape)!,
                                  rank: rank, groups: groups, outputShape: outputShape(for: x.shape))
        return [graph.apply(activation, to: y)]
    }
}

/// A depthwise kernel `[kh, kw, C, M]` as ONNX's `[C·M, 1, kh, kw]`: output channel `c·M + m` from input channel `c`.
private func depthwiseONNXKernel(_ kernel: Tensor) -> Tensor {
    let (kh, kw, cm) = (kernel.shape[0], kernel.shape[1], kernel.shape[2] * kernel.shape[3])
    return kernel.detached.reshaped(to: [kh, kw, cm]).transposed(permutation: [2, 0, 1]).reshaped(to: [cm, 1, kh, kw])
}

extension DepthwiseConv2D: ONNXExportable {
    /// `Conv` with one group per input channel.
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        let x = inputs[0]
        let y = graph.convolution(x, kernel: depthwiseONNXKernel(kernel!.value), bias: bias?.value, geometry: geometry(for: x.shape)!,
                                  rank: 2, groups: x.shape[2], outputShape: outputShape(for: x.shape))
        return [graph.apply(activation, to: y)]
    }
}

extension SeparableConv2D: ONNXExportable {
    /// A depthwise `Conv` (one group per channel, no bias), then a 1×1 `Conv` with the bias, the activation.
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        let x = inputs[0], output = outputShape(for: x.shape)
        let g = geometry(for: x.shape)!
        let depthwise = graph.convolution(x, kernel: depthwiseONNXKernel(depthwiseKernel!.value), bias: nil, geometry: g, rank: 2,
                                          groups: x.shape[2], outputShape: [g.oh, g.ow, x.shape[2] * depthMultiplier],
                                          kernelName: "depthwise_kernel")
        let pointwise = ConvGeometry(h: g.oh, w: g.ow, kh: 1, kw: 1, sh: 1, sw: 1, padTop: 0, padLeft: 0, oh: g.oh, ow: g.ow)
        let y = graph.convolution(depthwise, kernel: outputsFirst(pointwiseKernel!.value), bias: bias?.value, geometry: pointwise,
                                  rank: 2, groups: 1, outputShape: output, kernelName: "pointwise_kernel")
        return [graph.apply(activation, to: y)]
    }
}

extension Conv2DTranspose: ONNXExportable {
    /// `ConvTranspose` with the `[kh, kw, filters, in]` kernel as `[in, filters, kh, kw]`; the
    /// full scatter `(n − 1)·s + (k − 1)·d + 1` cropped as Strata crops it — `pads` where it is
    /// larger than the output, `output_padding` (zeros plus bias at the end) where it is smaller.
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        let x = inputs[0]
        let g = geometry(for: x.shape)!
        var begins: [Int] = [], ends: [Int] = [], extra: [Int] = []
        for (n, out, k, s, d, before) in [(g.oh, g.h, g.kh, g.sh, g.dh, g.padTop), (g.ow, g.w, g.kw, g.sw, g.dw, g.padLeft)] {
            let cropEnd = (n - 1) * s + (k - 1) * d + 1 - out - before
            begins.append(before)
            ends.append(Swift.max(cropEnd, 0))
            extra.append(Swift.max(-cropEnd, 0))
        }
        let kernel = kernel!.value.detached.transposed(permutation: [3, 2, 0, 1])
        let arguments = [graph.value(x, in: .channelsFirst), graph.constant(kernel, name: "kernel")]
            + (bias.map { [graph.constant($0.value, name: "bias")] } ?? [])
        let y = graph.add("ConvTranspose", arguments,
                          [.init("kernel_shape", .ints(kernelSize)), .init("strides", .ints(strides)), .init("dilations", .ints(dilationRate)),
                           .init("pads", .ints(begins + ends)), .init("output_padding", .ints(extra))])
        return [graph.apply(activation, to: .init(name: y, shape: outputShape(for: x.shape), layout: .channelsFirst))]
    }
}

extension Pooling: ONNXExportable {
    /// `MaxPool` (padding is −∞) or `AveragePool` with `count_include_pad = 0` (a window at the
    /// edge of "same" padding averages its real elements only, as Keras does).
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        let x = inputs[0]
        let window = geometry(for: x.shape)!.onnxWindow(rank: rank, dilations: false)
        let y = reduction == .max ? graph.add("MaxPool", [graph.value(x, in: .channelsFirst)], window)
            : graph.add("AveragePool", [graph.value(x, in: .channelsFirst)], window + [.init("count_include_pad", .int(0))])
        return [.init(name: y, shape: outputShape(for: x.shape), layout: .channelsFirst)]
    }
}

extension GlobalPooling: ONNXExportable {
    /// `GlobalMaxPool` / `GlobalAveragePool` (NCHW → N×C×1×1, which is `keepdims`' result
    /// channels first), flattened to `[batch, channels]` without `keepdims`.
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        let x = inputs[0]
        let pooled = graph.add(reduction == .max ? "GlobalMaxPool" : "GlobalAveragePool", [graph.value(x, in: .channelsFirst)])
        let shape = outputShape(for: x.shape)
        guard !keepdims else { return [.init(name: pooled, shape: shape, layout: .channelsFirst)] }
        return [.init(name: graph.add("Flatten", [pooled], [.init("axis", .int(1))]), shape: shape)]
    }
}

extension ZeroPadding2D: ONNXExportable {
    /// `Pad` with zeros on height and width, in the input's layout.
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        let x = inputs[0]
        var pads = [Int](repeating: 0, count: 8)
        for (axis, pair) in zip([1, 2], padding) {
            let position = x.position(ofAxis: axis)
            (pads[position], pads[4 + position]) = (pair[0], pair[1])
        }
        let y = graph.add("Pad", [x.name, graph.integers(pads, name: "pads")], [.init("mode", .string("constant"))])
        return [.init(name: y, shape: outputShape(for: x.shape), layout: x.layout)]
    }
}

extension Cropping2D: ONNXExportable {
    /// `Slice` of height and width, in the input's layout.
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        let x = inputs[0]
        return [graph.slice(x, top: cropping[0][0], left: cropping[1][0], height: x.shape[0] - cropping[0][0] - cropping[0][1],
                            width: x.shape[1] - cropping[1][0] - cropping[1][1])]
    }
}

extension UpSampling2D: ONNXExportable {
    /// `Resize` (nearest, `asymmetric` coordinates, `floor`): output pixel o reads input ⌊o / size⌋.
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        let x = inputs[0]
        var scales: [Float] = [1, 1, 1, 1]
        (scales[x.position(ofAxis: 1)], scales[x.position(ofAxis: 2)]) = (Float(size[0]), Float(size[1]))
        let y = graph.add("Resize", [x.name, "", graph.constant(scales, shape: [4], name: "scales")],
                          [.init("mode", .string("nearest")), .init("coordinate_transformation_mode", .string("asymmetric")),
                           .init("nearest_mode", .string("floor"))])
        return [.init(name: y, shape: outputShape(for: x.shape), layout: x.layout)]
    }
}
