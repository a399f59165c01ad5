import Foundation
import StrataTestSupport
import Testing
@testable import Strata

/// `Dataset`s in `fit`, `evaluate` and `predict`: the same results as arrays, bit for bit; each
/// batch checked as arrays are; `FileDataset` streaming memory-mapped IDX files; CIFAR-10's
/// binary files read, refused when malformed, and downloaded from an archive checked by SHA-256.
@Suite("Datasets and CIFAR-10")
struct DatasetTests {
    /// Arrays served as batches in order (Keras' `PyDataset` over arrays).
    final class Batches: Dataset {
        let x: Tensor, y: Tensor, batchSize: Int, workers: Int
        var begun: [Int] = [], ended: [Int] = []
        init(_ x: Tensor, _ y: Tensor, batchSize: Int, workers: Int = 1) { (self.x, self.y, self.batchSize, self.workers) = (x, y, batchSize, workers) }
        var batchCount: Int { (x.shape[0] + batchSize - 1) / batchSize }
        func batch(_ index: Int) throws -> DatasetBatch {
            let rows = (index * batchSize)..<min(x.shape[0], (index + 1) * batchSize)
            return DatasetBatch(x.slice(rows), y.slice(rows))
        }
        func onEpochBegin(_ epoch: Int) { begun.append(epoch) }
        func onEpochEnd(_ epoch: Int) { ended.append(epoch) }
    }

    let x = random([50, 6, 6, 1], 0, 1, seed: 31)
    let y = Tensor(labels: (0..<50).map { ($0 * 5) % 3 })

    func makeModel() -> Sequential {
        Random.withSeed(12) {
            let model = Sequential {
                RandomFlip(.horizontal, inputShape: [6, 6, 1])
                Conv2D(3, kernelSize: [3, 3], activation: .relu)
                Flatten()
                Dropout(0.2)
                Dense(3, activation: .softmax)
            }
            model.compile(optimizer: Adam(learningRate: 0.01), loss: .sparseCategoricalCrossentropy, metrics: [.accuracy])
            return model
        }
    }

    @Test func aDatasetTrainsExactlyAsTheSameArrays() throws {
        let train = x.slice(0..<40), labels = y.slice(0..<40), valX = x.slice(40..<50), valY = y.slice(40..<50)
        let arrays = makeModel()
        let expected = try Random.withSeed(3) {
            try arrays.fit(train, labels, batchSize: 8, epochs: 3, verbose: .silent, validationData: (valX, valY), shuffle: false)
        }
        for workers in [0, 1] {
            let model = makeModel(), dataset = Batches(train, labels, batchSize: 8, workers: workers)
            let history = try Random.withSeed(3) {
                try model.fit(dataset, epochs: 3, verbose: .silent, validationData: Batches(valX, valY, batchSize: 8), shuffle: false)
            }
            #expect(model.getWeights() == arrays.getWeights(), "workers \(workers): weights bit for bit")
            #expect(history.history == expected.history, "workers \(workers)")
            #expect(dataset.begun == [0, 1, 2] && dataset.ended == [0, 1, 2])
        }
        let evaluated = try arrays.evaluate(Batches(valX, valY, batchSize: 4)), direct = try arrays.evaluate(valX, valY, batchSize: 4)
        #expect(evaluated == direct)
        let predicted = try arrays.predict(Batches(valX, valY, batchSize: 4)), predictedDirectly = try arrays.predict(valX, batchSize: 4)
        #expect(predicted.scalars == predictedDirectly.scalars)
    }

