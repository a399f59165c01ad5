/// The graph of a functional model (Keras' `Functional`/`Function`): its input and output
/// tensors, the nodes between them in an order that runs every node after its inputs' producers,
/// and, per node, where its inputs are and when each value is last used — so a forward pass
/// frees every intermediate batch as soon as its last consumer has run.
final class FunctionalGraph {
    let inputs: [SymbolicTensor]
    let outputs: [SymbolicTensor]
    /// Every node but the inputs', by decreasing depth from the outputs (so each after the
    /// producers of its inputs), as Keras runs them.
    let nodes: [GraphNode]
    /// The operations (layers, nested models) in Keras' order — by decreasing depth, a shared
    /// one at its deepest call, ties by first visit from the outputs: the order of `layers` and
    /// of the weights.
    let operations: [GraphOperation]

    /// Which call of its operation each node is, counted in `nodes`' order (an input's node: 0) —
    /// Keras' node index in `keras_history` and in the summary's "Connected to".
    private let callIndex: [ObjectIdentifier: Int]

    /// Where each value lives while the graph runs: one slot per input, then one per node output.
    private let inputSlots: [[Int]]      // per node: its inputs' slots
    private let outputSlots: [[Int]]     // per node: its outputs' slots
    private let freedAfter: [[Int]]      // per node: the slots whose last use it is
    private let resultSlots: [Int]
    private let slotCount: Int

    /// Inference folding: the (producer, normalization) node positions where a normalization
    /// (`PerFeatureAffine`) reads the only use of a Dense's or convolution's output, each layer
    /// called once in the graph — and, derived from the weights, the folded copies that run.
    let foldCandidates: [(producer: Int, normalization: Int)]
    private let folding = WeightDerived<(replacements: [Int: Layer], skipped: Set<Int>)>()

