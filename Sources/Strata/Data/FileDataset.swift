import Foundation

/// Labeled images streamed from files on disk (a `Dataset`): the files are memory-mapped, never
/// read whole, and each batch's pixels are converted to floats (× `scale`, default 1/255) when
/// the batch is read. Each epoch draws its sample order from (seed, epoch) in `onEpochBegin`,
/// so any epoch — also one a resumed run continues in — has the same order in every run.
///
///     let train = try FileDataset.idx(images: "train-images-idx3-ubyte", labels: "train-labels-idx1-ubyte", batchSize: 128)
///     try model.fit(train, epochs: 10)
public final class FileDataset: Dataset {
    /// How one sample's pixels lie in its record.
    enum Layout {
        /// Row-major [height, width, channels], as the model reads them.
        case channelsLast
        /// Planes [channels, height, width] (CIFAR's binary files), transposed when read.
        case channelsFirst
    }

    /// A run of fixed-size records in one mapped file.
    struct Part {
        let file: MappedFile
        let count: Int
        /// Where the first sample's pixels and label are, and the bytes from one record to the next.
        let pixels: Int, pixelStride: Int
        let labels: Int, labelStride: Int
        let labelFile: MappedFile
    }

    /// Samples in the files.
    public let count: Int
    /// Samples per batch (the last batch may be smaller).
    public let batchSize: Int
    /// One sample's shape (`[rows, columns]` for an IDX file of `[n, rows, columns]`, `[32, 32, 3]` for CIFAR-10).
    public let sampleShape: [Int]
    /// Whether each epoch has its own random order.
    public let shuffle: Bool
    /// The seed of the orders.
    public let seed: UInt64
    /// The factor applied to each pixel byte.
    public let scale: Float
    /// Threads reading the next batch ahead (0: on the training thread; see `Dataset.workers`).
    public let workers: Int
    private let parts: [Part]
    private let layout: Layout
    private var order: [Int]

    init(parts: [Part], sampleShape: [Int], layout: Layout, batchSize: Int, shuffle: Bool, seed: UInt64?, scale: Float,
         workers: Int) throws {
        guard batchSize >= 1 else { throw StrataError.invalidArgument("batchSize is \(batchSize)", context: "FileDataset", expected: "≥ 1") }
        (self.parts, self.sampleShape, self.layout, self.batchSize, self.shuffle) = (parts, sampleShape, layout, batchSize, shuffle)
        (self.scale, self.workers) = (scale, Swift.max(0, workers))
        self.seed = seed ?? Random.nextSeed()
        count = parts.reduce(0) { $0 + $1.count }
        order = Array(0..<count)
    }

    public var batchCount: Int { (count + batchSize - 1) / batchSize }

    /// The epoch's order: a permutation drawn from (seed, epoch), or the files' order.
    public func onEpochBegin(_ epoch: Int) {
        guard shuffle else { return }
        var z = seed &+ UInt64(epoch + 1) &* 0x9E37_79B9_7F4A_7C15   // SplitMix64 of (seed, epoch)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        order = Random.permutation(count, seed: z ^ (z >> 31))
    }

    public func batch(_ index: Int) throws -> DatasetBatch {
        guard index >= 0, index < batchCount else {
            throw StrataError.invalidArgument("batch \(index)", context: "FileDataset", expected: "0..<\(batchCount)")
        }
        let rows = Array(order[(index * batchSize)..<Swift.min(count, (index + 1) * batchSize)])
        let size = sampleShape.reduce(1, *)
        var pixels = [Float](repeating: 0, count: rows.count * size)
        var labels = [Float](repeating: 0, count: rows.count)
        pixels.withUnsafeMutableBufferPointer { out in
            for (row, sample) in rows.enumerated() {
                let (part, local) = locate(sample)
                let source = part.file.bytes.baseAddress!.advanced(by: part.pixels + local * part.pixelStride)
                    .assumingMemoryBound(to: UInt8.self)
                let target = out.baseAddress! + row * size
                switch layout {
                case .channelsLast:
                    for i in 0..<size { target[i] = Float(source[i]) * scale }
                case .channelsFirst:
                    let (height, width, channels) = (sampleShape[0], sampleShape[1], sampleShape[2])
                    for c in 0..<channels {
                        for p in 0..<(height * width) { target[p * channels + c] = Float(source[c * height * width + p]) * scale }
                    }
                }
                labels[row] = Float(part.labelFile.bytes[part.labels + local * part.labelStride])
            }
        }
        return DatasetBatch(Tensor(shape: [rows.count] + sampleShape, scalars: pixels), Tensor(labels))
    }

    private func locate(_ sample: Int) -> (Part, Int) {
        var local = sample
        for part in parts {
            if local < part.count { return (part, local) }
            local -= part.count
        }
        preconditionFailure("FileDataset: sample \(sample) of \(count)")
    }

    /// Images and labels from a pair of uncompressed IDX files (the MNIST family's format):
    /// `[n, rows, columns]` (or `[n, rows, columns, channels]`) bytes and `[n]` labels; samples
    /// keep the file's shape (`[rows, columns]`), as `FashionMNIST.load` gives them.
    ///
    /// - Parameters:
    ///   - images: the images' file (gzip-compressed files cannot be mapped: decompress them first).
    ///   - labels: the labels' file.
    ///   - batchSize: samples per batch (default 32).
    ///   - shuffle: a new seeded order every epoch (default true).
    ///   - seed: the orders' seed (default: one from the global stream).
    ///   - scale: the factor applied to each byte (default 1/255).
    ///   - workers: 0 (default) reads each batch on the training thread; 1 reads the next while one trains.
    public static func idx(images: String, labels: String, batchSize: Int = 32, shuffle: Bool = true, seed: UInt64? = nil,
                           scale: Float = 1 / 255, workers: Int = 0) throws -> FileDataset {
        let imageFile = try MappedFile(images, expected: "an uncompressed IDX file of images")
        let labelFile = try MappedFile(labels, expected: "an uncompressed IDX file of labels")
        let imageDimensions = try idxHeader(imageFile), labelDimensions = try idxHeader(labelFile)
        guard (3...4).contains(imageDimensions.count), labelDimensions == [imageDimensions[0]] else {
            throw StrataError(kind: .invalidFile, message: "images of dimensions \(imageDimensions) do not match labels of dimensions \(labelDimensions)",
                              context: labels, expected: "[n, rows, columns] images and [n] labels")
        }
        let sampleShape = Array(imageDimensions.dropFirst())
        let part = Part(file: imageFile, count: imageDimensions[0], pixels: 4 + 4 * imageDimensions.count,
                        pixelStride: sampleShape.reduce(1, *), labels: 8, labelStride: 1, labelFile: labelFile)
        return try FileDataset(parts: [part], sampleShape: sampleShape, layout: .channelsLast, batchSize: batchSize, shuffle: shuffle,
                               seed: seed, scale: scale, workers: workers)
    }

    /// The dimensions of a mapped IDX file, its length checked against them.
    private static func idxHeader(_ file: MappedFile) throws -> [Int] {
        let bytes = file.bytes
        if bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B {
            throw StrataError(kind: .invalidFile, message: "the file is gzip-compressed and cannot be streamed", context: file.path,
                              expected: "an uncompressed IDX file (gunzip it first), or FashionMNIST.load / MNIST.load to read it into memory")
        }
        let (dimensions, _) = try IDX.header(Array(bytes.prefix(20)), fileLength: bytes.count, path: file.path)
        return dimensions
    }
}
