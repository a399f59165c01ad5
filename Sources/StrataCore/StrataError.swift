/// The error every user-facing Strata entry point throws: what was wrong, where, and what was
/// expected, in one sentence a user can act on.
///
///     throw StrataError.invalidArgument("batchSize must be positive", context: "fit", expected: "≥ 1")
public struct StrataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The kind of failure, for callers that branch on it.
    public enum Kind: String, Sendable {
        case invalidArgument, shapeMismatch, invalidFile, io, unsupported
    }

    /// The kind of failure.
    public let kind: Kind
    /// What was wrong.
    public let message: String
    /// Where: a layer name, an operation, a file and byte offset.
    public let context: String?
    /// What was expected instead, when that helps.
    public let expected: String?

    /// Creates an error; prefer the static constructors.
    public init(kind: Kind, message: String, context: String? = nil, expected: String? = nil) {
        self.kind = kind
        self.message = message
        self.context = context
        self.expected = expected
    }

    /// A parameter or option outside its valid range.
    public static func invalidArgument(_ message: String, context: String? = nil, expected: String? = nil) -> StrataError {
        StrataError(kind: .invalidArgument, message: message, context: context, expected: expected)
    }

    /// Tensors or layers whose shapes do not fit together.
    public static func shapeMismatch(_ message: String, context: String? = nil, expected: String? = nil) -> StrataError {
        StrataError(kind: .shapeMismatch, message: message, context: context, expected: expected)
    }

    /// The full sentence: "context: message (expected …)".
    public var description: String {
        var text = context.map { "\($0): \(message)" } ?? message
        if let expected { text += " (expected \(expected))" }
        return text
    }
}
