/// Reading the options layers share from their configs.
extension ConfigReader {
    /// An initializer option; `fallback` when absent or null.
    func initializer(_ key: String, default fallback: Initializer) throws -> Initializer {
        value(key) == .null ? fallback : try Initializer(config: value(key))
    }

    /// A regularizer option; nil when absent or null.
    func regularizer(_ key: String) throws -> Regularizer? {
        value(key) == .null ? nil : try Regularizer(config: value(key))
    }

    /// A per-axis option of a `rank`-dimensional layer, written as one integer or a list of
    /// `rank` (Keras' `kernel_size=3` or `(3, 3)`); `fallback` when absent.
    func tuple(_ key: String, rank: Int, default fallback: [Int]? = nil) throws -> [Int] {
        if value(key) == .null, let fallback { return fallback }
        if case .number = value(key) { return Array(repeating: try int(key), count: rank) }
        let values = try ints(key)
        guard values.count == rank else {
            throw StrataError.invalidArgument("'\(key)' has \(values.count) values", context: "\(owner) config",
                                              expected: "one integer or \(rank)")
        }
        return values
    }

    /// Refuses a `data_format` other than channels last (the only layout Strata's convolutions take).
    func checkChannelsLast() throws {
        let format = try string("data_format", default: "channels_last")
        guard format == "channels_last" else {
            throw StrataError.invalidArgument("data_format '\(format)' is not supported", context: "\(owner) config",
                                              expected: "channels_last (NHWC)")
        }
    }

    /// The `padding` option (default valid) among `allowed`, after checking `data_format`.
    func spatialPadding(allowed: [Padding] = Padding.allCases) throws -> Padding {
        try checkChannelsLast()
        let name = try string("padding", default: "valid")
        guard let padding = Padding(rawValue: name.lowercased()), allowed.contains(padding) else {
            throw StrataError.invalidArgument("padding '\(name)'", context: "\(owner) config",
                                              expected: allowed.map(\.rawValue).joined(separator: ", "))
        }
        return padding
    }

    /// A `((top, bottom), (left, right))` option, written as Keras allows: one integer, a pair
    /// (symmetric per axis), or a pair of pairs.
    func edgePairs(_ key: String, default fallback: [[Int]]) throws -> [[Int]] {
        switch value(key) {
        case .null: return fallback
        case .number: let v = try int(key); return [[v, v], [v, v]]
        case .array(let items) where items.count == 2:
            if items.allSatisfy({ if case .number = $0 { true } else { false } }) {
                let v = try ints(key)
                return [[v[0], v[0]], [v[1], v[1]]]
            }
            return try items.map { item in
                guard case .array(let pair) = item, pair.count == 2 else { throw fail(key, "((top, bottom), (left, right))") }
                return try pair.map { element -> Int in
                    guard case .number(let number) = element, let integer = Int(exactly: number) else {
                        throw fail(key, "((top, bottom), (left, right)) of integers")
                    }
                    return integer
                }
            }
        default: throw fail(key, "an integer, a pair or a pair of pairs")
        }
    }
}
