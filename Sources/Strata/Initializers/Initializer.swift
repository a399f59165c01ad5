import Foundation

/// How a weight is filled when a layer is built — Keras 3's initializers, with its names,
/// defaults and fan computation.
///
///     Dense(64, activation: .selu, kernelInitializer: .lecunNormal)
///     Dense(64, kernelInitializer: .varianceScaling(scale: 2, mode: .fanIn, distribution: .uniform))
///
/// Fans (Keras `compute_fans`): rank 0 → 1, 1; rank 1 → n, n; rank 2 `[in, out]` → in, out;
/// higher ranks multiply both by the receptive field (the product of all but the last two axes).
/// Without a seed each call draws the next seed of the global stream (`Random.seed`).
public struct Initializer: Equatable, Sendable {
    /// Which fan `varianceScaling` divides by.
    public enum Mode: String, Sendable { case fanIn = "fan_in", fanOut = "fan_out", fanAvg = "fan_avg" }
    /// The distribution `varianceScaling` draws from.
    public enum Distribution: String, Sendable {
        /// Normal truncated at 2σ, rescaled so the result has the requested variance.
        case truncatedNormal = "truncated_normal"
        /// Plain normal.
        case untruncatedNormal = "untruncated_normal"
        /// Uniform in ±√(3·scale/fan).
        case uniform
    }

    enum Kind: Equatable, Sendable {
        case constant(Float)
        case randomUniform(minval: Float, maxval: Float)
        case randomNormal(mean: Float, stddev: Float)
        case truncatedNormal(mean: Float, stddev: Float)
        case varianceScaling(scale: Float, mode: Mode, distribution: Distribution, name: String)
        case orthogonal(gain: Float)
    }

    let kind: Kind
    /// The seed; nil draws from the global stream.
    public let seed: UInt64?

    init(_ kind: Kind, seed: UInt64? = nil) {
        self.kind = kind
        self.seed = seed
    }

    /// All zeros (Keras `zeros`, the default for biases).
    public static let zeros = Initializer(.constant(0))
    /// All ones.
    public static let ones = Initializer(.constant(1))
    /// Every element equal to `value`.
    public static func constant(_ value: Float) -> Initializer { Initializer(.constant(value)) }
    /// Uniform in `[minval, maxval)`; Keras defaults −0.05, 0.05.
    public static func randomUniform(minval: Float = -0.05, maxval: Float = 0.05, seed: UInt64? = nil) -> Initializer {
        Initializer(.randomUniform(minval: minval, maxval: maxval), seed: seed)
    }
    /// Normal; Keras defaults mean 0, stddev 0.05.
    public static func randomNormal(mean: Float = 0, stddev: Float = 0.05, seed: UInt64? = nil) -> Initializer {
        Initializer(.randomNormal(mean: mean, stddev: stddev), seed: seed)
    }
    /// Normal with values beyond 2σ drawn again; Keras defaults mean 0, stddev 0.05.
    public static func truncatedNormal(mean: Float = 0, stddev: Float = 0.05, seed: UInt64? = nil) -> Initializer {
        Initializer(.truncatedNormal(mean: mean, stddev: stddev), seed: seed)
    }
    /// Variance `scale / fan` (see `Mode`) from `distribution` — the family of all the fan-based
    /// initializers below.
    public static func varianceScaling(scale: Float = 1, mode: Mode = .fanIn,
                                       distribution: Distribution = .truncatedNormal, seed: UInt64? = nil) -> Initializer {
        Initializer(.varianceScaling(scale: scale, mode: mode, distribution: distribution, name: "variance_scaling"), seed: seed)
    }
    /// Glorot (Xavier) uniform: limit √(6 / (fan_in + fan_out)). Keras' default for kernels.
    public static var glorotUniform: Initializer { glorotUniform(seed: nil) }
    /// Glorot uniform with a seed.
    public static func glorotUniform(seed: UInt64?) -> Initializer { named("glorot_uniform", 1, .fanAvg, .uniform, seed) }
    /// Glorot normal: truncated normal with variance 2 / (fan_in + fan_out).
    public static var glorotNormal: Initializer { glorotNormal(seed: nil) }
    /// Glorot normal with a seed.
    public static func glorotNormal(seed: UInt64?) -> Initializer { named("glorot_normal", 1, .fanAvg, .truncatedNormal, seed) }
    /// He uniform: limit √(6 / fan_in) — for ReLU layers.
    public static var heUniform: Initializer { heUniform(seed: nil) }
    /// He uniform with a seed.
    public static func heUniform(seed: UInt64?) -> Initializer { named("he_uniform", 2, .fanIn, .uniform, seed) }
    /// He normal: truncated normal with variance 2 / fan_in — for ReLU layers.
    public static var heNormal: Initializer { heNormal(seed: nil) }
    /// He normal with a seed.
    public static func heNormal(seed: UInt64?) -> Initializer { named("he_normal", 2, .fanIn, .truncatedNormal, seed) }
    /// LeCun uniform: limit √(3 / fan_in).
    public static var lecunUniform: Initializer { lecunUniform(seed: nil) }
    /// LeCun uniform with a seed.
    public static func lecunUniform(seed: UInt64?) -> Initializer { named("lecun_uniform", 1, .fanIn, .uniform, seed) }
    /// LeCun normal: truncated normal with variance 1 / fan_in — what SELU's self-normalization needs.
    public static var lecunNormal: Initializer { lecunNormal(seed: nil) }
    /// LeCun normal with a seed.
    public static func lecunNormal(seed: UInt64?) -> Initializer { named("lecun_normal", 1, .fanIn, .truncatedNormal, seed) }
    /// A (semi-)orthogonal matrix times `gain`, from the QR decomposition of a normal matrix
    /// (rows = product of all axes but the last).
    public static func orthogonal(gain: Float = 1, seed: UInt64? = nil) -> Initializer {
        Initializer(.orthogonal(gain: gain), seed: seed)
    }

