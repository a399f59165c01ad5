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
}
