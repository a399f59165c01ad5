import ArgumentParser
import Foundation
import Strata
import StrataLab

/// `strata train`: a model from flags or a JSON spec, on Fashion-MNIST, MNIST or a CSV file.
public struct Train: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Train a model from flags or a JSON model spec.",
        discussion: """
            Data: fashion-mnist, mnist, cifar10 (found or downloaded like Fashion-MNIST), or csv:PATH with --target (a column name or index). For CSV data \
            the task is inferred from the target: 0/1 → binary (sigmoid, binary cross-entropy), integers \
            0..<k → k classes (softmax), otherwise regression (mean squared error); features are \
            standardized with a Normalization layer adapted on the training part — with --model too: \
            a spec whose first layer is a Normalization has it adapted (unless it fixes mean and \
            variance), any other spec gets one placed before its layers. Layer names in a spec are \
            optional (Keras' dense, dense_1, … are given). Example spec: Examples/specs/.
            Examples:
              strata train --data fashion-mnist --layers 300,100 --activation selu --dropout 0.1 --optimizer nadam
              strata train --data csv:wine.csv --target class --layers 30,12,8 --batch-size 500 --epochs 2000 --early-stopping 100
            """)

    @Option(help: "fashion-mnist, mnist, cifar10 or csv:PATH.") var data: String
    @Option(parsing: .unconditional, help: "For CSV data: the target column, by name or 0-based index (negative counts from the end).") var target: String?
    @Option(help: "A JSON model spec (a Sequential or Functional config) instead of --layers.") var model: String?
    @Option(help: "Hidden layer sizes, comma separated.") var layers = "300,100"
    @Option(help: "Hidden activation: relu, leaky_relu, elu, selu, gelu, tanh, sigmoid, swish.") var activation = "relu"
    @Flag(help: "Batch normalization before each Dense layer.") var batchNorm = false
    @Option(parsing: .unconditional, help: "Dropout rate after each hidden layer (alpha dropout with selu).") var dropout: Float = 0
    @Option(parsing: .unconditional, help: "L2 factor on the kernels.") var l2: Float = 0
    @Option(help: ArgumentHelp("\(Self.optimizerNames.joined(separator: ", ")).")) var optimizer = "adam"
    @Option(parsing: .unconditional, help: "Learning rate (default: the optimizer's Keras default).") var lr: Float?
    @Option(help: "Update every N batches with the mean of their gradients (Keras' gradient_accumulation_steps; with strata-mpi, one all-reduce per update).")
    var gradientAccumulationSteps: Int?
    @Option(help: "Maximum number of epochs.") var epochs = 10
    @Option(help: "Samples per gradient step (per rank with strata-mpi).") public var batchSize = 32
    @Option(parsing: .unconditional, help: "Fraction of the training data held out (the last samples).") var validationSplit: Float = 0.1
    @Option(parsing: .unconditional, help: "Stop after this many epochs without val_loss improvement (restores the best weights).") var earlyStopping: Int?
    @Option(help: "Save the best model (by val_loss) to this .safetensors path.") var checkpoint: String?
    @Option(help: "Seed of all randomness.") var seed: UInt64 = 42
    @Option(help: "Continue training a model saved by strata train (its output model.safetensors or a checkpoint): weights, optimizer state, epoch and random stream.")
    var resume: String?
    @Option(help: "Keep a backup in this folder after every epoch; a rerun with the same folder resumes an interrupted run.")
    var backup: String?
    @Option(help: "With --backup: back up every N batches instead of every epoch; a resumed run continues at the next batch, bit-identical.")
    var backupEvery: Int?
    @Option(help: "Folder for history.csv and history.svg.") var output = "strata-train"
    @Option(help: "Mixed-precision policy: mixed_bfloat16 (bfloat16 matrix products, float32 weights and everything else; Keras' name). A resumed run keeps the saved one.")
    var mixedPrecision: String?
    @Flag(help: "For CSV data: keep the file's row order (by default rows are shuffled once with the seed, since files are often sorted and the validation split takes the last rows).")
    var keepRowOrder = false

    public init() {}

    public func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        if let mixedPrecision, MixedPrecision(rawValue: mixedPrecision) == nil {
            throw ValidationError("--mixed-precision must be \(MixedPrecision.allCases.map(\.rawValue).joined(separator: " or ")), got '\(mixedPrecision)'")
        }
        guard validationSplit >= 0, validationSplit < 1 else { throw ValidationError("--validation-split must be in [0, 1)") }
        guard dropout >= 0, dropout < 1 else { throw ValidationError("--dropout must be in [0, 1)") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive number, got \(lr)") }
        try Self.checkAccumulation(gradientAccumulationSteps)
        guard l2 >= 0, l2.isFinite else { throw ValidationError("--l2 must be 0 or a positive number, got \(l2)") }
        if let earlyStopping, earlyStopping < 0 {
            throw ValidationError("--early-stopping (the patience in epochs) must be 0 or more, got \(earlyStopping)")
        }
        if validationSplit == 0 {
            // Both monitor val_loss, which only a validation split provides (Keras would warn every epoch).
            for (option, given) in [("--early-stopping", earlyStopping != nil), ("--checkpoint", checkpoint != nil)] where given {
                throw ValidationError("\(option) monitors val_loss, which needs validation data: --validation-split is 0")
            }
        }
        if model == nil { _ = try hiddenUnits() }
        try OutputPath.check(output, option: "--output", kind: .folder)
        if let checkpoint { try OutputPath.check(checkpoint, option: "--checkpoint", kind: .file) }
        if let backup { try OutputPath.check(backup, option: "--backup", kind: .folder) }
        if let backupEvery {
            guard backup != nil else { throw ValidationError("--backup-every needs --backup (the folder the backups go to)") }
            guard backupEvery >= 1 else { throw ValidationError("--backup-every must be at least 1 batch, got \(backupEvery)") }
        }
    }

    /// `--layers` as sizes: positive integers, every comma-separated field present (`300,,100` is refused).
    func hiddenUnits() throws -> [Int] {
        try layers.split(separator: ",", omittingEmptySubsequences: false).map { text -> Int in
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value > 0 else {
                throw ValidationError("--layers must be positive integers separated by commas, got '\(layers)'")
            }
            return value
        }
    }

    public func run() throws {
        let environment = TrainingEnvironment.current
        Random.seed(seed)
        let task = try loadTask()
        let network: Model
        if let resume {
            network = try Model.loadModel(from: resume)
            guard network.optimizer != nil else {
                throw StrataError.invalidArgument("the model was saved without its compile settings", context: resume,
                                                  expected: "a file written by strata train or model.save(to:)")
            }
            // fit continues after the saved epoch, with the saved history and random stream.
            environment.say("Resuming \(resume) after epoch \((network.history?.epochs.last ?? -1) + 1)")
        } else {
            network = try model.map { try specifiedModel($0, task) } ?? buildModel(task)
            network.compile(optimizer: try makeOptimizer(), loss: task.loss, metrics: task.metrics,
                            mixedPrecision: mixedPrecision.flatMap(MixedPrecision.init(rawValue:)))
            network.classNames = task.classNames
        }
        try network.build(inputShape: task.x.sampleShape)
        environment.say(try network.summaryText())

        var callbacks: [Callback] = []
        if let earlyStopping {
            callbacks.append(EarlyStopping(monitor: "val_loss", patience: earlyStopping, restoreBestWeights: true,
                                           verbose: environment.isPrimary))
        }
        if let checkpoint { callbacks += environment.primaryOnly([ModelCheckpoint(checkpoint, saveBestOnly: true, verbose: true)]) }
        // Every replica restores from the backup; only the primary writes it.
        if let backup {
            callbacks.append(BackupAndRestore(backup, saveFrequency: backupEvery.map { .steps($0) } ?? .epoch, writes: environment.isPrimary))
        }
        callbacks += environment.addedCallbacks()
        let history = try network.fit(task.x, task.y, batchSize: batchSize, epochs: epochs, verbose: environment.verbosity,
                                      callbacks: callbacks, validationSplit: validationSplit,
                                      dataParallel: environment.dataParallel)
        // Every replica tests its share of the test data; replica 0 reports the sum.
        let testResult = try task.test.map { try network.evaluate($0.0, $0.1, batchSize: 1000, dataParallel: environment.dataParallel) }
        guard environment.isPrimary else { return }   // the other replicas hold the same model
        if let result = testResult {
            print("Test: " + result.keys.sorted().map { "\($0) \(String(format: "%.4f", result[$0]!))" }.joined(separator: " - "))
        }
        let folder = URL(fileURLWithPath: output)
        try history.writeCSV(to: folder.appendingPathComponent("history.csv").path)
        try history.plot(to: folder.appendingPathComponent("history.svg").path, plannedEpochs: epochs)
        try network.save(to: folder.appendingPathComponent("model.safetensors").path)
        print("Wrote \(folder.path)/model.safetensors, history.csv and history.svg")
    }

    /// What to learn: inputs, targets, held-out test data, the head and the loss.
    struct Task {
        var x: Samples
        var y: Tensor
        var test: (Samples, Tensor)?
        var outputUnits: Int
        var outputActivation: ActivationFunction
        var loss: Loss
        var metrics: [Metrics]
        /// CSV data: the training part, whose statistics standardize the features.
        var standardizeOn: Tensor?
        var flatten: [Int]?
        /// An image data set's class names.
        var classNames: [String]? = nil
    }

    func loadTask() throws -> Task {
        let source = try DataSpec(data, target: target, shuffleSeed: keepRowOrder ? nil : seed)
        let (x, y) = source.training
        if let classes = source.classNames, source.test != nil {
            return Task(x: x, y: y, test: source.test, outputUnits: classes.count, outputActivation: .softmax,
                        loss: .sparseCategoricalCrossentropy, metrics: [.accuracy], standardizeOn: nil, flatten: x.sampleShape,
                        classNames: classes)
        }
        // CSV: standardize with the statistics of the training part; infer the task from the target.
        let trainCount = trainingSampleCount(of: x.count, validationSplit: validationSplit)
        guard trainCount > 0, trainCount < x.count || validationSplit == 0 else {
            throw StrataError.invalidArgument("\(x.count) rows are not sufficient to split with --validation-split \(validationSplit) "
                                              + "(\(trainCount) would train)", context: data, expected: "more rows or a different split")
        }
        let trainingPart = x.slice(0..<trainCount).tensor
        let values = Set(y.scalars)
        guard values.count >= 2 else {
            throw StrataError.invalidArgument("the target column '\(target ?? "")' holds one value (\(values.first.map { "\($0)" } ?? "none")) in all \(y.count) rows",
                                              context: data, expected: "a target with at least two classes or values to learn")
        }
        if values.isSubset(of: [0, 1]) {
            return Task(x: x, y: y, test: nil, outputUnits: 1, outputActivation: .sigmoid, loss: .binaryCrossentropy,
                        metrics: [.accuracy], standardizeOn: trainingPart, flatten: nil)
        }
        if values.allSatisfy({ $0 >= 0 && $0 == $0.rounded() }), values.count <= 100, let top = values.max(), top < 200 {
            return Task(x: x, y: y, test: nil, outputUnits: Int(top) + 1, outputActivation: .softmax,
                        loss: .sparseCategoricalCrossentropy, metrics: [.accuracy], standardizeOn: trainingPart, flatten: nil)
        }
        return Task(x: x, y: y, test: nil, outputUnits: 1, outputActivation: .linear, loss: .meanSquaredError,
                    metrics: [.meanAbsoluteError], standardizeOn: trainingPart, flatten: nil)
    }

    func buildModel(_ task: Task) throws -> Sequential {
        let units = try hiddenUnits()
        let hidden = try ActivationFunction(config: .string(activation))
        let initializer: Initializer = activation == "selu" ? .lecunNormal
            : ["relu", "leaky_relu", "elu", "gelu", "swish", "silu"].contains(activation) ? .heNormal : .glorotUniform
        var stack: [Layer] = []
        if let shape = task.flatten { stack.append(Flatten(inputShape: shape)) }
        if let trainingPart = task.standardizeOn { stack.append(try Self.normalization(adaptedTo: trainingPart)) }
        for width in units {
            if batchNorm { stack.append(BatchNormalization()) }
            stack.append(Dense(width, activation: hidden, kernelInitializer: initializer, kernelRegularizer: l2 > 0 ? .l2(l2) : nil))
            if dropout > 0 { stack.append(activation == "selu" ? AlphaDropout(dropout) as Layer : Dropout(dropout)) }
        }
        if batchNorm { stack.append(BatchNormalization()) }
        stack.append(Dense(task.outputUnits, activation: task.outputActivation))
        return Sequential(stack)
    }

    /// The model of a JSON spec (a Sequential or a functional config). With CSV data its features
    /// are standardized as with flags: a leading `Normalization` of the spec's own is adapted on
    /// the training part (unless the spec fixes its mean and variance); any other spec gets one
    /// placed before its layers (a functional spec: called on the normalized input).
    func specifiedModel(_ path: String, _ task: Task) throws -> Model {
        let spec = try Model.from(specificationFile: path)
        guard let trainingPart = task.standardizeOn else { return spec }
        if let own = spec.layers.first as? Normalization {
            if !own.isAdapted { try own.adapt(trainingPart) }
            return spec
        }
        let normalization = try Self.normalization(adaptedTo: trainingPart)
        if let sequential = spec as? Sequential { return Sequential([normalization] + sequential.layers, name: spec.name) }
        let input = Input(shape: Array(trainingPart.shape.dropFirst()))
        return try Model(inputs: input, outputs: try spec(try normalization(input)), name: spec.name)
    }

    static func normalization(adaptedTo data: Tensor) throws -> Normalization {
        let layer = Normalization()
        try layer.adapt(data)
        return layer
    }

    /// `--gradient-accumulation-steps`, when given, is at least 2 (as Keras requires).
    static func checkAccumulation(_ steps: Int?) throws {
        if let steps, steps < 2 { throw ValidationError("--gradient-accumulation-steps must be at least 2 (Keras' rule), got \(steps)") }
    }

    /// Every `OptimizerPreset`'s name: the registered optimizers and SGD's momentum variants.
    static var optimizerNames: [String] { OptimizerPreset.all.map(\.name) }

    /// The named optimizer with its Keras defaults (the learning rate from `--lr` when given).
    func makeOptimizer() throws -> Optimizer {
        guard let preset = OptimizerPreset.named(optimizer) else {
            throw ValidationError("--optimizer '\(optimizer)' is not one of \(Self.optimizerNames.joined(separator: ", "))")
        }
        return try preset.make(learningRate: lr, gradientAccumulationSteps: gradientAccumulationSteps)
    }
}
