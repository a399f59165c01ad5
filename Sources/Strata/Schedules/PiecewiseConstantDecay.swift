/// `values[i]` while `boundaries[i-1] < step ≤ boundaries[i]` (Keras `PiecewiseConstantDecay`):
/// `values[0]` up to and including `boundaries[0]`, the last value after the last boundary.
public struct PiecewiseConstantDecay: ConfigurableSchedule {
    /// Step boundaries and the rate on each side of them.
    public let boundaries: [Int], values: [Float]

    /// Creates the schedule; `values` has one more entry than `boundaries`.
    public init(boundaries: [Int], values: [Float]) {
        precondition(values.count == boundaries.count + 1,
                     "PiecewiseConstantDecay: \(values.count) values for \(boundaries.count) boundaries; need one more value")
        (self.boundaries, self.values) = (boundaries, values)
    }

    /// Rebuilds the schedule from its configuration (`boundaries`, and one more `values`).
    public init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "schedule PiecewiseConstantDecay")
        guard case .array(let items) = r.value("values") else {
            throw StrataError.invalidArgument("'values' is not an array", context: r.owner)
        }
        let rates = try items.map { value -> Float in
            guard case .number(let number) = value else { throw StrataError.invalidArgument("'values' holds a non-number", context: r.owner) }
            return Float(number)
        }
        let boundaries = try r.ints("boundaries")
        guard rates.count == boundaries.count + 1 else {
            throw StrataError.invalidArgument("\(rates.count) values for \(boundaries.count) boundaries", context: r.owner,
                                              expected: "one more value than boundaries")
        }
        self.init(boundaries: boundaries, values: rates)
    }

    public func callAsFunction(_ step: Int) -> Float {
        values[boundaries.firstIndex { step <= $0 } ?? boundaries.count]
    }

    public var config: ConfigValue {
        .object(["class_name": .string("PiecewiseConstantDecay"), "config": .object([
            "boundaries": .ints(boundaries), "values": .array(values.map { .float($0) })])])
    }
}
