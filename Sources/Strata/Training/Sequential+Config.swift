import Foundation

extension Sequential {
    /// Keras' model config: `{"class_name": "Sequential", "config": {"name": …, "layers": [layer configs]}}` —
    /// the JSON that `strata train --model spec.json` reads.
    public var config: ConfigValue {
        .object(["class_name": .string("Sequential"),
                 "config": .object(["name": .string(name), "layers": .array(layers.map(\.config))])])
    }

    /// Rebuilds a model (architecture only, fresh weights) from `config`.
    public convenience init(config: ConfigValue) throws {
        let outer = try ConfigReader(config, owner: "model config")
        guard try outer.string("class_name") == "Sequential" else {
            throw StrataError.invalidArgument("class_name is '\(try outer.string("class_name"))'", context: "model config",
                                              expected: "Sequential")
        }
        let inner = try ConfigReader(outer.value("config"), owner: "model config")
        guard case .array(let layerConfigs) = inner.value("layers") else {
            throw StrataError.invalidArgument("'layers' is missing or not an array", context: "model config")
        }
        let layers = try layerConfigs.enumerated().map { index, config -> Layer in
            do { return try Layer.from(config: config) } catch let error as StrataError {
                // Say where in the spec: config.layers[2] (Dense): …
                throw StrataError(kind: error.kind, message: error.message,
                                  context: "config.layers[\(index)]" + (error.context.map { " (\($0))" } ?? ""),
                                  expected: error.expected)
            }
        }
        // Keras refuses these too ("All layer names should be unique"): weights are saved by layer name.
        var seen: Set<String> = []
        for (index, layer) in layers.enumerated() where !seen.insert(layer.name).inserted {
            throw StrataError.invalidArgument("layer name '\(layer.name)' is used twice", context: "config.layers[\(index)]",
                                              expected: "unique layer names (or none: Keras-style names are given)")
        }
        self.init(layers, name: try inner.string("name", default: "sequential"))
    }

    /// Reads a model config from a JSON file.
    public convenience init(specificationFile path: String) throws {
        let config = try Model.specification(at: path)
        do { try self.init(config: config) } catch let error as StrataError {
            throw StrataError(kind: error.kind, message: error.message, context: "\(path): \(error.context ?? "")", expected: error.expected)
        }
    }
}