    @Test func shuffledBatchOrdersAreSeededAndEveryBatchIsChecked() throws {
        func order(seed: UInt64) throws -> [Int] {
            final class Recording: Dataset {
                var seen: [Int] = []
                let inner: Batches
                init(_ inner: Batches) { self.inner = inner }
                var batchCount: Int { inner.batchCount }
                var workers: Int { 0 }
                func batch(_ index: Int) throws -> DatasetBatch { seen.append(index); return try inner.batch(index) }
            }
            let dataset = Recording(Batches(x, y, batchSize: 10))
            try Random.withSeed(seed) { _ = try makeModel().fit(dataset, epochs: 2, verbose: .silent) }
            return Array(dataset.seen.dropFirst())   // batch 0 is read first to check the shapes
        }
        let a = try order(seed: 1), b = try order(seed: 1), c = try order(seed: 2)
        #expect(a == b && a != c)
        #expect(Set(a.prefix(5)) == Set(0..<5) && a.prefix(5) != a.suffix(5))

        var bad = x.scalars
        bad[25 * 36 + 4] = .nan   // sample 25: batch 2 of batches of 10
        let error = #expect(throws: StrataError.self) {
            try makeModel().fit(Batches(Tensor(shape: x.shape, scalars: bad), y, batchSize: 10), epochs: 1, verbose: .silent, shuffle: false)
        }
        #expect(error?.description.contains("batch 2 of the dataset") == true && error?.description.contains("nan") == true,
                "\(String(describing: error))")
        let wrongShape = #expect(throws: StrataError.self) {
            try makeModel().fit(Batches(random([20, 5, 6, 1], seed: 2), y.slice(0..<20), batchSize: 10), epochs: 1, verbose: .silent)
        }
        #expect(wrongShape != nil)
    }

    /// A dataset run interrupted inside an epoch resumes at the next batch of the same shuffled
    /// batch order, bit-identical.
    @Test func aDatasetRunResumesInTheMiddleOfAnEpoch() throws {
        let folder = try Self.folder("dataset-resume")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func run(_ backupFolder: String, stopAt step: Int?) throws -> [Tensor]? {
            let model = makeModel()
            do {
                try Random.withSeed(4) {
                    _ = try model.fit(Batches(x, y, batchSize: 7), epochs: 3, verbose: .silent,
                                      callbacks: [BackupAndRestore(backupFolder, saveFrequency: .steps(2))]
                                        + (step.map { [MidEpochResumeTests.Interruption(at: $0)] } ?? []))
                }
                return model.getWeights()
            } catch is MidEpochResumeTests.Interruption.Stopped { return nil }
        }
        let reference = try run(folder + "/reference", stopAt: nil)
        #expect(try run(folder + "/cut", stopAt: 10) == nil)   // 8 batches an epoch: inside the second
        #expect(try run(folder + "/cut", stopAt: nil) == reference)
    }

    /// Writes an uncompressed IDX file.
    static func writeIDX(_ bytes: [UInt8], dimensions: [Int], to path: String) throws {
        var header: [UInt8] = [0, 0, 8, UInt8(dimensions.count)]
        for d in dimensions { header += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
        try Data(header + bytes).write(to: URL(fileURLWithPath: path))
    }

    static func folder(_ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("strata-\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func aFileDatasetStreamsIDXFilesInSeededEpochOrders() throws {
        let folder = try Self.folder("idx")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pixels = (0..<(23 * 4 * 5)).map { UInt8(($0 * 37) % 256) }, labels = (0..<23).map { UInt8($0 % 4) }
        try Self.writeIDX(pixels, dimensions: [23, 4, 5], to: folder + "/images")
        try Self.writeIDX(labels, dimensions: [23], to: folder + "/labels")
        let inOrder = try FileDataset.idx(images: folder + "/images", labels: folder + "/labels", batchSize: 10, shuffle: false)
        #expect(inOrder.count == 23 && inOrder.batchCount == 3 && inOrder.sampleShape == [4, 5])
        let all = try (0..<3).map { try inOrder.batch($0) }
        let streamed = all.flatMap { $0.x.samples[0].tensor.scalars }
        #expect(streamed == pixels.map { Float($0) * (1 / 255) })
        #expect(all.flatMap { $0.y!.samples[0].tensor.scalars } == labels.map(Float.init))

        let shuffled = try FileDataset.idx(images: folder + "/images", labels: folder + "/labels", batchSize: 23, seed: 9)
        func epoch(_ e: Int) throws -> [Float] { shuffled.onEpochBegin(e); return try shuffled.batch(0).y!.samples[0].tensor.scalars }
        let first = try epoch(0)
        #expect(first != labels.map(Float.init) && first.sorted() == labels.map(Float.init).sorted())
        let second = try epoch(1), firstAgain = try epoch(0)
        #expect(second != first && firstAgain == first, "each epoch its own order, the same whenever asked")

        // Gzip cannot be mapped; a truncated file and a missing one are named.
        try Data([0x1F, 0x8B, 8, 0, 0, 0]).write(to: URL(fileURLWithPath: folder + "/zipped"))
        #expect { try FileDataset.idx(images: folder + "/zipped", labels: folder + "/labels") } throws: { "\($0)".contains("gunzip") }
        try Self.writeIDX(Array(pixels.dropLast(3)), dimensions: [23, 4, 5], to: folder + "/short")
        #expect { try FileDataset.idx(images: folder + "/short", labels: folder + "/labels") } throws: { "\($0)".contains("need 460 data bytes") }
        #expect { try FileDataset.idx(images: folder + "/none", labels: folder + "/labels") } throws: { "\($0)".contains("no such file") }
    }

    /// Synthetic CIFAR-10 binary records: label r % 10, pixel (channel c, position p) = (r + 3c + p) % 256.
    static func cifarRecords(_ count: Int, first: Int = 0) -> [UInt8] {
        var bytes: [UInt8] = []
        for r in first..<(first + count) {
            bytes.append(UInt8(r % 10))
            for i in 0..<3072 { bytes.append(UInt8((r + 3 * (i / 1024) + i % 1024) % 256)) }
        }
        return bytes
    }

    static func writeCIFAR(into folder: String) throws {
        for (index, name) in (CIFAR10.trainFiles + [CIFAR10.testFile]).enumerated() {
            try Data(cifarRecords(3, first: 3 * index)).write(to: URL(fileURLWithPath: folder + "/" + name))
        }
    }

    @Test func cifar10FilesAreReadAsChannelsLastImagesAndBadFilesAreRefused() throws {
        let folder = try Self.folder("cifar")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.writeCIFAR(into: folder)
        let data = try CIFAR10.load(directory: folder)
        #expect(data.train.count == 15 && data.test.count == 3 && data.train.images.sampleShape == [32, 32, 3])
        let image = data.train.images.gather([4])   // record 4: pixel (y 1, x 2) is position 34, channel 2
        let expectedPixel: Float = 44.0 / 255   // (4 + 3·2 + 34) % 256
        #expect(image[0, 1, 2, 2] == expectedPixel)
        #expect(data.train.labels.scalars[4] == 4)
        let streamed = try CIFAR10.dataset(files: CIFAR10.trainFiles.map { folder + "/" + $0 }, batchSize: 15, shuffle: false)
        #expect(try streamed.batch(0).x.samples[0].tensor.scalars == data.train.images.tensor.scalars)

        try Data(Self.cifarRecords(2).dropLast(100)).write(to: URL(fileURLWithPath: folder + "/" + CIFAR10.testFile))
        #expect { try CIFAR10.load(directory: folder) } throws: { "\($0)".contains("not a whole number of 3073-byte records") }
        var badLabel = Self.cifarRecords(2)
        badLabel[3073] = 12
        try Data(badLabel).write(to: URL(fileURLWithPath: folder + "/" + CIFAR10.testFile))
        #expect { try CIFAR10.load(directory: folder) } throws: { "\($0)".contains("label 12 of record 1") }
        try FileManager.default.removeItem(atPath: folder + "/" + CIFAR10.testFile)
        #expect { try CIFAR10.load(directory: folder) } throws: { "\($0)".contains("missing: test_batch.bin") }
    }

    @Test func cifar10IsDownloadedFromAnArchiveCheckedBySHA256() throws {
        let source = try Self.folder("cifar-source"), home = try Self.folder("cifar-home")
        defer { [source, home].forEach { try? FileManager.default.removeItem(atPath: $0) } }
        try FileManager.default.createDirectory(atPath: source + "/cifar-10-batches-bin", withIntermediateDirectories: true)
        try Self.writeCIFAR(into: source + "/cifar-10-batches-bin")
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-czf", source + "/cifar-10-binary.tar.gz", "-C", source, "cifar-10-batches-bin"]
        try tar.run()
        tar.waitUntilExit()
        try #require(tar.terminationStatus == 0)
        let archive = URL(fileURLWithPath: source + "/cifar-10-binary.tar.gz")
        let digest = SHA256.hex(try Data(contentsOf: archive))
        let environment = ["STRATA_DATASETS": home + "/none"]
        #expect { try CIFAR10.load(directory: nil, archive: archive, sha256: String(repeating: "0", count: 64), environment: environment, home: home) }
            throws: { "\($0)".contains("checksum mismatch") && "\($0)".contains("looked in") }
        let data = try CIFAR10.load(directory: nil, archive: archive, sha256: digest, environment: environment, home: home)
        #expect(data.directory == home + "/.strata/datasets/cifar-10-batches-bin" && data.train.count == 15)
        // Found locally the next time: no download even when downloads are off.
        let again = try CIFAR10.load(directory: nil, archive: archive, sha256: digest,
                                     environment: environment.merging(["STRATA_NO_DOWNLOAD": "1"]) { $1 }, home: home)
        #expect(again.test.labels.scalars == data.test.labels.scalars)
    }

    @Test func tarArchivesAreReadAndTruncationIsNamed() throws {
        var header = [UInt8](repeating: 0, count: 512)
        header.replaceSubrange(0..<5, with: Array("a.bin".utf8))
        header.replaceSubrange(124..<135, with: Array("00000000012".utf8))
        header[156] = UInt8(ascii: "0")
        let body = (0..<10).map { UInt8($0) } + [UInt8](repeating: 0, count: 502)
        let archive = header + body + [UInt8](repeating: 0, count: 1024)
        let files = try TarArchive.files(archive, path: "t.tar")
        #expect(files.count == 1 && files[0].name == "a.bin" && Array(files[0].bytes) == (0..<10).map { UInt8($0) })
        #expect { try TarArchive.files(Array(archive.prefix(520)), path: "t.tar") } throws: { "\($0)".contains("truncated") }
    }
}
