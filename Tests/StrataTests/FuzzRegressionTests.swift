import Foundation
import Testing
@testable import Strata

/// Every input in `Fuzz/corpus/<target>` and `Fuzz/regressions/<target>` goes through the same
/// readers as the libFuzzer targets (`Fuzz/Sources/FuzzTargets/main.swift`): each must produce a
/// value or a `StrataError`, never a crash. New crashing inputs found by `Fuzz/run.sh` belong in
/// `Fuzz/regressions/<target>/`.
@Suite("Fuzzer corpus and regressions")
struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz")

    static func inputs(_ target: String) -> [URL] {
        ["corpus", "regressions"].flatMap { folder -> [URL] in
            let directory = root.appendingPathComponent(folder).appendingPathComponent(target)
            return ((try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? [])
        }
    }

    @Test(arguments: ["safetensors", "spec", "idx", "csv"])
    func readersNeverCrash(target: String) throws {
        let files = Self.inputs(target)
        #expect(!files.isEmpty, "the committed corpus for \(target) is missing")
        for file in files {
            let path = file.path
            do {
                switch target {
                case "safetensors":
                    _ = try? Sequential.load(from: path)
                    try Sequential([Dense(2, inputShape: [3])]).loadWeights(from: path)
                case "spec":
                    let model = try Sequential(specificationFile: path)
                    if let shape = model.layers.first?.declaredInputShape, shape.reduce(1, *) < 10_000 { _ = try model.summaryText() }
                case "idx":
                    _ = try IDX.read(path)
                default:
                    _ = try CSV.parse(String(decoding: try Data(contentsOf: file), as: UTF8.self))
                }
            } catch is StrataError {
                // A clear error is the right answer to a bad input.
            }
        }
    }
}
