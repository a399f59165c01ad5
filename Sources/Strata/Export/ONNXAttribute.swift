/// An attribute of an ONNX node (`AttributeProto`): a name and a value of one of the kinds
/// standard operators take.
///
///     ONNXAttribute("alpha", .float(0.2))
public struct ONNXAttribute: Sendable, ProtobufMessage {
    /// The attribute's value.
    public enum Value: Sendable {
        /// A float (`FLOAT`).
        case float(Float)
        /// An integer (`INT`).
        case int(Int)
        /// A UTF-8 string (`STRING`).
        case string(String)
        /// Floats (`FLOATS`).
        case floats([Float])
        /// Integers (`INTS`), e.g. `kernel_shape` or `perm`.
        case ints([Int])
    }
    /// The name the operator's specification gives it.
    public var name: String
    /// The value.
    public var value: Value

    /// An attribute `name` = `value`.
    public init(_ name: String, _ value: Value) { (self.name, self.value) = (name, value) }

    func encode(to w: inout ProtobufWriter) {
        w.string(1, name)
        switch value {   // AttributeType: FLOAT 1, INT 2, STRING 3, FLOATS 6, INTS 7
        case .float(let f): w.float(2, f); w.integer(20, 1)
        case .int(let i): w.integer(3, i); w.integer(20, 2)
        case .string(let s): w.string(4, s); w.integer(20, 3)
        case .floats(let fs): w.packedFloats(7, fs); w.integer(20, 6)
        case .ints(let values): w.packedIntegers(8, values); w.integer(20, 7)
        }
    }
}
