import StrataCore

// The preprocessing layers at inference, in ONNX operators: rescaling, crops and resizes as
// `ImageResize` does them (TensorFlow's half-pixel `resize`); random augmentations are the
// identity there, except `RandomCrop`, which resizes as Keras' `smart_resize`.

extension ONNXGraph {
    /// The `height × width` window at (`top`, `left`) of images `x`, in their layout.
    func slice(_ x: Value, top: Int, left: Int, height: Int, width: Int) -> Value {
        let axes = [x.position(ofAxis: 1), x.position(ofAxis: 2)]
        let y = add("Slice", [x.name, integers([top, left], name: "starts"), integers([top + height, left + width], name: "ends"),
                              integers(axes, name: "axes")])
        return Value(name: y, shape: [height, width, x.shape[2]], layout: x.layout)
    }

    /// Images `x` resized to `height × width`: `Resize` of the channels-first images to sizes
    /// `[batch, channels, height, width]` with half-pixel coordinates — bilinear (`linear`, edge
    /// pixels repeated) or nearest (`round_prefer_ceil`: input pixel ⌊(o + ½)·in / out⌋).
    func resize(_ x: Value, height: Int, width: Int, interpolation: ImageInterpolation) -> Value {
        guard x.shape[0] != height || x.shape[1] != width else { return x }
        let images = value(x, in: .channelsFirst)
        let batchAndChannels = add("Slice", [add("Shape", [images]), integers([0], name: "zero"), integers([2], name: "two")])
        let sizes = add("Concat", [batchAndChannels, integers([height, width], name: "size")], [.init("axis", .int(0))])
        let mode: [ONNXAttribute] = interpolation == .bilinear
            ? [.init("mode", .string("linear"))]
            : [.init("mode", .string("nearest")), .init("nearest_mode", .string("round_prefer_ceil"))]
        let y = add("Resize", [images, "", "", sizes], mode + [.init("coordinate_transformation_mode", .string("half_pixel"))])
        return Value(name: y, shape: [height, width, x.shape[2]], layout: .channelsFirst)
    }

    /// Keras' `smart_resize`: the largest centred window of the target's aspect ratio, resized bilinearly.
    func smartResize(_ x: Value, height: Int, width: Int) -> Value {
        let window = ImageResize.aspectWindow(imageHeight: x.shape[0], imageWidth: x.shape[1], height: height, width: width)
        let cropped = window == .init(top: 0, left: 0, height: x.shape[0], width: x.shape[1]) ? x
            : slice(x, top: window.top, left: window.left, height: window.height, width: window.width)
        return resize(cropped, height: height, width: width, interpolation: .bilinear)
    }
}

extension Rescaling: ONNXExportable {
    /// `x·scale + offset`.
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        let x = inputs[0]
        let y = graph.add("Add", [graph.add("Mul", [x.name, graph.scalar(scale, name: "scale")]), graph.scalar(offset, name: "offset")])
        return [.init(name: y, shape: x.shape, layout: x.layout)]
    }
}

extension Resizing: ONNXExportable {
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        var x = inputs[0]
        if cropToAspectRatio {
            let window = ImageResize.aspectWindow(imageHeight: x.shape[0], imageWidth: x.shape[1], height: height, width: width)
            x = graph.slice(x, top: window.top, left: window.left, height: window.height, width: window.width)
        }
        return [graph.resize(x, height: height, width: width, interpolation: interpolation)]
    }
}

extension CenterCrop: ONNXExportable {
    /// The centred window; an image smaller than the target is smart-resized, as Keras does.
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        let x = inputs[0]
        guard x.shape[0] >= height, x.shape[1] >= width else { return [graph.smartResize(x, height: height, width: width)] }
        return [graph.slice(x, top: (x.shape[0] - height) / 2, left: (x.shape[1] - width) / 2, height: height, width: width)]
    }
}

extension RandomAugmentation: ONNXExportable {
    /// The inference-time output: the input, or for `RandomCrop` its smart resize.
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        guard let crop = self as? RandomCrop else { return inputs }
        return [graph.smartResize(inputs[0], height: crop.height, width: crop.width)]
    }
}
