import Foundation

/// One training step's data, ready to train on: this process's rows of a global batch.
struct LoadedBatch {
    let x: [Tensor], y: [Tensor], weights: Tensor?
    /// Each row's key for the augmentation layers (its sample index in the data).
    let keys: [UInt64]
    /// The rows of the global batch, over all processes.
    let globalRows: Int
}

/// What `fit`'s loop trains on, whatever holds the data: an epoch is a seeded plan of steps,
/// each loaded when it is trained on (or one step ahead, on a worker thread). Its type is used on
/// that worker thread, hence `SendableMetatype`.
protocol FitSource: SendableMetatype {
    associatedtype Step
    /// Steps per epoch.
    var stepsPerEpoch: Int { get }
    /// What an epoch's order is cut from — samples and global batch size, or a dataset's batches
    /// — checked when a run resumes inside an epoch.
    var extent: (samples: Int, globalBatch: Int) { get }
    /// The shapes the epoch's trackers are built for.
    var targetShapes: [[Int]] { get }
    var predictionShapes: [[Int]] { get }
    /// Whether steps are loaded one ahead on a worker thread.
    var loadsAhead: Bool { get }
    /// The next epoch's order seed (the same on every process).
    func nextSeed() -> UInt64
    /// The steps of `epoch` in the order `seed` draws.
    func plan(epoch: Int, seed: UInt64) -> [Step]
    /// A step's data, checked.
    func load(_ step: Step) throws -> LoadedBatch
    /// After the epoch's last step.
    func endEpoch(_ epoch: Int)
}

/// Arrays in memory: the rows of each epoch in a seeded shuffled order, cut into batches.
struct ArraySource: FitSource {
    let data: FitInputs
    let batches: EpochBatches
    let batchSize: Int

    var stepsPerEpoch: Int { batches.stepsPerEpoch }
    var extent: (samples: Int, globalBatch: Int) { (batches.samples, batches.globalBatch) }
    var targetShapes: [[Int]] { data.y.map(\.shape) }
    var predictionShapes: [[Int]] { data.outputShapes.map { [batchSize] + $0 } }
    var loadsAhead: Bool { false }   // a gather from memory: nothing to overlap
    func nextSeed() -> UInt64 { batches.nextSeed() }
    func plan(epoch: Int, seed: UInt64) -> [EpochBatches.Batch] { batches.epoch(seed: seed) }

    func load(_ batch: EpochBatches.Batch) throws -> LoadedBatch {
        let (x, y, weights) = data.batch(batch.rows)
        return LoadedBatch(x: x, y: y, weights: weights, keys: batch.rows.map { UInt64($0) }, globalRows: batch.globalRows)
    }

    func endEpoch(_ epoch: Int) {}
}

/// A `Dataset`: its batches in a seeded random order (or in order), each checked as `fit`
/// checks arrays when it is read; this process trains on its share of each batch's rows.
struct DatasetSource: FitSource {
    let dataset: any Dataset
    let model: Model
    let outputs: [CompiledOutput]
    let shuffle: Bool
    let strategy: any DistributionStrategy
    let stepsPerEpoch: Int
    let targetShapes: [[Int]], predictionShapes: [[Int]]
    /// The rows of the first batch: row r of batch i is sample i · rows + r for the augmentation
    /// layers (the index arrays would give it when the batches are the arrays' in order).
    let batchRows: Int

    /// Checks the dataset and reads its first batch for the model's shapes.
    init(_ dataset: any Dataset, model: Model, outputs: [CompiledOutput], shuffle: Bool, stepsPerEpoch: Int?,
         strategy: any DistributionStrategy) throws {
        guard dataset.batchCount >= 1 else {
            throw StrataError.invalidArgument("the dataset has \(dataset.batchCount) batches", context: "fit", expected: "at least one batch")
        }
        if let stepsPerEpoch, stepsPerEpoch < 1 {
            throw StrataError.invalidArgument("stepsPerEpoch is \(stepsPerEpoch)", context: "fit", expected: "≥ 1")
        }
        (self.dataset, self.model, self.outputs, self.shuffle, self.strategy) = (dataset, model, outputs, shuffle, strategy)
        self.stepsPerEpoch = Swift.min(dataset.batchCount, stepsPerEpoch ?? .max)
        let first = try Self.checked(dataset, 0, model: model, outputs: outputs, operation: "fit")
        targetShapes = first.y.map(\.shape)
        predictionShapes = first.outputShapes.map { [first.x[0].count] + $0 }
        batchRows = first.x[0].count
    }

