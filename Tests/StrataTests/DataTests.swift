import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import StrataTestSupport
import Testing
@testable import Strata
@testable import StrataLab

/// A fresh temporary folder, removed by the caller.
private func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("strata-data-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// IDX bytes: magic 00 00 08 rank, big-endian dimensions, data.
private func idxBytes(_ dimensions: [Int], _ data: [UInt8]) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, 8, UInt8(dimensions.count)]
    for d in dimensions { bytes += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
    return bytes + data
}

private func gzip(_ path: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-f", path]
    try process.run()
    process.waitUntilExit()
}

/// Writes a tiny MNIST-format data set (3 train, 2 test images of 2 × 2) into `folder`.
private func writeTinyDataset(in folder: URL, compressed: Bool) throws {
    let files: [(String, [Int], [UInt8])] = [
        ("train-images-idx3-ubyte", [3, 2, 2], Array(0..<12)), ("train-labels-idx1-ubyte", [3], [0, 1, 2]),
        ("t10k-images-idx3-ubyte", [2, 2, 2], Array(100..<108)), ("t10k-labels-idx1-ubyte", [2], [9, 3]),
    ]
    for (name, dimensions, data) in files {
        let path = folder.appendingPathComponent(name).path
        try Data(idxBytes(dimensions, data)).write(to: URL(fileURLWithPath: path))
        if compressed { try gzip(path) }
    }
}

