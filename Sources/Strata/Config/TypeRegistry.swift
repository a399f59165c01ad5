import Synchronization

/// Configuration class names mapped to types, safe to extend from any thread: the mechanism
/// `LayerRegistry`, `OptimizerRegistry` and `ScheduleRegistry` share.
final class TypeRegistry<Kind: Sendable>: Sendable {
    private let types: Mutex<[String: Kind]>

    init(_ builtIns: [(String, Kind)]) {
        types = Mutex(Dictionary(builtIns) { first, _ in first })
    }

    /// Adds (or replaces) the type under `className`.
    func register(_ type: Kind, as className: String) { types.withLock { $0[className] = type } }

    /// The type registered under `className`.
    func type(named className: String) -> Kind? { types.withLock { $0[className] } }

    /// Every registered class name, sorted.
    var classNames: [String] { types.withLock { $0.keys.sorted() } }
}
