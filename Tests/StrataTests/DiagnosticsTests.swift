import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import StrataTestSupport
import Testing
@testable import Strata
@testable import StrataLab

@Suite("Diagnostics: per-layer gradients, updates, outputs, dead and saturated units")
struct DiagnosticsTests {
    static func data(_ n: Int, features: Int = 8, seed: UInt64) -> (Tensor, Tensor) {
        let x = random([n, features], -2, 2, seed: seed)
        let labels = x.sum(axes: [1]).scalars.map { $0 > 0 ? 1 : 0 }
        return (x, Tensor(labels: labels))
    }

    static func model(_ hidden: [Int], activation: ActivationFunction, batchNorm: Bool = false, seed: UInt64 = 3) -> Sequential {
        Random.withSeed(seed) {
            let model = Sequential()
            for (index, units) in hidden.enumerated() {
                model.add(Dense(units, activation: activation, inputShape: index == 0 ? [8] : nil))
                if batchNorm { model.add(BatchNormalization()) }
            }
            model.add(Dense(2, activation: .softmax))
            model.compile(optimizer: Adam(learningRate: 0.01), loss: .sparseCategoricalCrossentropy)
            return model
        }
    }

    /// Training with the callback gives exactly the weights, moving statistics and random
    /// stream that training without it gives.
    @Test func probingChangesNothing() throws {
        let (x, y) = Self.data(96, seed: 1)
        func train(_ callbacks: [Callback]) throws -> ([Float], UInt64) {
            try Random.withSeed(9) {
                let model = Self.model([6, 6], activation: .relu, batchNorm: true)
                model.add(Dropout(0.2))
                try model.fit(x, y, batchSize: 16, epochs: 2, verbose: .silent, callbacks: callbacks)
                return (model.variables.flatMap { $0.value.scalars }, Random.nextSeed())
            }
        }
        let plain = try train([])
        let diagnostics = Diagnostics(probe: x.slice(0..<32), labels: y.slice(0..<32), every: 3)
        let probed = try train([diagnostics])
        #expect(plain.0 == probed.0 && plain.1 == probed.1)
        // initialization + every 3rd of 12 steps + 2 epoch ends, one row per layer (2 Dense, 2 BN, Dense, Dropout)
        #expect(diagnostics.table.moments.count == 1 + 4 + 2)
        #expect(diagnostics.table.rows.count == 7 * 6)
        let stepRows = diagnostics.table.rows.filter { $0.moment.kind == "step" && $0.type == "Dense" }
        #expect(!stepRows.isEmpty && stepRows.allSatisfy { ($0.updateRatio ?? 0) > 0 })
    }

    @Test func gradientNormsAreTheLossGradients() throws {
        let (x, y) = Self.data(32, seed: 2)
        let model = Self.model([5], activation: .tanh)
        try model.build(inputShape: [8])
        let snapshots = try Diagnostics.probe(model, x, y)
        let (_, gradients) = valueWithGradients(of: model.trainableVariables) {
            sparseCategoricalCrossentropy(y, model(x, training: true))
        }
        let expected = gradients.map { Float($0.scalars.reduce(0.0) { $0 + Double($1 * $1) }.squareRoot()) }
        #expect(abs(snapshots[0].kernelGradientNorm! - expected[0]) <= 1e-5 * max(1, expected[0]))
        #expect(abs(snapshots[0].biasGradientNorm! - expected[1]) <= 1e-5 * max(1, expected[1]))
        #expect(abs(snapshots[1].kernelGradientNorm! - expected[2]) <= 1e-5 * max(1, expected[2]))
        #expect(snapshots[0].saturatedFraction != nil && snapshots[0].deadFraction == nil)
    }

    @Test func deadAndSaturatedUnits() throws {
        let (x, y) = Self.data(64, seed: 4)
        let relu = Self.model([10], activation: .relu)
        try relu.build(inputShape: [8])
        let dense = relu.layers[0] as! Dense
        dense.bias!.value = Tensor((0..<10).map { $0 < 4 ? -100 : 0 })   // 4 of 10 units can never fire
        let reluRow = try Diagnostics.probe(relu, x, y)[0]
        #expect(reluRow.deadFraction == 0.4)
        #expect(reluRow.preActivationMean! < reluRow.outputMean)

        let sigmoid = Self.model([10], activation: .sigmoid)
        try sigmoid.build(inputShape: [8])
        let layer = sigmoid.layers[0] as! Dense
        layer.kernel!.value = layer.kernel!.value * 0.01
        layer.bias!.value = Tensor((0..<10).map { $0 < 5 ? ($0 % 2 == 0 ? 50 : -50) : 0 })   // 5 units pinned at 1 or 0
        let sigmoidRow = try Diagnostics.probe(sigmoid, x, y)[0]
        #expect(sigmoidRow.saturatedFraction == 0.5)
        #expect(sigmoidRow.deadFraction == nil)
    }