    private static func named(_ name: String, _ scale: Float, _ mode: Mode, _ distribution: Distribution,
                              _ seed: UInt64?) -> Initializer {
        Initializer(.varianceScaling(scale: scale, mode: mode, distribution: distribution, name: name), seed: seed)
    }

    /// Keras' (fan_in, fan_out) of a weight shape.
    public static func fans(of shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        switch shape.count {
        case 0: return (1, 1)
        case 1: return (shape[0], shape[0])
        case 2: return (shape[0], shape[1])
        default:
            let receptive = shape.dropLast(2).reduce(1, *)
            return (shape[shape.count - 2] * receptive, shape[shape.count - 1] * receptive)
        }
    }

    /// Throws when this initializer cannot fill `shape` (what `callAsFunction` would stop on):
    /// an orthogonal matrix needs rank ≥ 2; a uniform range needs minval ≤ maxval; standard
    /// deviations, scales and fans must be non-negative and finite.
    public func validate(shape: [Int]) throws {
        let problem: String? = switch kind {
        case .randomUniform(let low, let high) where !(low <= high): "minval \(low) is above maxval \(high)"
        case .randomNormal(_, let stddev) where !(stddev >= 0 && stddev.isFinite),
             .truncatedNormal(_, let stddev) where !(stddev >= 0 && stddev.isFinite): "stddev \(stddev) is not a finite number ≥ 0"
        case .varianceScaling(let scale, _, _, _) where !(scale >= 0 && scale.isFinite): "scale \(scale) is not a finite number ≥ 0"
        case .orthogonal where shape.count < 2: "an orthogonal initializer needs a weight of rank ≥ 2, got shape \(shape)"
        default: nil
        }
        if let problem { throw StrataError.invalidArgument(problem, context: "initializer \(config)") }
    }

