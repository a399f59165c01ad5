import Foundation
import StrataTestSupport
import Testing
@testable import Strata
@testable import StrataLab

/// Every lab experiment's quick setting on small synthetic data: the measurements are taken, the
/// verdicts follow from them, the reports hold what they promise.
@Suite("Lab experiments: the other six")
struct LabExperimentTests {
    /// 256 training and 128 test images labeled by their brightest band.
    static var images: LabData {
        let train = LabTests.images(256, seed: 11), test = LabTests.images(128, seed: 12)
        return LabData(name: "bands", train: (train.0, train.1), test: (test.0, test.1), classes: 10)
    }

    /// A CSV file of two informative and two noise features; class 1 when x₀ + x₁ > 0.
    static func binaryCSV(rows: Int = 600) throws -> String {
        let values = Tensor.randomNormal([rows, 4], seed: 5).scalars
        let lines = (0..<rows).map { row -> String in
            let x = values[(row * 4)..<(row * 4 + 4)].map { String($0) }
            return x.joined(separator: ",") + "," + (values[row * 4] + values[row * 4 + 1] > 0 ? "1" : "0")
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("strata-lab-\(UUID().uuidString).csv").path
        try (["a,b,c,d,class"] + lines).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func written(_ report: LabReport) throws -> (folder: String, html: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-lab-\(UUID().uuidString)").path
        try report.write(to: folder)
        return (folder, try String(contentsOfFile: folder + "/report.html", encoding: .utf8))
    }

    @Test func dyingReLUCountsDeadUnitsAsInactiveReLUUnits() throws {
        let report = try DyingReLU(quick: true).run(on: Self.images) { _ in }
        let (folder, html) = try Self.written(report)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(report.charts.count == 2 && report.charts[0].series.count == 1 + DyingReLU.Unit.allCases.count)
        #expect(html.contains(report.verdict) && report.verdict.contains("ReLU's dead hidden units"))
        // For plain ReLU a unit that is never positive before the activation outputs 0 everywhere.
        let diagnostics = try String(contentsOfFile: folder + "/diagnostics.csv", encoding: .utf8).split(separator: "\n")
        let header = diagnostics[0].split(separator: ",", omittingEmptySubsequences: false)
        let dead = try #require(header.firstIndex(of: "dead_fraction")), inactive = try #require(header.firstIndex(of: "inactive_fraction"))
        let mean = try #require(header.firstIndex(of: "output_mean"))
        func rows(_ configuration: String) -> [[Substring]] {   // probed rows with finite outputs
            let prefix = "\"\(configuration)\","   // the quoted name holds a comma: cut it off first
            return diagnostics.dropFirst().filter { $0.hasPrefix(prefix) }
                .map { ("_," + $0.dropFirst(prefix.count)).split(separator: ",", omittingEmptySubsequences: false) }
                .filter { !$0[dead].isEmpty && Float($0[mean])?.isFinite == true }
        }
        // For plain ReLU a unit that is never positive before the activation outputs 0 everywhere.
        let relu = rows("ReLU, lr 0.01")
        #expect(relu.count >= 4 * 3, "four hidden layers, probed at least three times")
        #expect(relu.allSatisfy { $0[dead] == $0[inactive] }, "\(relu.map { "\($0[dead]) \($0[inactive])" })")
        // Leaky units are never dead (their output is nonzero below 0) but can be inactive.
        let leaky = rows("leaky ReLU (0.2), lr 0.25")
        #expect(!leaky.isEmpty && leaky.allSatisfy { Float($0[dead]) == 0 }, "\(leaky.map { "\($0[dead]) \($0[inactive])" })")
    }

    @Test func selfNormalizationKeepsSELUNearUnitVarianceAndHeInitBreaksIt() throws {
        let report = try SelfNormalization(quick: true).run(on: Self.images) { _ in }
        #expect(report.charts.count == 4 && report.charts.allSatisfy { $0.series.count == SelfNormalization.configurations.count })
        let initialStd = report.charts[0].series   // log₁₀ std by depth at initialization
        let selu = pow(10, try #require(initialStd.first { $0.name.hasPrefix("SELU + LeCun") }?.points.last?.y))
        let he = pow(10, try #require(initialStd.first { $0.name == "SELU + He normal" }?.points.last?.y))
        #expect(selu > 0.7 && selu < 1.4, "SELU layer-50 std \(selu)")
        #expect(he > 2, "SELU with He init, layer-50 std \(he)")
        #expect(initialStd[0].points.count == 50)
        #expect(report.stance != .contradicts)
    }

    @Test func batchNormComparesThreePlacementsAtThreeLearningRates() throws {
        let report = try BatchNormExperiment(quick: true).run(on: Self.images) { _ in }
        let names = report.charts[0].series.map(\.name)
        #expect(names.count == 9 && names.contains("batch norm before activation, lr 0.1") && names.contains("no batch norm, lr 1"))
        let (folder, _) = try Self.written(report)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let history = try String(contentsOfFile: folder + "/history.csv", encoding: .utf8).split(separator: "\n")
        #expect(history.first == "configuration,epoch,seconds,accuracy,loss,val_accuracy,val_loss")
        #expect(history.count == 1 + 9 * 2)
        #expect(FileManager.default.fileExists(atPath: folder + "/validation-loss.svg"))
    }

    /// Every `OptimizerPreset` runs — the registry's optimizers, a user's registered one included,
    /// and SGD's momentum variants.
    @Test func optimizersStartFromTheSameWeightsAndTimeTheirEpochs() throws {
        OptimizerRegistry.register(DampedSignDescent.self)
        let report = try OptimizerComparison(quick: true).run(on: Self.images) { _ in }
        let names = report.charts[0].series.map(\.name)
        #expect(report.charts.count == 3 && names == OptimizerPreset.all.map(\.title))
        #expect(names.count == 11 && names.contains("DampedSignDescent") && names.contains("SGD Nesterov 0.9") && names.contains("Lion"))
        // Against wall time, every curve's x grows; the epoch chart's x is 1, 2.
        let timed = report.charts[2].series
        #expect(timed.allSatisfy { series in series.points.count == 2 && series.points[0].x > 0 && series.points[1].x > series.points[0].x })
        #expect(report.charts[0].series.allSatisfy { $0.points.map(\.x) == [1, 2] })
        #expect(report.verdict.contains("plain SGD's training loss"))
    }

    @Test func regularizationMeasuresTheGapAndL1Sparsity() throws {
        let report = try RegularizationExperiment(quick: true).run(on: Self.images) { _ in }
        let histogram = try #require(report.charts.last)
        #expect(histogram.series.count == 6)
        #expect(histogram.series.allSatisfy { series in series.points.reduce(0) { $0 + $1.y } <= 1.0001 })
        // L1's spike at zero: its bin holding 0 is higher than the unregularized one's.
        let zeroBin = 25
        let none = histogram.series[0].points[zeroBin].y, l1 = histogram.series[1].points[zeroBin].y
        #expect(l1 > none, "fraction of weights in the bin around 0: L1 \(l1), none \(none)")
        #expect(report.verdict.contains("gap"))
    }

    @Test func csvDataIsShuffledSplitAndCounted() throws {
        let path = try Self.binaryCSV()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let data = try LabData.csv(path, target: .name("class"))
        #expect(data.classes == 2 && data.train.x.count == 480 && data.test.x.count == 120 && data.sampleShape == [4])
        // Shuffled, not reordered: the same multiset of labels, now not in file order.
        let labels = data.train.y.scalars + data.test.y.scalars
        let text = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst()
        let fileLabels = text.map { Float($0.split(separator: ",").last!)! }
        #expect(labels.sorted() == fileLabels.sorted() && labels != fileLabels)
    }

    @Test func earlyStoppingKeepsTheBestEpochOfTheArticlesWineExample() throws {
        let data = try LabData.csv(ArticleExamplesTests.shared.appendingPathComponent("data/wine.csv").path, target: .name("class"))
        #expect(data.classes == 2 && data.sampleShape == [12])
        let report = try EarlyStoppingExperiment(quick: true).run(on: data) { _ in }
        #expect(report.stance == .confirms, "\(report.verdict)")
        #expect(report.verdict.contains("the best epoch's"))
        let loss = report.charts[0]
        #expect(loss.series.map(\.name) == ["training", "validation"] && loss.markers.count == 2)
        let best = try #require(loss.markers.first?.x), stopped = try #require(loss.markers.last?.x)
        #expect(stopped - best == 100, "patience 100: stopped at \(stopped), best \(best)")
    }

    @Test func csvDataRefusesNonClassTargets() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("strata-lab-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try (["x,y"] + (0..<20).map { "\($0),\(Double($0) / 3)" }).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: StrataError.self) { try LabData.csv(path) }
    }

    @Test func runsFindEpochsAndSecondsToATarget() {
        let run = LabRun(name: "r", history: ["val_accuracy": [0.5, 0.8, 0.9], "val_loss": [1, 0.6, 0.4]], elapsed: [1, 2, 3],
                         testLoss: 0, testAccuracy: 0, diagnostics: nil)
        #expect(run.firstEpoch("val_accuracy", reaching: 0.8) == 2 && run.seconds("val_accuracy", reaching: 0.85) == 3)
        #expect(run.firstEpoch("val_loss", reaching: 0.5) == 3 && run.firstEpoch("val_accuracy", reaching: 0.95) == nil)
        #expect(LabRun.historyCSV([run]) == "configuration,epoch,seconds,val_accuracy,val_loss\n\"r\",1,1.000,0.5,1.0\n\"r\",2,2.000,0.8,0.6\n\"r\",3,3.000,0.9,0.4\n")
    }

    @Test func indexLinksEveryReport() throws {
        var first = LabReport(experiment: "one", title: "first <claim>", claim: "c"), second = LabReport(experiment: "two", title: "second", claim: "c")
        first.verdict = "v1"
        second.verdict = "v2"
        second.stance = .qualifies
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-lab-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try LabReport.writeIndex([first, second], to: folder)
        let html = try String(contentsOfFile: folder + "/index.html", encoding: .utf8)
        #expect(html.contains("<a href=\"one/report.html\">first &lt;claim&gt;</a>") && html.contains("<a href=\"two/report.html\">second</a>"))
        #expect(html.contains("<td>qualifies</td>") && html.contains("<td>v2</td>"))
    }
}
