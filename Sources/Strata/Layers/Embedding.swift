/// Maps integer ids to learned vectors (Keras `Embedding`): an input of ids shaped `[batch] + s`
/// becomes `[batch] + s + [outputDim]`, row `id` of the `[inputDim, outputDim]` table for each id.
///
///     let tokens = Input(shape: [20])
///     let vectors = try Embedding(inputDim: 10_000, outputDim: 16)(tokens)   // [20, 16]
///
/// Defaults (Keras 3): the table starts uniform in [−0.05, 0.05] (`embeddings_initializer`
/// `"uniform"`). The gradient adds each id's output gradient into its row of a zero table — no
/// one-hot matrix is formed, and rows no id touched stay zero. Ids arrive as floats (as every
/// Strata input does); `fit`, `evaluate` and `predict` refuse an id that is not an integer in
/// `0..<inputDim` with a `StrataError` naming the id and the layer.
public final class Embedding: Layer, ConfigurableLayer {
    /// The number of ids (the table's rows): ids are in `0..<inputDim`.
    public let inputDim: Int
    /// The length of each vector.
    public let outputDim: Int
    /// How the table is initialized.
    public let embeddingsInitializer: Initializer
    /// Penalty on the table.
    public let embeddingsRegularizer: Regularizer?

    /// The `[inputDim, outputDim]` table (nil until built).
    public private(set) var embeddings: Variable?

    /// Creates an embedding of `inputDim` ids into vectors of `outputDim`.
    ///
    /// - Parameters:
    ///   - inputDim: the number of ids (vocabulary size); ids are in `0..<inputDim`.
    ///   - outputDim: the length of each vector.
    ///   - embeddingsInitializer: the table's initializer (default uniform in [−0.05, 0.05]).
    ///   - embeddingsRegularizer: a penalty on the table (default none).
    ///   - activityRegularizer: a penalty on the output (default none).
    ///   - inputShape: the shape of one sample of ids, to build at once (default: at the first call).
    ///   - name: the layer's name (default `embedding`, `embedding_1`, …).
    public init(inputDim: Int, outputDim: Int, embeddingsInitializer: Initializer = .randomUniform(minval: -0.05, maxval: 0.05),
                embeddingsRegularizer: Regularizer? = nil, activityRegularizer: Regularizer? = nil,
                inputShape: [Int]? = nil, name: String? = nil) {
        (self.inputDim, self.outputDim) = (inputDim, outputDim)
        self.embeddingsInitializer = embeddingsInitializer
        self.embeddingsRegularizer = embeddingsRegularizer
        super.init(name: name, inputShape: inputShape)
        self.activityRegularizer = activityRegularizer
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "Embedding")
        guard try !r.bool("mask_zero", default: false) else {
            throw StrataError.invalidArgument("mask_zero true is not supported", context: "Embedding config",
                                              expected: "mask_zero false (Strata has no masking)")
        }
        self.init(inputDim: try r.int("input_dim"), outputDim: try r.int("output_dim"),
                  embeddingsInitializer: try r.initializer("embeddings_initializer", default: .randomUniform(minval: -0.05, maxval: 0.05)),
                  embeddingsRegularizer: try r.regularizer("embeddings_regularizer"),
                  inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }

    public override func build(for inputShape: [Int]) throws {
        guard inputDim > 0, outputDim > 0 else {
            throw StrataError.invalidArgument("inputDim \(inputDim) and outputDim \(outputDim)", context: "Embedding '\(name)'",
                                              expected: "both positive")
        }
        embeddings = try addWeight("embeddings", shape: [inputDim, outputDim], initializer: embeddingsInitializer,
                                   regularizer: embeddingsRegularizer)
    }

    /// The first id of `ids` that is not an integer in `0..<inputDim`, with its position.
    func firstInvalidID(in ids: Tensor) -> (position: Int, id: Float)? {
        let limit = Float(inputDim)
        return ids.withUnsafeBufferPointer { values in
            values.firstIndex { !($0 >= 0 && $0 < limit && $0 == $0.rounded()) }.map { ($0, values[$0]) }
        }
    }

    override func validate(input ids: Samples, operation: String) throws {
        guard let floats = ids.floats, let (position, id) = firstInvalidID(in: floats) else { return }
        let perSample = Swift.max(1, ids.sampleShape.reduce(1, *))
        throw StrataError.invalidArgument("id \(id) at sample \(position / perSample) is not in the vocabulary of \(inputDim)",
                                          context: "\(operation), Embedding '\(name)'", expected: "integer ids in 0..<\(inputDim)")
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let limit = Float(inputDim)
        let rows = x.withUnsafeBufferPointer { ids in
            ids.map { id in
                precondition(id >= 0 && id < limit && id == id.rounded(), "Embedding '\(name)': id \(id) is not an integer in 0..<\(inputDim)")
                return Int(id)
            }
        }
        return embeddings!.value.gathering(rows: rows).reshaped(to: x.shape + [outputDim])
    }

    public override func outputShape(for inputShape: [Int]) -> [Int] { inputShape + [outputDim] }

    public override var options: [String: ConfigValue] {
        ["input_dim": .int(inputDim), "output_dim": .int(outputDim), "embeddings_initializer": embeddingsInitializer.config,
         "embeddings_regularizer": embeddingsRegularizer?.config ?? .null, "mask_zero": .bool(false)]
    }
}