    /// A new tensor of `shape` drawn from this initializer.
    public func callAsFunction(_ shape: [Int]) -> Tensor {
        switch kind {
        case .constant(let value):
            return Tensor.full(shape, value)
        case .randomUniform(let low, let high):
            return Tensor.randomUniform(shape, lower: low, upper: high, seed: seed)
        case .randomNormal(let mean, let stddev):
            return Tensor.randomNormal(shape, mean: mean, stddev: stddev, seed: seed)
        case .truncatedNormal(let mean, let stddev):
            return Tensor.truncatedNormal(shape, mean: mean, stddev: stddev, seed: seed)
        case .varianceScaling(let scale, let mode, let distribution, _):
            let (fanIn, fanOut) = Initializer.fans(of: shape)
            let fan: Float = switch mode {
            case .fanIn: Float(fanIn)
            case .fanOut: Float(fanOut)
            case .fanAvg: Float(fanIn + fanOut) / 2
            }
            let variance = scale / Swift.max(1, fan)
            switch distribution {
            case .truncatedNormal:
                // Keras: stddev / 0.87962566103423978, the std of a unit normal truncated at ±2.
                return Tensor.truncatedNormal(shape, stddev: variance.squareRoot() / 0.879_625_66, seed: seed)
            case .untruncatedNormal:
                return Tensor.randomNormal(shape, stddev: variance.squareRoot(), seed: seed)
            case .uniform:
                let limit = (3 * variance).squareRoot()
                return Tensor.randomUniform(shape, lower: -limit, upper: limit, seed: seed)
            }
        case .orthogonal(let gain):
            return Orthogonal.matrix(shape, gain: gain, seed: seed)
        }
    }

    /// The Keras-style configuration: `{"class_name": "GlorotUniform", "config": {"seed": null}}`.
    public var config: ConfigValue {
        let (className, options): (String, [String: ConfigValue]) = switch kind {
        case .constant(0): ("Zeros", [:])
        case .constant(1): ("Ones", [:])
        case .constant(let value): ("Constant", ["value": .float(value)])
        case .randomUniform(let low, let high): ("RandomUniform", ["minval": .float(low), "maxval": .float(high)])
        case .randomNormal(let mean, let stddev): ("RandomNormal", ["mean": .float(mean), "stddev": .float(stddev)])
        case .truncatedNormal(let mean, let stddev): ("TruncatedNormal", ["mean": .float(mean), "stddev": .float(stddev)])
        case .varianceScaling(let scale, let mode, let distribution, "variance_scaling"):
            ("VarianceScaling", ["scale": .float(scale), "mode": .string(mode.rawValue),
                                 "distribution": .string(distribution.rawValue)])
        case .varianceScaling(_, _, _, let name): (Initializer.className(of: name), [:])
        case .orthogonal(let gain): ("Orthogonal", ["gain": .float(gain)])
        }
        var all = options
        if case .constant = kind {} else { all["seed"] = seed.configValue }
        return .object(["class_name": .string(className), "config": .object(all)])
    }

    private static let namedClasses = ["glorot_uniform": "GlorotUniform", "glorot_normal": "GlorotNormal",
                                       "he_uniform": "HeUniform", "he_normal": "HeNormal",
                                       "lecun_uniform": "LecunUniform", "lecun_normal": "LecunNormal"]
    private static func className(of name: String) -> String { namedClasses[name] ?? name }

