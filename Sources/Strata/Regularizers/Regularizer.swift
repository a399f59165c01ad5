/// A weight (or activity) penalty added to the training loss — Keras 3's formulas:
/// L1 `l1 · Σ|w|`, L2 `l2 · Σw²` (no ½), L1L2 both.
///
///     Dense(64, kernelInitializer: .heNormal, kernelRegularizer: .l2(0.01))
public struct Regularizer: Equatable, Sendable {
    /// The L1 factor.
    public let l1: Float
    /// The L2 factor.
    public let l2: Float

    /// L1: `factor · Σ|w|`. Keras' default factor is 0.01.
    public static func l1(_ factor: Float = 0.01) -> Regularizer { Regularizer(l1: factor, l2: 0) }
    /// L2: `factor · Σw²`. Keras' default factor is 0.01.
    public static func l2(_ factor: Float = 0.01) -> Regularizer { Regularizer(l1: 0, l2: factor) }
    /// Both: `l1 · Σ|w| + l2 · Σw²`. Keras' defaults are 0.0 and 0.0.
    public static func l1l2(l1: Float = 0, l2: Float = 0) -> Regularizer { Regularizer(l1: l1, l2: l2) }

    /// The penalty of `x` as a scalar tensor (differentiable).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var penalty = Tensor(0)
        if l1 != 0 { penalty = penalty + abs(x).sum() * l1 }
        if l2 != 0 { penalty = penalty + square(x).sum() * l2 }
        return penalty
    }

    /// `{"class_name": "L2", "config": {"l2": 0.01}}` — Keras' serialization.
    public var config: ConfigValue {
        let className = l1 != 0 && l2 != 0 || (l1 == 0 && l2 == 0) ? "L1L2" : (l1 != 0 ? "L1" : "L2")
        var options: [String: ConfigValue] = [:]
        if className != "L2" { options["l1"] = .float(l1) }
        if className != "L1" { options["l2"] = .float(l2) }
        return .object(["class_name": .string(className), "config": .object(options)])
    }

    /// Rebuilds a regularizer from its configuration.
    public init(config: ConfigValue) throws {
        let outer = try ConfigReader(config, owner: "regularizer")
        let reader = try ConfigReader(outer.value("config"), owner: "regularizer")
        switch try outer.string("class_name") {
        case "L1": self = .l1(try reader.float("l1", default: 0.01))
        case "L2": self = .l2(try reader.float("l2", default: 0.01))
        case "L1L2": self = .l1l2(l1: try reader.float("l1", default: 0), l2: try reader.float("l2", default: 0))
        case let other:
            throw StrataError.invalidArgument("unknown regularizer '\(other)'", context: "regularizer", expected: "L1, L2 or L1L2")
        }
    }

    init(l1: Float, l2: Float) {
        self.l1 = l1
        self.l2 = l2
    }
}