    /// Checks and orders the graph between `inputs` and `outputs`: every input an `Input`, used
    /// once in the list and by some output; every output reachable from the inputs alone.
    init(inputs: [SymbolicTensor], outputs: [SymbolicTensor], model: String) throws {
        let context = "Model '\(model)'"
        guard !inputs.isEmpty, !outputs.isEmpty else {
            throw StrataError.invalidArgument("has \(inputs.count) inputs and \(outputs.count) outputs", context: context,
                                              expected: "at least one of each")
        }
        for input in inputs where !input.producer.isInput {
            throw StrataError.invalidArgument("input '\(input.name)' is the output of a layer, not an Input", context: context,
                                              expected: "tensors made by Input(shape:)")
        }
        let inputNodes = inputs.map { ObjectIdentifier($0.producer) }
        if let repeated = inputs.first(where: { input in inputNodes.filter { $0 == ObjectIdentifier(input.producer) }.count > 1 }) {
            throw StrataError.invalidArgument("input '\(repeated.name)' is listed twice", context: context, expected: "distinct inputs")
        }
        self.inputs = inputs
        self.outputs = outputs

        // Keras' map_graph: a depth-first walk from the outputs (each operation numbered at its
        // first visit), then each node's depth — 0 at an output, one more than its deepest
        // consumer, a shared operation at its deepest node — and the nodes and operations by
        // decreasing depth, ties by the walk. (Symbolic tensors are immutable, so a node's
        // inputs always exist before it: there are no cycles.)
        var postOrder: [GraphNode] = [], visited = Set<ObjectIdentifier>(), firstVisit: [ObjectIdentifier: Int] = [:]
        var reachedInputs = Set<ObjectIdentifier>()
        func visit(_ node: GraphNode, from consumer: String) throws {
            let id = ObjectIdentifier(node)
            guard visited.insert(id).inserted else { return }
            if firstVisit[ObjectIdentifier(node.operation)] == nil { firstVisit[ObjectIdentifier(node.operation)] = firstVisit.count }
            if node.isInput {
                guard inputNodes.contains(id) else {
                    throw StrataError.invalidArgument(
                        "the graph is disconnected: '\(consumer)' needs Input '\(node.operation.name)', which is not among the model's inputs",
                        context: context, expected: "inputs: [\((inputs.map(\.name) + [node.operation.name]).joined(separator: ", "))]")
                }
                reachedInputs.insert(id)
                return
            }
            for input in node.inputs { try visit(input.producer, from: node.operation.name) }
            postOrder.append(node)
        }
        for output in outputs { try visit(output.producer, from: output.name) }
        for input in inputs where !reachedInputs.contains(ObjectIdentifier(input.producer)) {
            throw StrataError.invalidArgument("input '\(input.name)' is used by no output", context: context,
                                              expected: "every input connected to an output (remove it from inputs)")
        }
        var nodeDepth: [ObjectIdentifier: Int] = [:], operationDepth: [ObjectIdentifier: Int] = [:]
        for node in postOrder.reversed() {
            let operation = ObjectIdentifier(node.operation)
            let depth = Swift.max(nodeDepth[ObjectIdentifier(node), default: 0], operationDepth[operation, default: 0])
            operationDepth[operation] = depth
            nodeDepth[ObjectIdentifier(node)] = depth
            for input in node.inputs where !input.producer.isInput {
                nodeDepth[ObjectIdentifier(input.producer)] = Swift.max(depth + 1, nodeDepth[ObjectIdentifier(input.producer), default: 0])
            }
        }
        let position = Dictionary(uniqueKeysWithValues: postOrder.enumerated().map { (ObjectIdentifier($1), $0) })
        let ordered = postOrder.sorted { a, b in
            let (da, db) = (nodeDepth[ObjectIdentifier(a)]!, nodeDepth[ObjectIdentifier(b)]!)
            return da != db ? da > db : position[ObjectIdentifier(a)]! < position[ObjectIdentifier(b)]!
        }
        nodes = ordered
        var seen = Set<ObjectIdentifier>()
        operations = postOrder.map(\.operation).filter { seen.insert(ObjectIdentifier($0)).inserted }.sorted { a, b in
            let (da, db) = (operationDepth[ObjectIdentifier(a)]!, operationDepth[ObjectIdentifier(b)]!)
            return da != db ? da > db : firstVisit[ObjectIdentifier(a)]! < firstVisit[ObjectIdentifier(b)]!
        }

        var calls: [ObjectIdentifier: Int] = [:], callIndex: [ObjectIdentifier: Int] = [:]
        for node in ordered {
            callIndex[ObjectIdentifier(node)] = calls[ObjectIdentifier(node.operation), default: 0]
            calls[ObjectIdentifier(node.operation), default: 0] += 1
        }
        self.callIndex = callIndex

        // Slots: the inputs first, then each node's outputs.
        var slots: [ObjectIdentifier: Int] = [:]
        for (index, input) in inputs.enumerated() { slots[ObjectIdentifier(input.producer)] = index }
        var next = inputs.count
        var outputSlots: [[Int]] = []
        for node in ordered {
            slots[ObjectIdentifier(node)] = next
            outputSlots.append(Array(next ..< next + node.outputShapes.count))
            next += node.outputShapes.count
        }
        func slot(_ tensor: SymbolicTensor) -> Int { slots[ObjectIdentifier(tensor.producer)]! + tensor.index }
        let inputSlots = ordered.map { $0.inputs.map(slot) }
        let resultSlots = outputs.map(slot)
        var lastUse: [Int: Int] = [:]
        for (position, used) in inputSlots.enumerated() { for s in used { lastUse[s] = position } }
        var freedAfter = [[Int]](repeating: [], count: ordered.count)
        for (s, position) in lastUse where !resultSlots.contains(s) { freedAfter[position].append(s) }
        (self.inputSlots, self.outputSlots, self.freedAfter, self.resultSlots, self.slotCount)
            = (inputSlots, outputSlots, freedAfter, resultSlots, next)

        var consumers: [Int: Int] = [:]
        for used in inputSlots { for s in used { consumers[s, default: 0] += 1 } }
        let producerOf = Dictionary(uniqueKeysWithValues: outputSlots.enumerated().flatMap { position, slots in slots.map { ($0, position) } })
        foldCandidates = ordered.indices.compactMap { position in
            let node = ordered[position]
            guard node.operation is PerFeatureAffine, inputSlots[position].count == 1, let s = inputSlots[position].first,
                  let producer = producerOf[s], ordered[producer].operation is AffineAbsorbing,
                  consumers[s] == 1, !resultSlots.contains(s),
                  calls[ObjectIdentifier(node.operation)] == 1, calls[ObjectIdentifier(ordered[producer].operation)] == 1
            else { return nil }
            return (producer, position)
        }
    }

