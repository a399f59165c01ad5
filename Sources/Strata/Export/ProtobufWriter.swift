/// The protocol-buffer wire format, write side only — what the ONNX encoder needs (see
/// `ONNXProto`): varints, length-delimited fields (strings, bytes, nested messages, packed
/// integers) and little-endian 32-bit floats. Fields are written in the order they are added,
/// which every protobuf reader accepts. (<https://protobuf.dev/programming-guides/encoding/>)
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    private enum WireType: UInt64 {
        case varint = 0, lengthDelimited = 2, fixed32 = 5
    }

    private mutating func tag(_ field: Int, _ type: WireType) {
        varint(UInt64(field) << 3 | type.rawValue)
    }

    private mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// An `int32`/`int64`/enum field (negative values as ten-byte two's complement, as protobuf writes them).
    mutating func integer(_ field: Int, _ value: Int) {
        tag(field, .varint)
        varint(UInt64(bitPattern: Int64(value)))
    }

    /// A `float` field.
    mutating func float(_ field: Int, _ value: Float) {
        tag(field, .fixed32)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A `bytes` field.
    mutating func data(_ field: Int, _ value: [UInt8]) {
        tag(field, .lengthDelimited)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A `string` field (UTF-8).
    mutating func string(_ field: Int, _ value: String) { data(field, Array(value.utf8)) }

    /// A nested message field.
    mutating func message(_ field: Int, _ value: some ProtobufMessage) {
        var nested = ProtobufWriter()
        value.encode(to: &nested)
        data(field, nested.bytes)
    }

    /// A packed `repeated int64` field.
    mutating func packedIntegers(_ field: Int, _ values: [Int]) {
        var packed = ProtobufWriter()
        for value in values { packed.varint(UInt64(bitPattern: Int64(value))) }
        data(field, packed.bytes)
    }

    /// A packed `repeated float` field.
    mutating func packedFloats(_ field: Int, _ values: [Float]) {
        var packed = ProtobufWriter()
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { packed.bytes.append(contentsOf: $0) } }
        data(field, packed.bytes)
    }
}

/// A message that writes its fields with a `ProtobufWriter`.
protocol ProtobufMessage {
    func encode(to writer: inout ProtobufWriter)
}

extension ProtobufMessage {
    /// The message's bytes on the wire.
    var serialized: [UInt8] {
        var writer = ProtobufWriter()
        encode(to: &writer)
        return writer.bytes
    }
}
