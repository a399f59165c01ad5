import StrataCore

/// Where the rows of the batch being trained on sit in the data: `fit` sets it around each step,
/// so that an augmentation layer draws each sample's transform from (its seed, the epoch, the
/// sample's index) — the same numbers whichever thread, replica or batch the sample lands in,
/// and again when a run resumes.
struct SamplePositions {
    /// The epoch (0-based).
    let epoch: Int
    /// Each row's key within the epoch: its index in the training data.
    let keys: [UInt64]

    @TaskLocal static var current: SamplePositions?
}

/// What every random augmentation layer shares (Keras' `BaseImagePreprocessingLayer` with a
/// `SeedGenerator`): active only with `training: true` (the identity at inference, unless the
/// layer says otherwise); one transform per sample, drawn from the counter-based Philox stream
/// keyed by (seed, epoch, sample index) inside `fit`, or by (seed, call, position in the batch)
/// when called directly. Without a `seed`, the layer takes one from the global stream
/// (`Random.seed`) when it is created — as Keras' layers do from `keras.utils.set_random_seed`.
public class RandomAugmentation: Layer {
    /// The seed given (nil: one drawn from the global stream when the layer was created).
    public let seed: UInt64?
    /// The seed the transforms are drawn with (the same on every replica of a data-parallel run:
    /// `fit` sets it to replica 0's).
    var streamSeed: UInt64
    /// Training calls outside `fit` so far (each draws new transforms; saved in backups).
    var calls: UInt64 = 0

    init(seed: UInt64?, inputShape: [Int]?, name: String?) {
        self.seed = seed
        streamSeed = seed ?? Random.nextSeed()
        super.init(name: name, inputShape: inputShape)
    }

    public override func build(for inputShape: [Int]) throws {
        guard inputShape.count == 3 else {
            throw StrataError.shapeMismatch("needs images [height, width, channels], got samples of shape \(inputShape)",
                                            context: "\(Self.typeName) '\(name)'")
        }
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        training ? augment(x, draws: draws(count: x.shape[0])) : inference(x)
    }

    /// Four numbers uniform in [0, 1) per sample of a batch of `count`.
    func draws(count: Int) -> [SIMD4<Float>] {
        let generator = Philox4x32(key: streamSeed)
        let stream: UInt64, keys: [UInt64]
        if let positions = SamplePositions.current, positions.keys.count == count {
            (stream, keys) = (UInt64(positions.epoch), positions.keys)
        } else {
            // Calls outside fit: their own streams, apart from every epoch's.
            (stream, keys) = (1 << 63 | calls, (0..<UInt64(count)).map { $0 })
            calls += 1
        }
        return keys.map { key in
            let (a, b, c, d) = generator.block(key, stream: stream)
            return SIMD4(Philox4x32.unitFloat(a), Philox4x32.unitFloat(b), Philox4x32.unitFloat(c), Philox4x32.unitFloat(d))
        }
    }

    /// The training-time output for a batch, with each sample's draws. Overridden.
    func augment(_ x: Tensor, draws: [SIMD4<Float>]) -> Tensor { x }

    /// The inference-time output (default: the input).
    func inference(_ x: Tensor) -> Tensor { x }

    public override var options: [String: ConfigValue] { ["seed": seed.configValue, "data_format": .string("channels_last")] }
}

extension RandomAugmentation: NoiseLayer {
    var noiseCalls: UInt64 {
        get { calls }
        set { calls = newValue }
    }
}

/// A random factor as Keras takes it: one number `f` (a range around zero, ±f for most layers)
/// or a `[lower, upper]` pair.
///
///     RandomRotation(0.1)            // ±10 % of a full turn
///     RandomRotation([-0.05, 0.2])
public struct RandomFactor: Sendable, Equatable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    /// The number, or the pair, as given.
    public let values: [Float]

    /// One number.
    public init(_ value: Float) { values = [value] }
    /// One number, written as a literal (`0.1`).
    public init(floatLiteral value: Float) { values = [value] }
    /// One number, written as an integer literal (`1`).
    public init(integerLiteral value: Int) { values = [Float(value)] }
    /// A `[lower, upper]` pair (sorted when used, as Keras does).
    public init(arrayLiteral elements: Float...) { values = elements }

    /// `(lower, upper)`: a pair sorted, one number `f` as (−|f|, |f|) (or `(f, f)` with
    /// `symmetric: false`); each end within `bounds` (an open lower end with `openBelow`).
    func range(within bounds: ClosedRange<Float>, openBelow: Bool = false, symmetric: Bool = true,
               key: String, context: String) throws -> (lower: Float, upper: Float) {
        let allowed = "\(openBelow ? "(" : "[")\(bounds.lowerBound), \(bounds.upperBound)]"
        guard values.count == 1 || values.count == 2,
              values.allSatisfy({ bounds.contains($0) && !(openBelow && $0 == bounds.lowerBound) }) else {
            throw StrataError.invalidArgument("\(key) \(values)", context: context,
                                              expected: "a number or a [lower, upper] pair, each in \(allowed)")
        }
        if values.count == 2 { return (Swift.min(values[0], values[1]), Swift.max(values[0], values[1])) }
        let f = Swift.abs(values[0])
        return symmetric ? (-f, f) : (f, f)
    }

    var configValue: ConfigValue { values.count == 1 ? .float(values[0]) : .array(values.map { .float($0) }) }
}

extension ConfigReader {
    /// A random factor (a number or a pair).
    func factor(_ key: String) throws -> RandomFactor {
        switch value(key) {
        case .number(let number): return RandomFactor(Float(number))
        case .array(let items):
            let numbers = try items.map { item -> Float in
                guard case .number(let number) = item else { throw fail(key, "a number or a [lower, upper] pair") }
                return Float(number)
            }
            return RandomFactor(values: numbers)
        default: throw fail(key, "a number or a [lower, upper] pair")
        }
    }

    func optionalFactor(_ key: String) throws -> RandomFactor? {
        if values[key] == nil || values[key] == .null { return nil }
        return try factor(key)
    }

    /// A `[min, max]` value range (Keras' `value_range`, default (0, 255)), sorted.
    func valueRange(default fallback: ClosedRange<Float> = 0...255) throws -> ClosedRange<Float> {
        guard let raw = values["value_range"], raw != .null else { return fallback }
        guard case .array(let items) = raw, items.count == 2, case .number(let a) = items[0], case .number(let b) = items[1] else {
            throw fail("value_range", "a [min, max] pair")
        }
        return Float(Swift.min(a, b))...Float(Swift.max(a, b))
    }
}

extension RandomFactor {
    init(values: [Float]) { self.values = values }
}