@Suite("Data sets and files")
struct DataTests {
    @Test func idxPlainAndGzip() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("a.idx").path
        try Data(idxBytes([2, 3], [1, 2, 3, 4, 5, 6])).write(to: URL(fileURLWithPath: path))
        let plain = try IDX.read(path)
        #expect(plain.dimensions == [2, 3] && plain.bytes == [1, 2, 3, 4, 5, 6])
        try gzip(path)
        let compressed = try IDX.read(path + ".gz")
        #expect(compressed.dimensions == plain.dimensions && compressed.bytes == plain.bytes)
    }

    @Test func truncatedAndCorruptFilesThrowNamingTheFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        func expectFailure(_ bytes: [UInt8], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
            let path = folder.appendingPathComponent("bad-\(UUID().uuidString)").path
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
            do {
                _ = try IDX.read(path)
                Issue.record("accepted a bad file", sourceLocation: sourceLocation)
            } catch let error as StrataError {
                #expect(error.description.contains(path) && error.description.contains(fragment), "\(error)",
                        sourceLocation: sourceLocation)
            } catch {
                Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
            }
        }
        expectFailure([0, 0], "too short")
        expectFailure([1, 0, 8, 1, 0, 0, 0, 1, 5], "magic")
        expectFailure([0, 0, 0x0D, 1, 0, 0, 0, 1, 5], "element type")
        expectFailure([0, 0, 8, 2, 0, 0, 0, 2], "dimensions")
        expectFailure(idxBytes([2, 3], [1, 2, 3]), "need 6 data bytes")
        // A gzip stream cut in half.
        let whole = folder.appendingPathComponent("whole.idx").path
        try Data(idxBytes([100], Array(repeating: 7, count: 100) + (0..<100).map { UInt8($0) })).write(to: URL(fileURLWithPath: whole))
        try gzip(whole)
        let gz = [UInt8](try Data(contentsOf: URL(fileURLWithPath: whole + ".gz")))
        expectFailure(Array(gz.prefix(gz.count / 2)), "truncated")
        var corrupt = gz
        for i in 12..<min(gz.count - 8, 40) { corrupt[i] ^= 0x5A }
        expectFailure(corrupt, "gzip")
    }

    @Test func searchOrderAndLoading() throws {
        let home = try temporaryFolder(), explicit = try temporaryFolder(), environment = try temporaryFolder()
        defer { for url in [home, explicit, environment] { try? FileManager.default.removeItem(at: url) } }
        let places = MNISTFamily.searchPath(name: "fashion-mnist", directory: explicit.path,
                                            environment: ["STRATA_DATASETS": environment.path], home: home.path)
        #expect(places == [explicit.path, environment.path + "/fashion-mnist", home.path + "/.strata/datasets/fashion-mnist",
                           home.path + "/.keras/datasets/fashion-mnist", "/usr/share/datasets/fashion-mnist"])
        // The environment folder wins over the home folders when the explicit one is empty.
        let environmentData = environment.appendingPathComponent("fashion-mnist")
        let keras = home.appendingPathComponent(".keras/datasets/fashion-mnist")
        for folder in [environmentData, keras] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try writeTinyDataset(in: folder, compressed: folder == keras)
        }
        #expect(MNISTFamily.locate(in: places) == environmentData.path)
        #expect(MNISTFamily.locate(in: Array(places.dropFirst(2))) == keras.path)

        let data = try FashionMNIST.load(directory: environmentData.path)
        #expect(data.train.count == 3 && data.test.count == 2)
        #expect(data.train.labels.scalars == [0, 1, 2] && data.test.labelBytes == [9, 3])
        #expect(data.train.images.sampleShape == [2, 2])
        expectClose(data.test.images.gather([1]), [104, 105, 106, 107].map { $0 / 255 })
        #expect(data.classNames[9] == "Ankle boot")
    }

    @Test func downloadVerifiesContentAndStoresAtomically() throws {
        let server = try temporaryFolder(), home = try temporaryFolder()
        defer { for url in [server, home] { try? FileManager.default.removeItem(at: url) } }
        try writeTinyDataset(in: server, compressed: true)
        let digests = try MNISTFamily.files.map { name in
            try DatasetDownload.contentSHA256(of: Data(contentsOf: server.appendingPathComponent(name)), source: name)
        }
        let source = DatasetDownload(baseURL: server, files: zip(MNISTFamily.files, digests).map { .init(name: $0, contentSHA256: $1) })
        let data = try MNISTFamily.load(name: "fashion-mnist", classNames: FashionMNIST.classNames, installHint: "",
                                        directory: nil, download: source, environment: [:], home: home.path, system: home.path)
        #expect(data.directory == home.path + "/.strata/datasets/fashion-mnist" && data.train.count == 3)
        // A wrong checksum: nothing is stored, and the error says so.
        let otherHome = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: otherHome) }
        var wrong = source.files
        wrong[2] = .init(name: wrong[2].name, contentSHA256: String(repeating: "0", count: 64))
        do {
            _ = try MNISTFamily.load(name: "fashion-mnist", classNames: FashionMNIST.classNames, installHint: "",
                                     directory: nil, download: DatasetDownload(baseURL: server, files: wrong),
                                     environment: [:], home: otherHome.path, system: otherHome.path)
            Issue.record("accepted a checksum mismatch")
        } catch let error as StrataError {
            #expect(error.description.contains("checksum mismatch") && error.description.contains("t10k-images"))
        }
        let stored = otherHome.appendingPathComponent(".strata/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz").path
        #expect(!FileManager.default.fileExists(atPath: stored))
        // STRATA_NO_DOWNLOAD=1 keeps it offline.
        let offline = Result {
            try MNISTFamily.load(name: "fashion-mnist", classNames: FashionMNIST.classNames, installHint: "", directory: nil,
                                 download: source, environment: ["STRATA_NO_DOWNLOAD": "1"], home: otherHome.path,
                                 system: otherHome.path)
        }
        #expect((try? offline.get()) == nil, "no download when STRATA_NO_DOWNLOAD=1")
    }

    /// MNIST's published checksums are of the `.gz` files as downloaded: a file is accepted when
    /// its bytes match, and refused when the same content arrives re-compressed.
    @Test func archiveChecksumsCheckTheFileAsDownloaded() throws {
        let server = try temporaryFolder(), home = try temporaryFolder(), otherHome = try temporaryFolder()
        defer { for url in [server, home, otherHome] { try? FileManager.default.removeItem(at: url) } }
        try writeTinyDataset(in: server, compressed: true)
        let digests = try MNISTFamily.files.map { name in
            SHA256.hex(try Data(contentsOf: server.appendingPathComponent(name)))
        }
        let source = DatasetDownload(baseURL: server, files: zip(MNISTFamily.files, digests).map { .init(name: $0, archiveSHA256: $1) })
        let data = try MNISTFamily.load(name: MNIST.name, classNames: MNIST.classNames, installHint: MNIST.installHint,
                                        directory: nil, download: source, environment: [:], home: home.path, system: home.path)
        #expect(data.directory == home.path + "/.strata/datasets/mnist" && data.test.count == 2)
        // The content's checksum where the archive's is expected: refused.
        var contentDigests = source.files
        contentDigests[0] = .init(name: contentDigests[0].name, archiveSHA256: try DatasetDownload.contentSHA256(
            of: Data(contentsOf: server.appendingPathComponent(contentDigests[0].name)), source: "test"))
        #expect(throws: StrataError.self) {
            try MNISTFamily.load(name: MNIST.name, classNames: MNIST.classNames, installHint: "", directory: nil,
                                 download: DatasetDownload(baseURL: server, files: contentDigests), environment: [:],
                                 home: otherHome.path, system: otherHome.path)
        }
        // The official source names the four files with SHA-256 sums of the archives.
        #expect(MNIST.officialSource.files.map(\.name) == MNISTFamily.files)
        #expect(MNIST.officialSource.files.allSatisfy { $0.digest == .archive && $0.sha256.count == 64 })
    }

    @Test func missingDataSetListsEveryPlaceAndTheFix() throws {
        let empty = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: empty) }
        do {
            _ = try MNISTFamily.load(name: MNIST.name, classNames: MNIST.classNames, installHint: MNIST.installHint,
                                     directory: nil, download: MNIST.officialSource,
                                     environment: ["STRATA_NO_DOWNLOAD": "1"], home: empty.path, system: empty.path)
            Issue.record("found MNIST in an empty folder")
        } catch let error as StrataError {
            #expect(error.description.contains(empty.path) && error.description.contains(".keras/datasets/mnist"))
            #expect(error.description.contains("train-images-idx3-ubyte.gz") && error.description.contains("~/.strata/datasets/mnist"))
        }
    }

    /// A folder the user names is the only place looked in: a missing or incomplete one is an
    /// error naming it, never a silent fall-back to an installed copy (which exists in `home` here).
    @Test func namedFolderNeverFallsBackToAnInstalledCopy() throws {
        let home = try temporaryFolder(), partial = try temporaryFolder()
        defer { for url in [home, partial] { try? FileManager.default.removeItem(at: url) } }
        let installed = home.appendingPathComponent(".strata/datasets/fashion-mnist")
        try FileManager.default.createDirectory(at: installed, withIntermediateDirectories: true)
        try writeTinyDataset(in: installed, compressed: true)
        try Data().write(to: partial.appendingPathComponent("train-images-idx3-ubyte"))
        let missing = home.path + "/MISSING_FOLDER"
        for (folder, fragment) in [(missing, "no such folder"), (partial.path, "missing: train-labels-idx1-ubyte.gz")] {
            do {
                _ = try MNISTFamily.load(name: FashionMNIST.name, classNames: FashionMNIST.classNames, installHint: "",
                                         directory: folder, download: nil, environment: [:], home: home.path, system: home.path)
                Issue.record("\(folder) fell back to the installed copy")
            } catch let error as StrataError {
                #expect(error.description.contains(folder) && error.description.contains(fragment), "\(error)")
            }
        }
        _ = try MNISTFamily.load(name: FashionMNIST.name, classNames: FashionMNIST.classNames, installHint: "",
                                 directory: nil, download: nil, environment: [:], home: home.path, system: home.path)
    }

    @Test func byteSamplesConvertPerBatchAndTrain() throws {
        let bytes: [UInt8] = [0, 255, 51, 102, 153, 204]
        let samples = Samples(bytes: bytes, sampleShape: [2], scale: 1 / 255)
        #expect(samples.count == 3 && samples.shape == [3, 2])
        expectClose(samples.gather([2, 0]), [0.6, 0.8, 0, 1])
        expectClose(samples.slice(1..<2).tensor, [0.2, 0.4])
        try Random.withSeed(1) {
            let model = Sequential([Dense(2, activation: .softmax, inputShape: [2])])
            model.compile(optimizer: Adam(learningRate: 0.1), loss: .sparseCategoricalCrossentropy, metrics: [.accuracy])
            let labels = Tensor(labels: [1, 0, 1])
            let fromBytes = try model.fit(samples, labels, batchSize: 3, epochs: 1, verbose: .silent, shuffle: false)
            #expect(fromBytes["loss"].count == 1)
            #expect(try model.predict(samples).shape == [3, 2])
        }
    }
}

