/// `values[i]` while `boundaries[i-1] < step ≤ boundaries[i]` (Keras `PiecewiseConstantDecay`):
/// `values[0]` up to and including `boundaries[0]`, the last value after the last boundary.
public struct PiecewiseConstantDecay: LearningRateSchedule {
    /// Step boundaries and the rate on each side of them.
    public let boundaries: [Int], values: [Float]

    /// Creates the schedule; `values` has one more entry than `boundaries`.
    public init(boundaries: [Int], values: [Float]) {
        precondition(values.count == boundaries.count + 1,
                     "PiecewiseConstantDecay: \(values.count) values for \(boundaries.count) boundaries; need one more value")
        (self.boundaries, self.values) = (boundaries, values)
    }

    public func callAsFunction(_ step: Int) -> Float {
        values[boundaries.firstIndex { step <= $0 } ?? boundaries.count]
    }

    public var config: ConfigValue {
        .object(["class_name": .string("PiecewiseConstantDecay"), "config": .object([
            "boundaries": .ints(boundaries), "values": .array(values.map { .float($0) })])])
    }
}
