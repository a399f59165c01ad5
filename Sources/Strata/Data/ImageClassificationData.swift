import Foundation

/// One split of an image-classification data set: images kept as bytes (converted to floats in
/// [0, 1] one batch at a time) and integer labels.
public struct LabeledImages {
    /// The images, `[count] + imageShape`, as bytes scaled by 1/255 when read.
    public let images: Samples
    /// Class numbers, `[count]`.
    public let labels: Tensor
    /// The raw label bytes.
    public let labelBytes: [UInt8]

    /// Number of images.
    public var count: Int { images.count }
}

/// A data set of labeled images with train and test splits and class names.
///
///     let data = try FashionMNIST.load()
///     try model.fit(data.train.images, data.train.labels, epochs: 30)
public struct ImageClassificationData {
    /// The training split.
    public let train: LabeledImages
    /// The test split.
    public let test: LabeledImages
    /// Name of each class, by class number.
    public let classNames: [String]
    /// The folder the files were read from.
    public let directory: String
}

/// Finds and reads MNIST-format data sets (four IDX files) from the places users keep them.
enum MNISTFamily {
    static let files = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]

    /// Where to look, in order: the explicit folder, `$STRATA_DATASETS/<name>`,
    /// `~/.strata/datasets/<name>`, Keras' `~/.keras/datasets/<name>`, `/usr/share/datasets/<name>`.
    static func searchPath(name: String, directory: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                           home: String = NSHomeDirectory(), system: String = "/usr/share/datasets") -> [String] {
        var places: [String] = []
        if let directory { places.append(directory) }
        if let root = environment["STRATA_DATASETS"], !root.isEmpty { places.append(root + "/" + name) }
        places += [home + "/.strata/datasets/" + name, home + "/.keras/datasets/" + name, system + "/" + name]
        return places
    }

    /// The first folder of `places` holding the four files (plain or `.gz`), or nil.
    static func locate(in places: [String]) -> String? {
        places.first { folder in
            files.allSatisfy { file(named: $0, in: folder) != nil }
        }
    }

    /// `name` in `folder`, compressed or not.
    static func file(named name: String, in folder: String) -> String? {
        let compressed = folder + "/" + name
        let plain = String(compressed.dropLast(3))
        return [compressed, plain].first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Finds the files, or downloads them into `~/.strata/datasets/<name>` when `download` is
    /// given and `STRATA_NO_DOWNLOAD` is not set; the error lists every place searched.
    static func load(name: String, classNames: [String], installHint: String, directory: String?,
                     download: DatasetDownload?, environment: [String: String] = ProcessInfo.processInfo.environment,
                     home: String = NSHomeDirectory(), system: String = "/usr/share/datasets") throws -> ImageClassificationData {
        // A folder the user names is the only place looked in: falling back to an installed copy
        // would train on data they did not ask for.
        if let directory, locate(in: [directory]) == nil {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory)
            let missing = files.filter { file(named: $0, in: directory) == nil }
            throw StrataError(kind: .io, message: !exists ? "no such folder" : !isDirectory.boolValue ? "is not a folder"
                                : "\(name) files missing: \(missing.joined(separator: ", "))",
                              context: directory, expected: "a folder holding the four IDX files (\(files.joined(separator: ", ")), or without .gz)")
        }
        let places = searchPath(name: name, directory: directory, environment: environment, home: home, system: system)
        var folder = locate(in: places)
        var downloadFailure = ""
        if folder == nil, let download, environment["STRATA_NO_DOWNLOAD"] != "1" {
            let target = home + "/.strata/datasets/" + name
            do {
                StrataLog.data.info("\(name) not found locally; downloading from \(download.baseURL.absoluteString) to \(target)")
                try download.fetch(into: target, showProgress: true)
                folder = target
            } catch {
                downloadFailure = "; downloading failed: \(error)"
            }
        }
        guard let folder else {
            throw StrataError(kind: .io, message: "\(name) not found; looked in " + places.joined(separator: ", ") + downloadFailure,
                              context: "\(name) loader",
                              expected: "the four IDX files (\(files.joined(separator: ", "))) in one of those folders — \(installHint)")
        }
        func split(_ images: String, _ labels: String) throws -> LabeledImages {
            let imagePath = file(named: images, in: folder)!, labelPath = file(named: labels, in: folder)!
            let (imageDimensions, imageBytes) = try IDX.read(imagePath)
            let (labelDimensions, labelBytes) = try IDX.read(labelPath)
            guard imageDimensions.count == 3, labelDimensions == [imageDimensions[0]] else {
                throw StrataError(kind: .invalidFile,
                                  message: "images of dimensions \(imageDimensions) do not match labels of dimensions \(labelDimensions)",
                                  context: labelPath, expected: "[n, rows, columns] images and [n] labels")
            }
            if let bad = labelBytes.firstIndex(where: { Int($0) >= classNames.count }) {
                throw StrataError(kind: .invalidFile, message: "label \(labelBytes[bad]) at item \(bad) is not a class number",
                                  context: labelPath, expected: "labels in 0..<\(classNames.count)")
            }
            return LabeledImages(images: Samples(bytes: imageBytes, sampleShape: Array(imageDimensions.dropFirst()), scale: 1 / 255),
                                 labels: Tensor(labelBytes.map(Float.init)), labelBytes: labelBytes)
        }
        return ImageClassificationData(train: try split(files[0], files[1]), test: try split(files[2], files[3]),
                                       classNames: classNames, directory: folder)
    }
}