    var extent: (samples: Int, globalBatch: Int) { (dataset.batchCount, 0) }
    var loadsAhead: Bool { dataset.workers > 0 }

    func nextSeed() -> UInt64 {
        let seed = Random.nextSeed()
        return shuffle ? strategy.agree(seed) : seed
    }

    func plan(epoch: Int, seed: UInt64) -> [Int] {
        dataset.onEpochBegin(epoch)
        let order = shuffle ? Random.permutation(dataset.batchCount, seed: seed) : Array(0..<dataset.batchCount)
        return Array(order.prefix(stepsPerEpoch))
    }

    func load(_ index: Int) throws -> LoadedBatch {
        let batch = try Self.checked(dataset, index, model: model, outputs: outputs, operation: "fit")
        let rows = batch.x[0].count
        let share = strategy.rows(start: 0, count: rows)
        guard !share.isEmpty else {
            throw StrataError.invalidArgument("batch \(index) of the dataset has \(rows) rows for \(strategy.processes) replicas",
                                              context: "fit", expected: "at least one row per replica in every batch")
        }
        let ordered = Array(share)
        return LoadedBatch(x: batch.x.map { $0.gather(ordered) }, y: batch.y.map { $0.gathering(rows: ordered) },
                           weights: batch.weights?.reshaped(to: [-1]).gathering(rows: ordered),
                           keys: ordered.map { UInt64(index * batchRows + $0) }, globalRows: rows)
    }

    func endEpoch(_ epoch: Int) { dataset.onEpochEnd(epoch) }

    /// Batch `index` of `dataset` checked as arrays are (`TrainingData.prepare`), the error
    /// naming the batch.
    static func checked(_ dataset: any Dataset, _ index: Int, model: Model, outputs: [CompiledOutput],
                        operation: String) throws -> (x: [Samples], y: [Tensor], weights: Tensor?, outputShapes: [[Int]]) {
        let context = "\(operation), batch \(index) of the dataset"
        let batch = try dataset.batch(index)
        guard let y = batch.y else {
            throw StrataError.invalidArgument("the batch has no targets", context: context, expected: "DatasetBatch(x, y)")
        }
        let (x, targets, outputShapes) = try TrainingData.prepare(model, x: batch.x, y: y, sampleWeight: batch.sampleWeight,
                                                                  outputs: outputs, operation: context)
        return (x, targets, batch.sampleWeight, outputShapes)
    }
}

/// An epoch's steps loaded in order — each on the training thread when it is needed, or the next
/// one on a worker thread while the current one trains.
final class StepLoader<Source: FitSource>: @unchecked Sendable {
    private let source: Source
    private let steps: [Source.Step]
    private let ahead: Bool
    private var next: Int
    private let queue = DispatchQueue(label: "strata.fit.prefetch")
    private let inFlight = DispatchGroup()
    private var prefetched: Result<LoadedBatch, Error>?

    init(_ source: Source, steps: [Source.Step], from first: Int) {
        (self.source, self.steps, self.next, ahead) = (source, steps, first, source.loadsAhead)
        if ahead { startNext() }
    }

    /// The next step's position in the epoch and data, or nil after the last.
    func nextStep() throws -> (index: Int, batch: LoadedBatch)? {
        guard next < steps.count else { return nil }
        let index = next
        next += 1
        guard ahead else { return (index, try source.load(steps[index])) }
        inFlight.wait()
        let result = prefetched!
        prefetched = nil
        if next < steps.count { startNext() }
        return (index, try result.get())
    }

    /// Waits for a load still running (before the epoch ends).
    func finish() { inFlight.wait() }

    private func startNext() {
        let position = next
        inFlight.enter()
        queue.async {
            self.prefetched = Result { try self.source.load(self.steps[position]) }
            self.inFlight.leave()
        }
    }
}
