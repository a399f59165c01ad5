/// The samples `fit`, `evaluate` and `predict` read: float tensors, or bytes (image pixels) that
/// stay bytes in memory and become floats one batch at a time — 60,000 Fashion-MNIST images
/// take 47 MB instead of 188 MB.
///
///     let images = Samples(bytes: data.train.images, sampleShape: [28, 28], scale: 1 / 255)
public struct Samples {
    enum Storage {
        case floats(Tensor)
        case bytes([UInt8], scale: Float)
    }

    let storage: Storage
    /// The shape of one sample.
    public let sampleShape: [Int]
    /// The number of samples.
    public let count: Int

    /// Samples from a tensor whose first axis is the sample axis.
    public init(_ tensor: Tensor) {
        precondition(tensor.rank >= 1, "Samples: a tensor of samples needs a sample axis, got shape \(tensor.shape)")
        storage = .floats(tensor)
        count = tensor.shape[0]
        sampleShape = Array(tensor.shape.dropFirst())
    }

    /// Samples stored as bytes, converted to `Float(byte) · scale` per batch.
    ///
    /// - Precondition: `bytes.count` is a multiple of the sample size.
    public init(bytes: [UInt8], sampleShape: [Int], scale: Float = 1) {
        let size = sampleShape.reduce(1, *)
        precondition(size > 0 && bytes.count % size == 0,
                     "Samples(bytes:): \(bytes.count) bytes are not a whole number of samples of shape \(sampleShape)")
        storage = .bytes(bytes, scale: scale)
        count = bytes.count / size
        self.sampleShape = sampleShape
    }

    /// `[count] + sampleShape`.
    public var shape: [Int] { [count] + sampleShape }

    /// The samples at `rows`, as floats.
    public func gather(_ rows: [Int]) -> Tensor {
        switch storage {
        case .floats(let tensor): return tensor.gathering(rows: rows)
        case .bytes(let bytes, let scale):
            for row in rows {
                precondition(row >= 0 && row < count, "Samples.gather: row \(row) out of range for \(count) samples")
            }
            return bytes.withUnsafeBufferPointer { source in
                Tensor(gatheringBytes: source, rows: rows, sampleShape: sampleShape, scale: scale)
            }
        }
    }

    /// Samples `range`, without converting bytes.
    public func slice(_ range: Range<Int>) -> Samples {
        switch storage {
        case .floats(let tensor): return Samples(tensor.slice(range))
        case .bytes(let bytes, let scale):
            let size = sampleShape.reduce(1, *)
            return Samples(bytes: Array(bytes[(range.lowerBound * size)..<(range.upperBound * size)]),
                           sampleShape: sampleShape, scale: scale)
        }
    }

    /// All samples as one float tensor.
    public var tensor: Tensor {
        switch storage {
        case .floats(let tensor): return tensor
        case .bytes: return gather(Array(0..<count))
        }
    }

    /// The float samples, for checks that need them (bytes are always finite).
    var floats: Tensor? {
        if case .floats(let tensor) = storage { return tensor }
        return nil
    }
}

/// Anything `fit`, `evaluate` and `predict` accept as inputs or targets: `Tensor`, `Samples`,
/// and for convenience `[Float]` (one value per sample), `[[Float]]` (one row per sample) and
/// `[Int]` (class labels).
public protocol SampleConvertible {
    /// The values as samples.
    var samples: Samples { get }
}

extension Samples: SampleConvertible {
    public var samples: Samples { self }
}

extension Tensor: SampleConvertible {
    public var samples: Samples { Samples(self) }
}

extension Array: SampleConvertible where Element: TensorElementConvertible {
    public var samples: Samples { Samples(Element.tensor(from: self)) }
}

/// Element types whose arrays convert to tensors.
public protocol TensorElementConvertible {
    /// The tensor of an array of these.
    static func tensor(from array: [Self]) -> Tensor
}

extension Float: TensorElementConvertible {
    public static func tensor(from array: [Float]) -> Tensor { Tensor(array) }
}

extension Int: TensorElementConvertible {
    public static func tensor(from array: [Int]) -> Tensor { Tensor(labels: array) }
}

extension Array: TensorElementConvertible where Element == Float {
    public static func tensor(from array: [[Float]]) -> Tensor { Tensor(rows: array) }
}
