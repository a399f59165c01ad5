import Foundation

/// CIFAR-10 (Krizhevsky 2009): 60,000 32 × 32 colour photos of 10 classes — 50,000 to train,
/// 10,000 to test — from its binary version (`cifar-10-batches-bin`: records of one label byte
/// and 3,072 pixel bytes, the red, green and blue planes in turn; read as [32, 32, 3] images).
///
///     let data = try CIFAR10.load()
///     try model.fit(data.train.images, data.train.labels, epochs: 20)
public enum CIFAR10 {
    /// The folder name used in every search location.
    public static let name = "cifar-10-batches-bin"
    /// The ten classes, by label.
    public static let classNames = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    /// The training files, then the test file.
    static let trainFiles = (1...5).map { "data_batch_\($0).bin" }, testFile = "test_batch.bin"
    static let recordBytes = 1 + 32 * 32 * 3

    /// The published archive: the authors' `cifar-10-binary.tar.gz` (170,052,171 bytes), checked
    /// by the SHA-256 TensorFlow Datasets records for it.
    static let officialArchive = URL(string: "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz")!
    static let officialSHA256 = "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"

    /// Loads the data set into memory (as bytes, converted per batch) from `directory`, or else
    /// from `$STRATA_DATASETS/cifar-10-batches-bin`, `~/.strata/datasets/…` or
    /// `~/.keras/datasets/…`; if none has it, downloads the official archive into
    /// `~/.strata/datasets/cifar-10-batches-bin` (verified; `STRATA_NO_DOWNLOAD=1` prevents it).
    /// The error lists every place searched.
    public static func load(directory: String? = nil) throws -> ImageClassificationData {
        try load(directory: directory, archive: officialArchive, sha256: officialSHA256)
    }

    /// The training and test files as streaming datasets (`FileDataset`), found or downloaded
    /// as `load` does.
    public static func datasets(directory: String? = nil, batchSize: Int = 32, shuffle: Bool = true,
                                seed: UInt64? = nil) throws -> (train: FileDataset, test: FileDataset) {
        let folder = try locate(directory: directory, archive: officialArchive, sha256: officialSHA256)
        return (try dataset(files: trainFiles.map { folder + "/" + $0 }, batchSize: batchSize, shuffle: shuffle, seed: seed),
                try dataset(files: [folder + "/" + testFile], batchSize: batchSize, shuffle: false, seed: 0))
    }

    /// CIFAR-10 binary files as one streaming dataset.
    public static func dataset(files: [String], batchSize: Int = 32, shuffle: Bool = true, seed: UInt64? = nil,
                               workers: Int = 0) throws -> FileDataset {
        let parts = try files.map { path -> FileDataset.Part in
            let file = try MappedFile(path, expected: "a CIFAR-10 binary file")
            return FileDataset.Part(file: file, count: try recordCount(file.bytes.count, path: path), pixels: 1, pixelStride: recordBytes,
                                    labels: 0, labelStride: recordBytes, labelFile: file)
        }
        return try FileDataset(parts: parts, sampleShape: [32, 32, 3], layout: .channelsFirst, batchSize: batchSize, shuffle: shuffle,
                               seed: seed, scale: 1 / 255, workers: workers)
    }

    static func load(directory: String?, archive: URL, sha256: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                     home: String = NSHomeDirectory()) throws -> ImageClassificationData {
        let folder = try locate(directory: directory, archive: archive, sha256: sha256, environment: environment, home: home)
        func split(_ names: [String]) throws -> LabeledImages {
            var pixels: [UInt8] = [], labels: [UInt8] = []
            for name in names {
                let path = folder + "/" + name
                let bytes = [UInt8](try FileBytes.read(path, expected: "a CIFAR-10 binary file"))
                let count = try recordCount(bytes.count, path: path)
                pixels.reserveCapacity(pixels.count + count * 3072)
                for record in 0..<count {
                    let base = record * recordBytes
                    guard bytes[base] < 10 else {
                        throw StrataError(kind: .invalidFile, message: "label \(bytes[base]) of record \(record) is not a class number",
                                          context: "\(path), byte \(base)", expected: "labels in 0..<10")
                    }
                    labels.append(bytes[base])
                    for p in 0..<1024 { for c in 0..<3 { pixels.append(bytes[base + 1 + c * 1024 + p]) } }
                }
            }
            return LabeledImages(images: Samples(bytes: pixels, sampleShape: [32, 32, 3], scale: 1 / 255),
                                 labels: Tensor(labels.map(Float.init)), labelBytes: labels)
        }
        return ImageClassificationData(train: try split(trainFiles), test: try split([testFile]), classNames: classNames, directory: folder)
    }