@Suite("Charts, history files and progress output")
struct OutputTests {
    static func history() throws -> History {
        let history = History()
        try history.onTrainBegin(logs: [:])
        for (epoch, (loss, validation)) in [(1.0, 1.2), (0.6, 0.9), (0.4, 0.95)].enumerated() {
            try history.onEpochEnd(epoch, logs: ["loss": loss, "val_loss": validation,
                                                 "accuracy": 0.5 + 0.1 * Double(epoch), "val_accuracy": 0.55])
        }
        return history
    }

    @Test func chartIsWellFormedSVGWithTheExpectedSeries() throws {
        let svg = try Self.history().chartSVG(plannedEpochs: 10)
        let document = try XMLDocument(xmlString: svg)
        #expect(document.rootElement()?.name == "svg")
        let polylines = try document.nodes(forXPath: "//*[local-name()='polyline']")
        #expect(polylines.count == 4, "loss, val_loss, accuracy, val_accuracy")
        for label in ["loss", "val_loss", "accuracy", "val_accuracy", "best", "stopped", "epoch"] {
            #expect(svg.contains(">\(label)<"), "\(label) missing")
        }
        // Nice ticks: steps of 1, 2 or 5 × 10ᵏ, spanning the range.
        #expect(LineChart.ticks(0, 0.95) == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(LineChart.ticks(1, 30) == [0, 10, 20, 30])
        #expect(LineChart.ticks(0.2164, 0.4718) == [0.2, 0.3, 0.4, 0.5])
        #expect(LineChart.ticks(-3, 3, count: 7) == [-3, -2, -1, 0, 1, 2, 3])
        // Whole-number axes (epochs) tick whole numbers only.
        #expect(LineChart.ticks(1, 3) == [1, 1.5, 2, 2.5, 3] && LineChart.ticks(1, 3, integers: true) == [1, 2, 3])
        #expect(LineChart.ticks(1, 2, integers: true) == [1, 2])
    }