    /// Convolution layers get the same statistics: a filter is a unit, every position of every
    /// probe sample a sample — a filter whose bias keeps it negative everywhere is dead.
    @Test func convolutionKernelsAreDiagnosed() throws {
        // Seeded on this task's own stream: the other filters' liveness depends on the weights.
        let model = Random.withSeed(6) {
            Sequential {
                Conv2D(4, kernelSize: [3, 3], padding: .same, activation: .relu, inputShape: [6, 6, 1])
                MaxPooling2D()
                Conv2D(3, kernelSize: [2, 2], activation: .tanh)
                Flatten()
                Dense(2, activation: .softmax)
            }
        }
        model.compile(optimizer: Adam(), loss: .sparseCategoricalCrossentropy)
        let conv = model.layers[0] as! Conv2D
        try model.build(inputShape: [6, 6, 1])
        conv.bias!.value = Tensor([-100, 0, 0, 0])   // filter 0 never fires
        let x = Tensor.randomUniform([16, 6, 6, 1], seed: 2), y = Tensor(labels: (0..<16).map { $0 % 2 })
        let rows = try Diagnostics.probe(model, x, y)
        let first = try #require(rows.first { $0.type == "Conv2D" })
        #expect(first.deadFraction == 0.25 && first.kernelGradientNorm! > 0 && first.biasGradientNorm != nil)
        #expect(first.preActivationMean! < first.outputMean)
        let second = try #require(rows.last { $0.type == "Conv2D" })
        #expect(second.saturatedFraction != nil && second.deadFraction == nil)
    }

    /// The article's first claim, measured: in a deep sigmoid net the lowest layer's gradient
    /// is far smaller than the top layer's; with ReLU and He initialization it is not.
    @Test func sigmoidGradientsVanishTowardTheInput() throws {
        let (x, y) = Self.data(128, seed: 5)
        func ratio(_ activation: ActivationFunction, initializer: Initializer) throws -> Float {
            let model = Random.withSeed(7) {
                let model = Sequential()
                for index in 0..<10 {
                    model.add(Dense(32, activation: activation, kernelInitializer: initializer, inputShape: index == 0 ? [8] : nil))
                }
                model.add(Dense(2, activation: .softmax))
                model.compile(optimizer: SGD(), loss: .sparseCategoricalCrossentropy)
                return model
            }
            try model.build(inputShape: [8])
            let rows = try Diagnostics.probe(model, x, y)
            return rows[0].kernelGradientNorm! / rows[9].kernelGradientNorm!
        }
        let sigmoid = try ratio(.sigmoid, initializer: .glorotUniform)
        let relu = try ratio(.relu, initializer: .heNormal)
        #expect(sigmoid < 0.01, "sigmoid: first/last gradient norm \(sigmoid)")
        #expect(relu > 0.1, "ReLU + He: first/last gradient norm \(relu)")
    }

    @Test func tableExportsCSVAndCharts() throws {
        let (x, y) = Self.data(64, seed: 6)
        let model = Self.model([6, 6], activation: .relu)
        let diagnostics = Diagnostics(probe: x, labels: y, every: 2)
        try model.fit(x, y, batchSize: 16, epochs: 1, verbose: .silent, callbacks: [diagnostics])
        let lines = diagnostics.table.csv().split(separator: "\n")
        #expect(lines.first?.hasPrefix("moment,epoch,step,depth,layer,type,kernel_gradient_norm") == true)
        #expect(lines.count == 1 + diagnostics.table.rows.count)
        #expect(lines.contains { $0.hasPrefix("step,1,2,1,dense") })
        for chart in [diagnostics.table.gradientNormChart(), diagnostics.table.activationChart(), diagnostics.table.deadUnitChart()] {
            let document = try XMLDocument(xmlString: chart.svg())
            #expect(document.rootElement()?.name == "svg")
            #expect(!chart.series.isEmpty && chart.series.allSatisfy { !$0.points.isEmpty })
        }
    }

    @Test func uncompiledOrNonSequentialModelsAreRefusedClearly() throws {
        let model = Sequential([Dense(2, inputShape: [8])])
        let (x, y) = Self.data(8, seed: 7)
        #expect(throws: StrataError.self) { try Diagnostics.probe(model, x, y) }
    }
}