    /// Rebuilds an initializer from `config`, or from a Keras name such as `"he_normal"`.
    public init(config: ConfigValue) throws {
        if case .string(let name) = config {
            try self.init(config: .object(["class_name": .string(Initializer.namedClasses[name] ?? name), "config": .object([:])]))
            return
        }
        let outer = try ConfigReader(config, owner: "initializer")
        let className = try outer.string("class_name")
        let reader = try ConfigReader(outer.value("config") == .null ? .object([:]) : outer.value("config"),
                                      owner: "initializer \(className)")
        let seed = try reader.optionalSeed()
        switch className {
        case "Zeros": self = .zeros
        case "Ones": self = .ones
        case "Constant": self = .constant(try reader.float("value", default: 0))
        case "RandomUniform": self = .randomUniform(minval: try reader.float("minval", default: -0.05),
                                                    maxval: try reader.float("maxval", default: 0.05), seed: seed)
        case "RandomNormal": self = .randomNormal(mean: try reader.float("mean", default: 0),
                                                  stddev: try reader.float("stddev", default: 0.05), seed: seed)
        case "TruncatedNormal": self = .truncatedNormal(mean: try reader.float("mean", default: 0),
                                                        stddev: try reader.float("stddev", default: 0.05), seed: seed)
        case "VarianceScaling":
            guard let mode = Mode(rawValue: try reader.string("mode", default: "fan_in")),
                  let distribution = Distribution(rawValue: try reader.string("distribution", default: "truncated_normal"))
            else {
                throw StrataError.invalidArgument("unknown mode or distribution", context: "initializer VarianceScaling",
                                                  expected: "fan_in|fan_out|fan_avg and truncated_normal|untruncated_normal|uniform")
            }
            self = .varianceScaling(scale: try reader.float("scale", default: 1), mode: mode,
                                    distribution: distribution, seed: seed)
        case "GlorotUniform": self = .glorotUniform(seed: seed)
        case "GlorotNormal": self = .glorotNormal(seed: seed)
        case "HeUniform": self = .heUniform(seed: seed)
        case "HeNormal": self = .heNormal(seed: seed)
        case "LecunUniform": self = .lecunUniform(seed: seed)
        case "LecunNormal": self = .lecunNormal(seed: seed)
        case "Orthogonal": self = .orthogonal(gain: try reader.float("gain", default: 1), seed: seed)
        default:
            throw StrataError.invalidArgument("unknown initializer '\(className)'", context: "initializer",
                                              expected: "one of Zeros, Ones, Constant, RandomUniform, RandomNormal, TruncatedNormal, VarianceScaling, GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal, Orthogonal")
        }
    }
}

/// Orthogonal matrices by Householder QR (in double) of a normal matrix, as Keras does with
/// `qr` + sign correction of R's diagonal so the result is uniformly distributed.
enum Orthogonal {
    static func matrix(_ shape: [Int], gain: Float, seed: UInt64?) -> Tensor {
        precondition(shape.count >= 2, "orthogonal initializer: needs rank ≥ 2, got shape \(shape)")
        let columns = shape[shape.count - 1]
        let rows = shape.dropLast().reduce(1, *)
        // Work on the tall orientation: n × k with n ≥ k, then transpose back if needed.
        let n = Swift.max(rows, columns), k = Swift.min(rows, columns)
        let normal = Tensor.randomNormal([n, k], seed: seed).scalars.map(Double.init)
        var a = normal                       // n × k, row-major
        var q = [Double](repeating: 0, count: n * k)
        for i in 0..<k { q[i * k + i] = 1 }  // thin Q starts as the first k columns of I
        var reflectors: [[Double]] = []
        var diagonalSigns = [Double](repeating: 1, count: k)
        for j in 0..<k {
            var v = (j..<n).map { a[$0 * k + j] }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let alpha = v[0] > 0 ? -norm : norm
            diagonalSigns[j] = alpha < 0 ? -1 : 1     // sign of R[j][j]
            v[0] -= alpha
            let vNorm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if vNorm > 0 { v = v.map { $0 / vNorm } }
            reflectors.append(v)
            for c in j..<k {
                var dot = 0.0
                for r in j..<n { dot += v[r - j] * a[r * k + c] }
                for r in j..<n { a[r * k + c] -= 2 * v[r - j] * dot }
            }
        }
        // Q = H_0 H_1 … H_{k−1} applied to the first k columns of I (in reverse order).
        for j in stride(from: k - 1, through: 0, by: -1) {
            let v = reflectors[j]
            for c in 0..<k {
                var dot = 0.0
                for r in j..<n { dot += v[r - j] * q[r * k + c] }
                for r in j..<n { q[r * k + c] -= 2 * v[r - j] * dot }
            }
        }
        // Make R's diagonal positive: Q ← Q · diag(sign(diag R)).
        var result = [Float](repeating: 0, count: n * k)
        for r in 0..<n { for c in 0..<k { result[r * k + c] = Float(q[r * k + c] * diagonalSigns[c]) * gain } }
        var matrix = Tensor(shape: [n, k], scalars: result)
        if rows < columns { matrix = matrix.transposed() }
        return matrix.reshaped(to: shape)
    }
}
