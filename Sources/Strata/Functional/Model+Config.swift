import Foundation

/// Keras 3's functional model config (`keras/src/models/functional.py`, `get_config` and
/// `functional_from_config`): the layers, each with its `inbound_nodes` — per call, the tensors
/// it was called on as `{"class_name": "__keras_tensor__", "config": {"shape", "dtype",
/// "keras_history": [layer, node index, tensor index]}}` (a list of them for a merge layer) —
/// and the `input_layers` / `output_layers` references.
extension Model {
    /// The architecture as a Keras config: `Sequential`'s, or a functional model's
    /// `{"class_name": "Functional", "config": {"name", "layers", "input_layers", "output_layers"}}`;
    /// nil for a subclassed model (its architecture is code).
    public var architectureConfig: ConfigValue? {
        if let sequential = self as? Sequential { return sequential.config }
        guard let graph, let names = graphNames else { return nil }
        func reference(_ tensor: SymbolicTensor) -> ConfigValue {
            let (layer, call, output) = graph.reference(tensor)
            return .array([.string(layer), .int(call), .int(output)])
        }
        func kerasTensor(_ tensor: SymbolicTensor) -> ConfigValue {
            .object(["class_name": .string("__keras_tensor__"),
                     "config": .object(["shape": .array([.null] + tensor.shape.map { .int($0) }), "dtype": .string("float32"),
                                        "keras_history": reference(tensor)])])
        }
        var entries: [ConfigValue] = graph.inputs.map { input in
            let layer = input.producer.operation as! InputLayer
            return Model.layerEntry(layer.config, name: layer.name, inboundNodes: [])
        }
        for operation in graph.operations {
            let calls = graph.nodes.filter { $0.operation === operation }.map { node -> ConfigValue in
                let args: ConfigValue = operation is MergeLayer || (operation is Model && node.inputs.count > 1)
                    ? .array([.array(node.inputs.map(kerasTensor))]) : .array([kerasTensor(node.inputs[0])])
                return .object(["args": args, "kwargs": .object([:])])
            }
            let config = (operation as? Layer)?.config ?? (operation as! Model).architectureConfig ?? .null
            entries.append(Model.layerEntry(config, name: operation.name, inboundNodes: calls))
        }
        func references(_ tensors: [SymbolicTensor], _ keys: [String]) -> ConfigValue {
            keys == tensors.map(\.name) ? .array(tensors.map(reference))
                : .object(Dictionary(uniqueKeysWithValues: zip(keys, tensors.map(reference))))
        }
        return .object(["class_name": .string("Functional"),
                        "config": .object(["name": .string(name), "trainable": .bool(true), "layers": .array(entries),
                                           "input_layers": references(graph.inputs, names.inputs),
                                           "output_layers": references(graph.outputs, names.outputs)])])
    }

    private static func layerEntry(_ config: ConfigValue, name: String, inboundNodes: [ConfigValue]) -> ConfigValue {
        guard case .object(var entry) = config else { return config }
        entry["module"] = .string("keras.layers")
        entry["registered_name"] = .null
        entry["name"] = .string(name)
        entry["inbound_nodes"] = .array(inboundNodes)
        return .object(entry)
    }

    /// Rebuilds a model (architecture only, fresh weights) from a Keras config: `Sequential` or
    /// `Functional` (Keras 3's format; Keras 2's `[[name, node, tensor, kwargs]]` inbound nodes
    /// are read too). A functional config's layers are created first, then their calls are
    /// replayed as soon as the tensors they need exist; a call that can never run (a cycle, or a
    /// reference to a missing layer) is a `StrataError` naming the layer.
    public static func from(config: ConfigValue) throws -> Model {
        let outer = try ConfigReader(config, owner: "model config")
        switch try outer.string("class_name") {
        case "Sequential": return try Sequential(config: config)
        case "Functional", "Model": return try functional(from: try ConfigReader(outer.value("config"), owner: "model config"))
        case let other:
            throw StrataError.invalidArgument("class_name is '\(other)'", context: "model config", expected: "Sequential or Functional")
        }
    }