    /// Records in a file of `length` bytes: a whole, positive number of 3,073-byte records.
    static func recordCount(_ length: Int, path: String) throws -> Int {
        guard length > 0, length % recordBytes == 0 else {
            throw StrataError(kind: .invalidFile, message: "\(length) bytes are not a whole number of \(recordBytes)-byte records"
                              + (length % recordBytes != 0 && length > recordBytes ? " (truncated or not CIFAR-10)" : ""),
                              context: path, expected: "records of 1 label byte and 3,072 pixel bytes (30,730,000 bytes per official file)")
        }
        return length / recordBytes
    }

    /// The folder holding the six files: the given one, the first standard place that has them,
    /// or the download.
    static func locate(directory: String?, archive: URL, sha256: String,
                       environment: [String: String] = ProcessInfo.processInfo.environment, home: String = NSHomeDirectory()) throws -> String {
        let files = trainFiles + [testFile]
        func complete(_ folder: String) -> Bool { files.allSatisfy { FileManager.default.fileExists(atPath: folder + "/" + $0) } }
        if let directory {
            guard complete(directory) else {
                let missing = files.filter { !FileManager.default.fileExists(atPath: directory + "/" + $0) }
                throw StrataError(kind: .io, message: "CIFAR-10 files missing: \(missing.joined(separator: ", "))", context: directory,
                                  expected: "a folder holding \(files.joined(separator: ", "))")
            }
            return directory
        }
        var places: [String] = []
        if let root = environment["STRATA_DATASETS"], !root.isEmpty { places.append(root + "/" + name) }
        places += [home + "/.strata/datasets/" + name, home + "/.keras/datasets/" + name]
        if let found = places.first(where: complete) { return found }
        var failure = ""
        if environment["STRATA_NO_DOWNLOAD"] != "1" {
            let target = home + "/.strata/datasets/" + name
            do {
                StrataLog.data.info("CIFAR-10 not found locally; downloading \(archive.absoluteString) to \(target)")
                try download(archive, sha256: sha256, into: target)
                return target
            } catch { failure = "; downloading failed: \(error)" }
        }
        throw StrataError(kind: .io, message: "CIFAR-10 not found; looked in " + places.joined(separator: ", ") + failure,
                          context: "CIFAR-10 loader",
                          expected: "the binary version's files (\(files.joined(separator: ", "))) in one of those folders — from cifar-10-binary.tar.gz")
    }

    /// Fetches the archive, checks its SHA-256, and writes its files into `folder` atomically.
    static func download(_ archive: URL, sha256: String, into folder: String) throws {
        let data = try DatasetDownload.get(archive, showProgress: true)
        let digest = SHA256.hex(data)
        guard digest == sha256 else {
            throw StrataError(kind: .invalidFile, message: "checksum mismatch: SHA-256 of the file is \(digest)", context: archive.absoluteString,
                              expected: sha256)
        }
        let entries = try TarArchive.files(try Gzip.decompress(data, path: archive.absoluteString), path: archive.absoluteString)
        let wanted = Set(trainFiles + [testFile, "batches.meta.txt"])
        let found = entries.filter { wanted.contains(($0.name as NSString).lastPathComponent) }
        for required in trainFiles + [testFile] where !found.contains(where: { ($0.name as NSString).lastPathComponent == required }) {
            throw StrataError(kind: .invalidFile, message: "the archive holds no \(required)", context: archive.absoluteString,
                              expected: "cifar-10-binary.tar.gz")
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for entry in found {
            let name = (entry.name as NSString).lastPathComponent
            if name.hasSuffix(".bin") { _ = try recordCount(entry.bytes.count, path: entry.name) }
            try AtomicFile.write(Data(entry.bytes), to: URL(fileURLWithPath: folder).appendingPathComponent(name))
        }
    }
}
