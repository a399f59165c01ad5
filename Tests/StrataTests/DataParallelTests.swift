import Foundation
import StrataTestSupport
import Testing
@testable import Strata

/// The data-parallel mechanism without a network: a group that pretends to have `size` replicas
/// holding the same values as this one (so a sum is `size` × the value). The multi-process
/// behaviour is tested under mpirun in `Distributed/`.
@Suite("Data parallelism, in one process")
struct DataParallelTests {
    final class MirrorGroup: ReplicaGroup, @unchecked Sendable {
        let rank = 0, size: Int
        var allReduceSizes: [Int] = [], broadcasts = 0
        var allReduceCalls: Int { allReduceSizes.count }
        init(size: Int) { self.size = size }
        func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) {
            allReduceSizes.append(values.count)
            for i in values.indices { values[i] *= Float(size) }
        }
        func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) {
            for i in values.indices { values[i] *= Double(size) }
        }
        func broadcast(_ bytes: UnsafeMutableRawBufferPointer) { broadcasts += 1 }
    }

    @Test func gradientsAreSummedInBucketsAcrossVariables() {
        let group = MirrorGroup(size: 3)
        let parallel = DataParallel(group: group, bucketSize: 5)
        let gradients = [Tensor([1, 2, 3]), Tensor(shape: [2, 2], scalars: [4, 5, 6, 7]), Tensor([8]), Tensor([9, 10, 11, 12, 13, 14])]
        let summed = parallel.summed(gradients)
        #expect(summed.map(\.shape) == gradients.map(\.shape))
        #expect(summed.map(\.scalars) == gradients.map { $0.scalars.map { 3 * $0 } })
        // Buckets of at most 5 floats in reverse order, variables never split: [6] [1, 4] [3].
        #expect(group.allReduceSizes == [6, 5, 3])
        // A first bucket of its own size: the last variables' gradients travel first.
        let firstSmall = MirrorGroup(size: 2)
        _ = DataParallel(group: firstSmall, bucketSize: 100, firstBucketSize: 7).summed(gradients)
        #expect(firstSmall.allReduceSizes == [7, 7])
    }

    /// A group that records, in one list, when each all-reduce starts and ends and when
    /// backpropagation runs through a marked point.
    final class OverlapRecorder: ReplicaGroup, @unchecked Sendable {
        let rank = 0, size = 2
        var events: [String] = []
        func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) { events.append("sum \(values.count)") }
        func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) {}
        func broadcast(_ bytes: UnsafeMutableRawBufferPointer) {}
        func startAllReduceSum(_ values: UnsafeMutableBufferPointer<Float>) -> () -> Void {
            events.append("start \(values.count)")
            return { [self] in events.append("wait \(values.count)") }
        }
    }

    /// An identity layer whose backward pass logs to the recorder.
    final class BackwardMarker: Layer, @unchecked Sendable {
        let recorder: OverlapRecorder
        init(_ recorder: OverlapRecorder) { self.recorder = recorder; super.init(name: "marker") }
        override func call(_ input: Tensor, training: Bool) -> Tensor {
            input.detached.recorded(from: [input]) { [recorder] g in recorder.events.append("backward"); return [g] }
        }
    }

    @Test func theLastLayersAllReduceStartsBeforeBackpropagationReachesTheFirst() throws {
        let recorder = OverlapRecorder()
        let model = Sequential {
            Dense(40, activation: .relu, inputShape: [5])    // 240 floats
            BackwardMarker(recorder)
            Dense(3, activation: .softmax)                   // 123 floats
        }
        model.compile(optimizer: SGD(), loss: .sparseCategoricalCrossentropy)
        let x = Tensor.randomNormal([8, 5], seed: 1), y = Tensor(labels: (0..<8).map { $0 % 3 })
        try model.fit(x, y, batchSize: 4, epochs: 1, verbose: .silent, shuffle: false, stepsPerEpoch: 1,
                      dataParallel: DataParallel(group: recorder, firstBucketSize: 123))
        // The second layer's 123 gradient floats start before the backward pass goes through the
        // marker into the first layer; the first layer's 240, the last bucket, are summed at once
        // (nothing left to overlap), then the first is waited for.
        #expect(recorder.events == ["start 123", "backward", "sum 240", "wait 123"])
    }

    @Test func globalBatchesAreCutIntoContiguousNearlyEqualSlices() {
        final class Rank: ReplicaGroup, @unchecked Sendable {
            let rank: Int, size = 3
            init(_ rank: Int) { self.rank = rank }
            func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) {}
            func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) {}
            func broadcast(_ bytes: UnsafeMutableRawBufferPointer) {}
        }
        let slices = (0..<3).map { DataParallel(group: Rank($0)).rows(start: 96, count: 10) }
        #expect(slices == [96..<99, 99..<102, 102..<106])
    }

    @Test func oneReplicaTrainsExactlyAsWithoutDataParallelism() throws {
        let x = Tensor.randomNormal([64, 5], seed: 1), y = Tensor(labels: (0..<64).map { $0 % 3 })
        func train(_ parallel: DataParallel?) throws -> ([Float], [Double]) {
            try Random.withSeed(7) {
                let model = Sequential {
                    Dense(8, activation: .relu, inputShape: [5])
                    BatchNormalization()
                    Dense(3, activation: .softmax)
                }
                model.compile(optimizer: Adam(), loss: .sparseCategoricalCrossentropy, metrics: [.accuracy])
                let history = try model.fit(x, y, batchSize: 8, epochs: 2, verbose: .silent, dataParallel: parallel)
                return (model.variables.flatMap(\.value.scalars), history["loss"] + history["accuracy"])
            }
        }
        let alone = try train(nil)
        let group = MirrorGroup(size: 1)
        #expect(try train(DataParallel(group: group)) == alone)
        #expect(group.allReduceCalls > 0 && group.broadcasts > 0)
        // Synchronized batch norm over one replica: the same statistics, computed another way.
        let synchronized = try train(DataParallel(group: MirrorGroup(size: 1), syncBatchNorm: true))
        #expect(zip(synchronized.0, alone.0).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) })
    }

    /// A binary classifier (so that the confusion-based metrics are reduced too), the same
    /// weights wherever it is built.
    static func classifier() -> Sequential {
        Random.withSeed(11) {
            let model = Sequential {
                Dense(6, activation: .tanh, inputShape: [4])
                Dense(1, activation: .sigmoid)
            }
            model.compile(optimizer: SGD(learningRate: 0.1), loss: .binaryCrossentropy,
                          metrics: [.accuracy, .precision(), .recall(), .auc()])
            return model
        }
    }

    static func close(_ a: Logs, _ b: Logs) -> Bool {
        a.keys.sorted() == b.keys.sorted() && a.allSatisfy { key, value in abs(value - b[key]!) <= 1e-6 * max(1, abs(value)) }
    }

    /// Counts the test batches a replica evaluates.
    final class TestBatchCounter: Callback, @unchecked Sendable {
        var batches = 0
        override func onTestBatchBegin(_ batch: Int, logs: Logs) throws { batches += 1 }
    }

    @Test(arguments: [2, 3]) func replicasEvaluateTheirSharesAndAllGetTheWhole(replicas: Int) throws {
        let x = Tensor.randomNormal([50, 4], seed: 2)
        let y = Tensor(shape: [50, 1], scalars: (0..<50).map { Float(($0 * 7) % 3 == 0 ? 1 : 0) })
        let alone = try Self.classifier().evaluate(x, y, batchSize: 8)
        let shared = try ThreadReplicas(size: replicas).run { member -> (logs: Logs, batches: Int) in
            let counter = TestBatchCounter()
            let logs = try Self.classifier().evaluate(x, y, batchSize: 8, callbacks: [counter],
                                                      dataParallel: DataParallel(group: member))
            return (logs, counter.batches)
        }
        #expect(shared.allSatisfy { Self.close($0.logs, alone) }, "alone \(alone), replicas \(shared.map(\.logs))")
        // Each replica evaluated only its share: 25 or 16–17 rows in batches of 8, not all 50.
        let expected = (0..<replicas).map { (50 * ($0 + 1) / replicas - 50 * $0 / replicas + 7) / 8 }
        #expect(shared.map(\.batches) == expected)
    }

    @Test func validationDuringFitIsSharedAndGlobal() throws {
        let x = Tensor.randomNormal([60, 4], seed: 5)
        let y = Tensor(shape: [60, 1], scalars: (0..<60).map { Float($0 % 2) })
        let results = try ThreadReplicas(size: 2).run { member -> (history: [Double], final: Logs) in
            let model = Self.classifier()
            let history = try model.fit(x, y, batchSize: 4, epochs: 3, verbose: .silent, validationSplit: 0.25,
                                        dataParallel: DataParallel(group: member))
            // The last epoch's validation, recomputed alone on the validation rows (the last 15).
            let final = try model.evaluate(x.slice(45..<60), y.slice(45..<60), batchSize: 4)
            return (history["val_loss"] + history["val_auc"], final)
        }
        #expect(results[0].history == results[1].history)
        let last = results[0].history
        #expect(abs(last[2] - results[0].final["loss"]!) <= 1e-6)
        #expect(abs(last[5] - results[0].final["auc"]!) <= 1e-6)
    }

    @Test func threadReplicasWithSyncBatchNormEqualOneProcessOnTheGlobalBatch() throws {
        let x = Tensor.randomNormal([64, 5], seed: 8), y = Tensor(labels: (0..<64).map { ($0 * 5) % 3 })
        func train(_ parallel: DataParallel?, batchSize: Int) throws -> [Float] {
            try Random.withSeed(9) {
                let model = Sequential {
                    Dense(12, activation: .relu, inputShape: [5])
                    BatchNormalization()
                    Dense(8, activation: .relu)
                    BatchNormalization()
                    Dense(3, activation: .softmax)
                }
                model.compile(optimizer: SGD(learningRate: 0.05, momentum: 0.9), loss: .sparseCategoricalCrossentropy)
                try model.fit(x, y, batchSize: batchSize, epochs: 2, verbose: .silent, dataParallel: parallel)
                return model.variables.flatMap(\.value.scalars)
            }
        }
        let alone = try train(nil, batchSize: 8)
        // Small buckets: several all-reduces per step, started as their gradients complete.
        let replicas = try ThreadReplicas(size: 2).run { member in
            try train(DataParallel(group: member, syncBatchNorm: true, bucketSize: 40, firstBucketSize: 30), batchSize: 4)
        }
        #expect(replicas[0] == replicas[1])
        let (difference, scale) = Self.largestDifference(replicas[0], alone)
        #expect(difference <= 1e-5 * scale, "largest difference \(difference)")
    }

    /// A CNN on 2 thread replicas with synchronized batch norm over NHWC (statistics over batch,
    /// height and width, summed across replicas) ends where one process on the global batch does.
    @Test func cnnReplicasWithSyncBatchNormOverImagesEqualOneProcess() throws {
        let x = Tensor.randomNormal([32, 6, 6, 2], seed: 3), y = Tensor(labels: (0..<32).map { $0 % 3 })
        func train(_ parallel: DataParallel?, batchSize: Int) throws -> [Float] {
            try Random.withSeed(4) {
                let model = Sequential {
                    Conv2D(4, kernelSize: [3, 3], padding: .same, inputShape: [6, 6, 2])
                    BatchNormalization()
                    Activation(.relu)
                    MaxPooling2D()
                    Conv2D(3, kernelSize: [2, 2], activation: .relu)
                    GlobalAveragePooling2D()
                    Dense(3, activation: .softmax)
                }
                model.compile(optimizer: SGD(learningRate: 0.05, momentum: 0.9), loss: .sparseCategoricalCrossentropy)
                try model.fit(x, y, batchSize: batchSize, epochs: 2, verbose: .silent, dataParallel: parallel)
                return model.variables.flatMap(\.value.scalars)
            }
        }
        let alone = try train(nil, batchSize: 8)
        let replicas = try ThreadReplicas(size: 2).run { member in
            try train(DataParallel(group: member, syncBatchNorm: true), batchSize: 4)
        }
        #expect(replicas[0] == replicas[1])
        let (difference, scale) = Self.largestDifference(replicas[0], alone)
        #expect(difference <= 1e-5 * scale, "largest difference \(difference)")
    }

    /// Gradient accumulation and a bfloat16 all-reduce on 2 thread replicas: with accumulation
    /// alone they end where one process with the same accumulation on the global batch does
    /// (one exchange per update); with bfloat16 on the wire too they stay identical to each other
    /// and within bfloat16's rounding of that run.
    @Test func accumulationAndBFloat16AllReduceOnReplicas() throws {
        let x = Tensor.randomNormal([48, 5], seed: 8), y = Tensor(labels: (0..<48).map { $0 % 3 })
        func train(_ parallel: DataParallel?, batchSize: Int) throws -> [Float] {
            try Random.withSeed(9) {
                let model = Sequential {
                    Dense(8, activation: .relu, inputShape: [5])
                    BatchNormalization()
                    Dense(3, activation: .softmax)
                }
                model.compile(optimizer: Adam(learningRate: 0.01, gradientAccumulationSteps: 3), loss: .sparseCategoricalCrossentropy)
                try model.fit(x, y, batchSize: batchSize, epochs: 2, verbose: .silent, dataParallel: parallel)
                return model.variables.flatMap(\.value.scalars)
            }
        }
        let alone = try train(nil, batchSize: 8)
        for precision in DataParallel.WirePrecision.allCases {
            let replicas = try ThreadReplicas(size: 2).run { member in
                try train(DataParallel(group: member, syncBatchNorm: true, gradientPrecision: precision), batchSize: 4)
            }
            #expect(replicas[0] == replicas[1], "\(precision)")
            let (difference, scale) = Self.largestDifference(replicas[0], alone)
            let tolerance: Float = precision == .float32 ? 1e-5 : 2e-2
            #expect(difference <= tolerance * scale, "\(precision): largest difference \(difference)")
            if precision == .bfloat16 { #expect(difference > 1e-6 * scale, "bfloat16 rounding should show") }
        }
    }

    /// The largest element-wise difference between a run's variables and the reference run's,
    /// and the reference's largest magnitude (the scale a relative tolerance multiplies).
    static func largestDifference(_ run: [Float], _ reference: [Float]) -> (difference: Float, scale: Float) {
        (zip(run, reference).map { abs($0 - $1) }.max()!, reference.map(abs).max()!)
    }
}
