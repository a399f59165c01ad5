import Foundation

/// A JSON-like value: what a layer's, initializer's or regularizer's configuration is made of.
/// Keys use Keras' snake_case names (`units`, `negative_slope`) so configs read like Keras'.
public enum ConfigValue: Codable, Equatable, Sendable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([ConfigValue])
    case object([String: ConfigValue])

    /// Creates a number value from an integer.
    public static func int(_ value: Int) -> ConfigValue { .number(Double(value)) }
    /// Creates a number value from a float: the shortest decimal that reads back as the same
    /// `Float` (`0.9`, not `0.8999999761581421`), as Keras writes its Python floats.
    public static func float(_ value: Float) -> ConfigValue { .number(Double(value.description) ?? Double(value)) }
    /// An array of integers (a shape).
    public static func ints(_ values: [Int]) -> ConfigValue { .array(values.map { .int($0) }) }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([ConfigValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: ConfigValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Compact JSON with sorted keys.
    public var description: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? "?"
    }
}

/// Typed reads from a configuration object, throwing a `StrataError` that names the owner and
/// key when a value is missing or of the wrong type.
struct ConfigReader {
    let values: [String: ConfigValue]
    let owner: String

    init(_ value: ConfigValue, owner: String) throws {
        guard case .object(let values) = value else {
            throw StrataError.invalidArgument("configuration is not an object", context: owner)
        }
        self.values = values
        self.owner = owner
    }

    func fail(_ key: String, _ expected: String) -> StrataError {
        StrataError.invalidArgument("configuration key '\(key)' is \(values[key].map { "\($0)" } ?? "missing")",
                                    context: owner, expected: expected)
    }

    func double(_ key: String, default fallback: Double? = nil) throws -> Double {
        if case .number(let value)? = values[key] { return value }
        if values[key] == nil || values[key] == .null, let fallback { return fallback }
        throw fail(key, "a number")
    }

    func float(_ key: String, default fallback: Float? = nil) throws -> Float {
        Float(try double(key, default: fallback.map(Double.init)))
    }

    func int(_ key: String, default fallback: Int? = nil) throws -> Int {
        let value = try double(key, default: fallback.map(Double.init))
        guard let result = Int(exactly: value) else { throw fail(key, "an integer") }
        return result
    }

    func optionalInt(_ key: String) throws -> Int? {
        if values[key] == nil || values[key] == .null { return nil }
        return try int(key)
    }

    func optionalFloat(_ key: String) throws -> Float? {
        if values[key] == nil || values[key] == .null { return nil }
        return try float(key)
    }

    func bool(_ key: String, default fallback: Bool? = nil) throws -> Bool {
        if case .bool(let value)? = values[key] { return value }
        if values[key] == nil, let fallback { return fallback }
        throw fail(key, "true or false")
    }

    func string(_ key: String, default fallback: String? = nil) throws -> String {
        if case .string(let value)? = values[key] { return value }
        if values[key] == nil, let fallback { return fallback }
        throw fail(key, "a string")
    }

    func optionalString(_ key: String) throws -> String? {
        if values[key] == nil || values[key] == .null { return nil }
        return try string(key)
    }

    /// A layer's `name`: optional, as in Keras, where a layer without one is named after its
    /// class and a counter (`dense_2`).
    var layerName: String? { get throws { try optionalString("name") } }

    func ints(_ key: String) throws -> [Int] {
        guard case .array(let items)? = values[key] else { throw fail(key, "an array of integers") }
        return try items.map { item in
            guard case .number(let value) = item, let result = Int(exactly: value) else {
                throw fail(key, "an array of integers")
            }
            return result
        }
    }

    func optionalInts(_ key: String) throws -> [Int]? {
        if values[key] == nil || values[key] == .null { return nil }
        return try ints(key)
    }

    func value(_ key: String) -> ConfigValue { values[key] ?? .null }

    func optionalSeed(_ key: String = "seed") throws -> UInt64? {
        if values[key] == nil || values[key] == .null { return nil }
        let value = try double(key)
        guard value >= 0, let seed = UInt64(exactly: value) else { throw fail(key, "a non-negative integer seed") }
        return seed
    }
}

extension Optional where Wrapped == UInt64 {
    /// A seed as a config value (`null` when unseeded).
    var configValue: ConfigValue { map { .number(Double($0)) } ?? .null }
}

/// Literals for configs written in Swift: `["units": 64, "activation": "relu"]`.
extension ConfigValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: ConfigValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, ConfigValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}