    /// Reads a model config from a JSON file (`strata train --model spec.json`).
    public static func from(specificationFile path: String) throws -> Model {
        let config = try specification(at: path)
        do { return try from(config: config) } catch let error as StrataError {
            throw StrataError(kind: error.kind, message: error.message, context: "\(path): \(error.context ?? "")", expected: error.expected)
        }
    }

    /// The JSON of a spec file, or a `StrataError` naming the file.
    static func specification(at path: String) throws -> ConfigValue {
        let data = try FileBytes.read(path, expected: "a model config in JSON")
        do { return try JSONDecoder().decode(ConfigValue.self, from: data) } catch {
            throw StrataError(kind: .invalidFile, message: "not valid JSON (\(error.localizedDescription))", context: path,
                              expected: "a model config: {\"class_name\": \"Sequential\" or \"Functional\", \"config\": {…}}")
        }
    }

    private static func functional(from config: ConfigReader) throws -> Model {
        guard case .array(let entries) = config.value("layers") else {
            throw StrataError.invalidArgument("'layers' is missing or not an array", context: "model config")
        }
        // 1. Every layer (an InputLayer is an Input; a nested model is rebuilt whole).
        var operations: [String: GraphOperation] = [:], order: [String] = [], pending: [(String, [ConfigValue])] = []
        var produced: [String: [[SymbolicTensor]]] = [:]   // per layer: each call's outputs
        for (index, entry) in entries.enumerated() {
            let context = "config.layers[\(index)]"
            let reader = try ConfigReader(entry, owner: context)
            let className = try reader.string("class_name")
            let inner = try ConfigReader(reader.value("config"), owner: "\(context) (\(className))")
            let name = try reader.optionalString("name") ?? inner.string("name")
            guard operations[name] == nil else {
                throw StrataError.invalidArgument("layer name '\(name)' is used twice", context: context, expected: "unique layer names")
            }
            if className == "InputLayer" {
                // Keras 3 writes batch_shape [null, …]; older configs batch_input_shape or shape.
                let batchShape = inner.value("batch_shape") != .null ? inner.value("batch_shape") : inner.value("batch_input_shape")
                let shape: [Int]
                if case .array(let dimensions) = batchShape, !dimensions.isEmpty {
                    shape = try ConfigReader(.object(["shape": .array(Array(dimensions.dropFirst()))]), owner: "\(context) (InputLayer)")
                        .ints("shape")
                } else {
                    shape = try inner.ints("shape")
                }
                let input = Input(shape: shape, name: name)
                operations[name] = input.producer.operation
                produced[name] = [[input]]
            } else {
                do {
                    operations[name] = ["Functional", "Sequential", "Model"].contains(className)
                        ? try Model.from(config: entry) : try Layer.from(config: entry)
                } catch let error as StrataError {
                    throw StrataError(kind: error.kind, message: error.message, context: "\(context)" + (error.context.map { " (\($0))" } ?? ""),
                                      expected: error.expected)
                }
                guard case .array(let nodes) = reader.value("inbound_nodes") else {
                    throw StrataError.invalidArgument("'inbound_nodes' is missing or not an array", context: "\(context) ('\(name)')")
                }
                pending.append((name, nodes))
            }
            order.append(name)
        }
        // 2. Replay the calls, each once the tensors it reads exist.
        func tensor(_ reference: ConfigValue, for layer: String) throws -> SymbolicTensor? {
            var history = reference
            if case .object(let items) = reference, case .object(let inner)? = items["config"], let keras = inner["keras_history"] {
                history = keras
            }
            guard case .array(let parts) = history, parts.count >= 3, case .string(let source) = parts[0],
                  case .number(let node) = parts[1], case .number(let index) = parts[2] else {
                throw StrataError.invalidArgument("an inbound tensor \(reference) is not a [layer, node, tensor] reference",
                                                  context: "model config, layer '\(layer)'")
            }
            guard operations[source] != nil else {
                throw StrataError.invalidArgument("'\(layer)' reads layer '\(source)', which is not in the config",
                                                  context: "model config", expected: "every inbound layer among 'layers'")
            }
            guard let calls = produced[source], Int(node) < calls.count else { return nil }   // not produced yet
            guard Int(index) < calls[Int(node)].count else {
                throw StrataError.invalidArgument("'\(layer)' reads output \(Int(index)) of '\(source)', which has \(calls[Int(node)].count)",
                                                  context: "model config")
            }
            return calls[Int(node)][Int(index)]
        }
        func arguments(_ node: ConfigValue, for layer: String) throws -> (tensors: [SymbolicTensor], isList: Bool)? {
            if case .object(let call) = node, case .array(let args)? = call["args"], let first = args.first {
                if case .array(let list) = first {
                    let tensors = try list.map { try tensor($0, for: layer) }
                    return tensors.contains { $0 == nil } ? nil : (tensors.map { $0! }, true)
                }
                return try tensor(first, for: layer).map { ([$0], false) }
            }
            guard case .array(let list) = node else {   // Keras 2: [[name, node, tensor, kwargs], …]
                throw StrataError.invalidArgument("an inbound node \(node) is not a call", context: "model config, layer '\(layer)'")
            }
            let tensors = try list.map { try tensor($0, for: layer) }
            return tensors.contains { $0 == nil } ? nil : (tensors.map { $0! }, list.count > 1)
        }
        var progressed = true
        while !pending.isEmpty && progressed {
            progressed = false
            for position in pending.indices.reversed() {
                let (name, nodes) = pending[position]
                var remaining = nodes
                while let node = remaining.first, let (inputs, isList) = try arguments(node, for: name) {
                    let outputs: [SymbolicTensor]
                    switch operations[name]! {
                    case let merge as MergeLayer: outputs = [try merge(inputs)]
                    case let model as Model: outputs = try model(inputs)
                    case let layer as Layer:
                        guard inputs.count == 1, !isList else {
                            throw StrataError.invalidArgument("'\(name)' is called on \(inputs.count) tensors", context: "model config",
                                                              expected: "one tensor for a \(type(of: layer).typeName) layer")
                        }
                        outputs = [try layer(inputs[0])]
                    default: preconditionFailure("a model config's operation is a layer or a model")
                    }
                    produced[name, default: []].append(outputs)
                    remaining.removeFirst()
                    progressed = true
                }
                if remaining.isEmpty { pending.remove(at: position) } else { pending[position] = (name, remaining) }
            }
        }
        if let (stuck, _) = pending.first {
            throw StrataError.invalidArgument("the call of layer '\(stuck)' can never run: its inputs depend on its own output (a cycle)",
                                              context: "model config", expected: "an acyclic graph of layer calls")
        }
        func endpoints(_ key: String) throws -> [(name: String?, tensor: SymbolicTensor)] {
            let value = config.value(key)
            func one(_ reference: ConfigValue) throws -> SymbolicTensor {
                guard let found = try tensor(reference, for: key) else {
                    throw StrataError.invalidArgument("'\(key)' names a tensor that is never produced", context: "model config")
                }
                return found
            }
            switch value {
            case .array(let items) where items.first.map({ if case .string = $0 { true } else { false } }) == true:
                return [(nil, try one(value))]
            case .array(let items): return try items.map { (nil, try one($0)) }
            case .object(let items): return try items.keys.sorted().map { ($0, try one(items[$0]!)) }
            default: throw StrataError.invalidArgument("'\(key)' is missing", context: "model config", expected: "[[layer, 0, 0], …]")
            }
        }
        let inputs = try endpoints("input_layers"), outputs = try endpoints("output_layers")
        return try Model(inputs: NamedSymbolicTensors(inputs), outputs: NamedSymbolicTensors(outputs),
                         name: try config.string("name", default: "functional"))
    }
}

/// Tensors with the names a config gave them (its `input_layers` / `output_layers` dictionary keys).
private struct NamedSymbolicTensors: SymbolicTensors {
    let namedTensors: [(name: String?, tensor: SymbolicTensor)]
    init(_ tensors: [(name: String?, tensor: SymbolicTensor)]) { namedTensors = tensors }
}