/// Fashion-MNIST (Xiao et al. 2017): 70,000 28 × 28 grayscale images of 10 kinds of clothing.
public enum FashionMNIST {
    /// The folder name used in every search location.
    public static let name = "fashion-mnist"
    /// The ten classes, by label.
    public static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// Loads the data set from `directory`, or else from `$STRATA_DATASETS/fashion-mnist`,
    /// `~/.strata/datasets/fashion-mnist`, `~/.keras/datasets/fashion-mnist` or Debian's
    /// `/usr/share/datasets/fashion-mnist`; if none has it, downloads the official files into
    /// `~/.strata/datasets/fashion-mnist` (verified; `STRATA_NO_DOWNLOAD=1` prevents it). The
    /// error lists every place searched.
    public static func load(directory: String? = nil) throws -> ImageClassificationData {
        try MNISTFamily.load(name: name, classNames: classNames,
                             installHint: "on Debian/Ubuntu: apt-get install dataset-fashion-mnist",
                             directory: directory, download: officialSource)
    }

    /// The data set's official files (Zalando Research), checked by the SHA-256 of their content.
    static let officialSource = DatasetDownload(
        baseURL: URL(string: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")!,
        files: [
            .init(name: "train-images-idx3-ubyte.gz", contentSHA256: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
            .init(name: "train-labels-idx1-ubyte.gz", contentSHA256: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
            .init(name: "t10k-images-idx3-ubyte.gz", contentSHA256: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
            .init(name: "t10k-labels-idx1-ubyte.gz", contentSHA256: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
        ])
}

/// MNIST (LeCun et al. 1998): 70,000 28 × 28 grayscale images of handwritten digits.
public enum MNIST {
    /// The folder name used in every search location.
    public static let name = "mnist"
    /// The ten classes, by label.
    public static let classNames = (0..<10).map(String.init)

    /// Loads the data set from `directory` or the standard locations (see `FashionMNIST.load`);
    /// if none has it, downloads the four files from the mirror TensorFlow uses into
    /// `~/.strata/datasets/mnist`, each checked against the published SHA-256 of the `.gz` file
    /// (`STRATA_NO_DOWNLOAD=1` prevents it).
    public static func load(directory: String? = nil) throws -> ImageClassificationData {
        try MNISTFamily.load(name: name, classNames: classNames, installHint: installHint,
                             directory: directory, download: officialSource)
    }

    static let installHint = "or put the four files from the MNIST site into ~/.strata/datasets/mnist"

    /// The original files (LeCun, Cortes & Burges), as mirrored for TensorFlow; the SHA-256 sums
    /// of the `.gz` files are the ones torchvision and TensorFlow Datasets publish.
    static let officialSource = DatasetDownload(
        baseURL: URL(string: "https://storage.googleapis.com/cvdf-datasets/mnist/")!,
        files: [
            .init(name: "train-images-idx3-ubyte.gz", archiveSHA256: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
            .init(name: "train-labels-idx1-ubyte.gz", archiveSHA256: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
            .init(name: "t10k-images-idx3-ubyte.gz", archiveSHA256: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
            .init(name: "t10k-labels-idx1-ubyte.gz", archiveSHA256: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
        ])
}
