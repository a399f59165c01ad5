import Foundation
import StrataTestSupport
import Testing
@testable import Strata
@testable import StrataLab

@Suite("Lab experiments")
struct LabTests {
    /// Byte images whose label is the brightest of ten horizontal bands.
    static func images(_ count: Int, seed: UInt64) -> (Samples, Tensor) {
        let pixels = Tensor.randomUniform([count, 28, 28], lower: 0, upper: 255, seed: seed).scalars.map { UInt8($0) }
        let labels = (0..<count).map { n in
            (0..<10).max { a, b in
                pixels[(n * 784 + a * 56)..<(n * 784 + a * 56 + 56)].reduce(0) { $0 + Int($1) }
                    < pixels[(n * 784 + b * 56)..<(n * 784 + b * 56 + 56)].reduce(0) { $0 + Int($1) }
            }!
        }
        return (Samples(bytes: pixels, sampleShape: [28, 28], scale: 1 / 255), Tensor(labels: labels))
    }

    @Test func vanishingGradientsMeasuresReportsAndConfirms() throws {
        let train = Self.images(384, seed: 1), test = Self.images(128, seed: 2)
        let result = try VanishingGradients(quick: true).run(train: train, test: test)
        #expect(result.outcomes.count == VanishingGradients.configurations.count)
        let byName = Dictionary(uniqueKeysWithValues: result.outcomes.map { ($0.configuration.name, $0) })
        let sigmoid = try #require(byName["sigmoid + Glorot"]), relu = try #require(byName["ReLU + He"])
        #expect(sigmoid.initialGradientNorms.count == 20 && relu.trainedGradientNorms.count == 20)
        #expect(sigmoid.initialRatio < 1e-3, "sigmoid first/last: \(sigmoid.initialRatio)")
        #expect(relu.initialRatio > 0.1, "ReLU first/last: \(relu.initialRatio)")
        #expect(result.verdict.contains("confirms the claim"))

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-lab-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try result.report.write(to: folder)
        let html = try String(contentsOfFile: folder + "/report.html", encoding: .utf8)
        #expect(html.contains(VanishingGradientsResult.claim) && html.contains(result.verdict))
        #expect(html.components(separatedBy: "<polyline").count - 1 == 2 * VanishingGradients.configurations.count)
        let csv = try String(contentsOfFile: folder + "/gradients.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.first?.hasPrefix("configuration,moment,epoch,step,depth") == true)
        #expect(csv.count == 1 + result.outcomes.reduce(0) { $0 + $1.diagnostics.rows.count })
    }

    /// The same measurement on a deep plain CNN: 10 convolution layers, the five configurations
    /// without input standardization; sigmoid's gradient vanishes toward the input, batch norm
    /// and ReLU keep it.
    @Test func convolutionalGradientsMeasureTheDeepCNN() throws {
        let train = Self.images(256, seed: 1), test = Self.images(64, seed: 2)
        let experiment = ConvolutionalGradients(quick: true, seed: 42).experiment
        let result = try experiment.run(train: train, test: test)
        #expect(result.outcomes.map(\.configuration.name) == VanishingGradients.configurations.filter { !$0.standardize }.map(\.name))
        let byName = Dictionary(uniqueKeysWithValues: result.outcomes.map { ($0.configuration.name, $0) })
        let sigmoid = try #require(byName["sigmoid + Glorot"]), normalized = try #require(byName["sigmoid + Glorot + batch norm"])
        #expect(sigmoid.initialGradientNorms.count == 10 && sigmoid.kernelSizes == [9 * 1 * 8] + Array(repeating: 9 * 8 * 8, count: 9))
        #expect(sigmoid.initialRatio < 1e-3, "sigmoid first/last: \(sigmoid.initialRatio)")
        #expect(normalized.initialRatio > 0.1, "with batch norm: \(normalized.initialRatio)")
        let report = result.report
        #expect(report.experiment == "cnn-gradients" && report.settings.contains("10 Conv2D layers of 8 3 × 3 filters"))
    }
}

@Suite("Confusion matrix")
struct ConfusionMatrixTests {
    /// Every class name appears whole (no "Pullove", "Ankle b"), counts line up under their
    /// numbered columns, and Fashion-MNIST's ten classes fit 80 columns.
    @Test func namesAreNeverCut() {
        let names = FashionMNIST.classNames
        let truth = (0..<1000).map { $0 % 10 }, predictions = (0..<1000).map { $0 % 7 == 0 ? ($0 + 1) % 10 : $0 % 10 }
        let matrix = ConfusionMatrix(truth: truth, predictions: predictions, classes: 10)
        #expect(matrix.counts.joined().reduce(0, +) == 1000 && matrix.counts[2][3] == 14 && matrix.counts[2][2] == 86)
        let lines = matrix.text(classNames: names).split(separator: "\n").map(String.init)
        #expect(lines.count == 12)
        for (index, name) in names.enumerated() {
            #expect(lines[index + 2].contains("\(index) \(name) "), "\(lines[index + 2])")
        }
        #expect(lines.allSatisfy { $0.count <= 80 }, "\(lines.map(\.count))")
        // The column header's numbers end where their counts end.
        let header = lines[1], pullover = lines[4]
        let column3 = header.range(of: " 3 ")!.upperBound
        #expect(header.count == pullover.count)
        #expect(pullover[pullover.index(pullover.startIndex, offsetBy: header.distance(from: header.startIndex, to: column3) - 2)]
                == "4", "the 14 under column 3: \(header)\n\(pullover)")
    }
}