    /// A run that diverged (loss 3e+32) must not flatten the others: the axis ends at theirs, the
    /// run is drawn on the top edge and named as off the chart; NaNs are named, not drawn.
    @Test func divergedRunsDoNotFlattenTheOthers() throws {
        let epochs = (1...8).map(Double.init)
        let good = epochs.map { 2.3 / $0 }, fine = epochs.map { 2 / $0 + 0.1 }
        let diverged = [2.2, 40, 1e9, 3e32, 3e32, 3e32, 3e32, 3e32]
        #expect(LineChart.divergenceCut(good + fine + diverged) == 40)   // 40 is a spike, not off the chart
        #expect(LineChart.divergenceCut(good + fine) == nil)
        #expect(LineChart.divergenceCut([0.1, 0.1, 0.1, 0.8, 0.85]) == nil, "a dead run's flat accuracy is no reason to cut")
        #expect(LineChart.divergenceCut([-12, -9, -5, -1, 0]) == nil)
        // A histogram: empty bins, tiny ones and a peak of 0.25 (L1's weights at zero) is data, not divergence.
        let histogram = Array(repeating: 0.0, count: 20) + [1e-5, 3e-5, 2e-4, 0.001, 0.004, 0.02, 0.07, 0.25]
        #expect(LineChart.divergenceCut(histogram) == nil)
        #expect(LineChart.divergenceCut([0.5, 0.4, 0.3, 0.3, 5000]) == 0.5, "exploding to 10⁴× is off the chart")
        var chart = LineChart(title: "loss", xLabel: "epoch", yLabel: "loss")
        chart.add(LineChart.Series(name: "adam", x: epochs, y: good))
        chart.add(LineChart.Series(name: "sgd", x: epochs, y: fine))
        chart.add(LineChart.Series(name: "sgd lr=1", x: epochs, y: diverged))
        chart.add(LineChart.Series(name: "nan run", x: epochs, y: [1, 0.9, .nan, .nan, .nan, .nan, .nan, .nan]))
        let svg = chart.svg()
        #expect(svg.contains("sgd lr=1 (diverged to 3e+32, off the chart)"))
        #expect(svg.contains("nan run (6 non-finite values not drawn)"))
        #expect(!svg.contains(">adam (") && !svg.contains(">sgd ("))
        #expect(svg.components(separatedBy: "<polygon").count - 1 == 6, "a triangle on the top edge per point off the chart")
        // The y tick labels (right-aligned numbers) stay within the finite, non-diverged range.
        let yTicks = svg.components(separatedBy: "text-anchor=\"end\">").dropFirst()
            .compactMap { Double($0.prefix { $0 != "<" }) }
        #expect(!yTicks.isEmpty && yTicks.max()! <= 50, "\(yTicks)")
        // The x axis of eight epochs ticks whole epochs.
        let xTicks = svg.components(separatedBy: "text-anchor=\"middle\">").dropFirst()
            .compactMap { Double($0.prefix { $0 != "<" }) }
        #expect(!xTicks.isEmpty && xTicks.allSatisfy { $0 == $0.rounded() }, "\(xTicks)")
    }

