/// The messages of `onnx.proto` that an exported model uses, with their field numbers
/// (onnx/onnx, `onnx/onnx.proto`, IR version 8 and later): enough to write a model of standard
/// operators with float32 and int64 tensors. Written, never read: ONNX Runtime and the `onnx`
/// package check the result in the tests.
enum ONNXProto {
    /// `TensorProto.DataType`.
    enum DataType: Int {
        case float = 1, int64 = 7
    }

    /// `ModelProto`.
    struct Model: ProtobufMessage {
        var irVersion: Int
        var opsetVersion: Int
        var producerName: String
        var producerVersion: String
        var docString: String
        var graph: Graph
        var metadata: [(key: String, value: String)]

        func encode(to w: inout ProtobufWriter) {
            w.integer(1, irVersion)
            w.string(2, producerName)
            w.string(3, producerVersion)
            if !docString.isEmpty { w.string(6, docString) }
            w.message(7, graph)
            w.message(8, OperatorSet(version: opsetVersion))
            for entry in metadata { w.message(14, StringPair(key: entry.key, value: entry.value)) }
        }
    }

    /// `OperatorSetIdProto` of the default (`ai.onnx`) domain.
    struct OperatorSet: ProtobufMessage {
        var version: Int
        func encode(to w: inout ProtobufWriter) {
            w.string(1, "")
            w.integer(2, version)
        }
    }

    /// `StringStringEntryProto`.
    struct StringPair: ProtobufMessage {
        var key: String, value: String
        func encode(to w: inout ProtobufWriter) {
            w.string(1, key)
            w.string(2, value)
        }
    }

    /// `GraphProto`.
    struct Graph: ProtobufMessage {
        var name: String
        var nodes: [Node]
        var initializers: [TensorData]
        var inputs: [ValueInfo]
        var outputs: [ValueInfo]

        func encode(to w: inout ProtobufWriter) {
            for node in nodes { w.message(1, node) }
            w.string(2, name)
            for initializer in initializers { w.message(5, initializer) }
            for input in inputs { w.message(11, input) }
            for output in outputs { w.message(12, output) }
        }
    }

    /// `NodeProto`: one operator call.
    struct Node: ProtobufMessage {
        var opType: String
        var name: String
        var inputs: [String]
        var outputs: [String]
        var attributes: [ONNXAttribute]

        func encode(to w: inout ProtobufWriter) {
            for input in inputs { w.string(1, input) }
            for output in outputs { w.string(2, output) }
            w.string(3, name)
            w.string(4, opType)
            for attribute in attributes { w.message(5, attribute) }
        }
    }

    /// `TensorProto`: a named constant (an initializer), its values as little-endian raw data.
    struct TensorData: ProtobufMessage {
        var name: String
        var dims: [Int]
        var dataType: DataType
        var raw: [UInt8]

        init(name: String, dims: [Int], floats: [Float]) {
            var raw = [UInt8]()
            raw.reserveCapacity(floats.count * 4)
            for value in floats { withUnsafeBytes(of: value.bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
            (self.name, self.dims, self.dataType, self.raw) = (name, dims, .float, raw)
        }

        init(name: String, dims: [Int], int64s: [Int]) {
            var raw = [UInt8]()
            raw.reserveCapacity(int64s.count * 8)
            for value in int64s { withUnsafeBytes(of: Int64(value).littleEndian) { raw.append(contentsOf: $0) } }
            (self.name, self.dims, self.dataType, self.raw) = (name, dims, .int64, raw)
        }

        func encode(to w: inout ProtobufWriter) {
            if !dims.isEmpty { w.packedIntegers(1, dims) }
            w.integer(2, dataType.rawValue)
            w.string(8, name)
            w.data(9, raw)
        }
    }

    /// `ValueInfoProto` of a float tensor: a graph input or output of samples shaped `shape`,
    /// behind a symbolic batch axis named `batch`.
    struct ValueInfo: ProtobufMessage {
        /// A dimension: a fixed size or a named symbolic one.
        enum Dimension { case size(Int), symbol(String) }
        var name: String
        var shape: [Int]

        func encode(to w: inout ProtobufWriter) {
            w.string(1, name)
            w.message(2, TensorType(dimensions: [.symbol("batch")] + shape.map { .size($0) }))
        }
    }

    /// `TypeProto` holding a `TypeProto.Tensor` of float32 with a `TensorShapeProto`.
    private struct TensorType: ProtobufMessage {
        var dimensions: [ValueInfo.Dimension]
        func encode(to w: inout ProtobufWriter) {
            w.message(1, Tensor(dimensions: dimensions))
        }
        struct Tensor: ProtobufMessage {
            var dimensions: [ValueInfo.Dimension]
            func encode(to w: inout ProtobufWriter) {
                w.integer(1, DataType.float.rawValue)
                w.message(2, Shape(dimensions: dimensions))
            }
        }
        struct Shape: ProtobufMessage {
            var dimensions: [ValueInfo.Dimension]
            func encode(to w: inout ProtobufWriter) {
                for dimension in dimensions { w.message(1, Dimension(dimension: dimension)) }
            }
        }
        struct Dimension: ProtobufMessage {
            var dimension: ValueInfo.Dimension
            func encode(to w: inout ProtobufWriter) {
                switch dimension {
                case .size(let size): w.integer(1, size)
                case .symbol(let name): w.string(2, name)
                }
            }
        }
    }
}