    /// The folded copies for the weights as they are now (see `foldCandidates`); nil when none folds.
    private func deriveFolds() -> (replacements: [Int: Layer], skipped: Set<Int>)? {
        var replacements: [Int: Layer] = [:], skipped = Set<Int>()
        for (producer, position) in foldCandidates {
            guard let affine = nodes[position].operation as? PerFeatureAffine, affine.activityRegularizer == nil,
                  let absorbing = nodes[producer].operation as? AffineAbsorbing, absorbing.activityRegularizer == nil,
                  let (scale, shift) = affine.inferenceAffine(sampleRank: nodes[position].inputs[0].shape.count),
                  let merged = absorbing.absorbingOutput(scale: scale, shift: shift) else { continue }
            replacements[producer] = merged
            skipped.insert(position)
        }
        return replacements.isEmpty ? nil : (replacements, skipped)
    }

    /// `tensor` as Keras references it: its layer, which call of that layer, which output.
    func reference(_ tensor: SymbolicTensor) -> (layer: String, call: Int, output: Int) {
        (tensor.name, callIndex[ObjectIdentifier(tensor.producer)] ?? 0, tensor.index)
    }

    /// The per-sample shapes of the inputs and outputs.
    var inputShapes: [[Int]] { inputs.map(\.shape) }
    var outputShapes: [[Int]] { outputs.map(\.shape) }

    /// The layers holding the graph's weights, in `operations` order, each once (a nested
    /// model's layers in its own order).
    var layers: [Layer] {
        var seen = Set<ObjectIdentifier>()
        return operations.flatMap(\.operationLayers).filter { seen.insert(ObjectIdentifier($0)).inserted }
    }

    /// Runs the graph on one batch per input; each intermediate value is dropped after its
    /// last consumer. `observe`, when given, sees each node with its inputs and outputs (the
    /// `Diagnostics` probe).
    func run(_ values: [Tensor], training: Bool,
             observe: ((_ node: GraphNode, _ inputs: [Tensor], _ outputs: [Tensor]) -> Void)? = nil) -> [Tensor] {
        precondition(values.count == inputs.count, "functional model: \(values.count) inputs for \(inputs.count)")
        var live = [Tensor?](repeating: nil, count: slotCount)
        for (slot, value) in values.enumerated() { live[slot] = value }   // the inputs hold the first slots
        // Inference (unobserved, no gradient through it): normalizations folded into their producers.
        let folds = training || observe != nil || foldCandidates.isEmpty ? nil
            : folding.value(for: layers, inputs: values, derive: deriveFolds)
        for (position, node) in nodes.enumerated() {
            if let folds, folds.skipped.contains(position) {   // its producer's folded copy did its work
                live[outputSlots[position][0]] = live[inputSlots[position][0]]
                for slot in freedAfter[position] { live[slot] = nil }
                continue
            }
            let inputs = inputSlots[position].map { live[$0]! }
            let operation: GraphOperation = folds?.replacements[position] ?? node.operation
            let results = operation.run(inputs, training: training)
            observe?(node, inputs, results)
            for (slot, result) in zip(outputSlots[position], results) { live[slot] = result }
            for slot in freedAfter[position] { live[slot] = nil }
        }
        return resultSlots.map { live[$0]! }
    }
}