    /// Ten series, ten distinct colors.
    @Test func tenSeriesGetTenColors() {
        var chart = LineChart(title: "t", xLabel: "x", yLabel: "y")
        for index in 0..<10 { chart.add(LineChart.Series(name: "s\(index)", x: [0, 1], y: [0, Double(index)])) }
        #expect(Set(chart.series.map(\.color)).count == 10)
    }

    @Test func historyExportsCSVAndJSON() throws {
        let history = try Self.history()
        #expect(history.csv().hasPrefix("epoch,accuracy,loss,val_accuracy,val_loss\n1,0.5,1.0,0.55,1.2\n"))
        let json = try JSONSerialization.jsonObject(with: Data(try history.json().utf8)) as? [String: [Double]]
        #expect(json?["epochs"] == [1, 2, 3] && json?["loss"]?.count == 3)
    }

    @Test func oneLinePerEpochWhenNotATerminal() throws {
        var lines: [String] = []
        let progress = ProgressBar(epochs: 2, stepsPerEpoch: 4, inPlace: false) { lines.append($0) }
        try progress.onTrainBegin(logs: [:])
        for epoch in 0..<2 {
            try progress.onEpochBegin(epoch, logs: [:])
            for batch in 0..<4 { try progress.onTrainBatchEnd(batch, logs: ["loss": 1]) }
            try progress.onEpochEnd(epoch, logs: ["loss": 0.5 - Double(epoch) * 0.25, "accuracy": 0.875, "val_loss": 0.6])
        }
        progress.printSparklines()
        #expect(lines[0] == "Epoch 1/2")
        #expect(lines[1].hasPrefix("4/4 - ") && lines[1].hasSuffix(" - accuracy: 0.8750 - loss: 0.5000 - val_loss: 0.6000"))
        #expect(!lines.joined().contains("\u{1B}"), "no terminal escapes in logs")
        #expect(lines.contains { $0.hasPrefix("loss") && $0.contains("▁") }, "a sparkline per value at the end")
    }

    /// On a terminal the bar redrawn in place fits the terminal's width (a wrapped line would
    /// leave a new row at every redraw); escapes do not count as columns and are kept.
    @Test func inPlaceBarFitsTheTerminalWidth() throws {
        var written: [String] = [], width = 60
        let progress = ProgressBar(epochs: 1, stepsPerEpoch: 3, inPlace: true, print: { _ in }, write: { written.append($0) },
                                   terminalWidth: { width })
        try progress.onEpochBegin(0, logs: [:])
        let logs: Logs = ["loss": 0.25, "accuracy": 0.875, "mean_absolute_error": 1.5, "val_loss": 0.5]
        try progress.onTrainBatchEnd(0, logs: logs)
        width = 200
        try progress.onTrainBatchEnd(2, logs: logs)
        let redraws = written.filter { $0.hasPrefix("\r") && $0.count > 1 }
        #expect(redraws.count == 2)
        #expect(ProgressBar.visibleCount(redraws[0]) - 1 <= 59, "\(redraws[0])")   // the \r is not a column
        #expect(redraws[0].contains("…") && redraws[0].hasSuffix("\u{1B}[0m\u{1B}[K"))
        #expect(!redraws[1].contains("…") && redraws[1].contains("val_loss: 0.5000"), "200 columns hold the whole line")
        // The cut keeps escapes whole and counts only what is visible.
        let dimmed = "ab\u{1B}[2mcdef\u{1B}[0m"
        #expect(ProgressBar.visibleCount(dimmed) == 6)
        #expect(ProgressBar.fitted(dimmed, width: 7) == dimmed)
        #expect(ProgressBar.fitted(dimmed, width: 5) == "ab\u{1B}[2mc…\u{1B}[0m")
    }

    /// A long run's sparkline is averaged into 60 buckets; the ends are still the first and last values.
    @Test func sparklinesOfLongRunsFitATerminal() {
        let values = (0..<2000).map { Double(2000 - $0) }
        let line = Sparkline.draw(values)
        #expect(line.hasPrefix("█") && line.contains("▁  2000 → 1"), "\(line)")
        #expect(line.count == 60 + "  2000 → 1".count, "\(line)")
        #expect(Sparkline.draw([1, 2, 3]) == "▁▅█  1 → 3")
        #expect(Sparkline.draw([1, .nan, 3]) == "▁·█  1 → 3")
    }
}
