/// What `fit`, `evaluate` and `predict` take as inputs or targets (Keras' `x` and `y`
/// structures): one array of samples — a `Tensor`, `Samples`, `[Float]`, `[Int]` or `[[Float]]`
/// — for a model with one input (output); a list, `[Tensor]` or `[Samples]`, with one per input
/// (output) in model order; or a dictionary by input (output) name.
///
///     try model.fit(["image": images, "meta": metadata], labels)
///     try model.fit([images, metadata], [labels, boxes])
public protocol ModelData {
    /// The arrays of samples, and how they were given.
    var modelDataParts: ModelDataParts { get }
}

/// The arrays of samples of a `ModelData`, and whether they came as one, a list or by name.
public struct ModelDataParts {
    enum Layout { case single, list, named([String]) }
    let samples: [Samples]
    let layout: Layout

    /// The arrays in the order of `names` (a model's input or output names); a `StrataError`
    /// names what does not match.
    func ordered(by names: [String], role: String, operation: String) throws -> [Samples] {
        switch layout {
        case .single, .list:
            guard samples.count == names.count else {
                let given = samples.count == 1 ? "one array" : "\(samples.count) arrays"
                throw StrataError.invalidArgument("\(role) is \(given) for \(names.count) \(role == "x" ? "inputs" : "outputs")",
                                                  context: operation,
                                                  expected: "\(names.count == 1 ? "one array" : "a list of \(names.count)") or a dictionary by name (\(names.joined(separator: ", ")))")
            }
            return samples
        case .named(let keys):
            if let unknown = keys.first(where: { !names.contains($0) }) {
                throw StrataError.invalidArgument("\(role) has an entry '\(unknown)' that names no \(role == "x" ? "input" : "output")",
                                                  context: operation, expected: "keys among \(names.joined(separator: ", "))")
            }
            return try names.map { name in
                guard let index = keys.firstIndex(of: name) else {
                    throw StrataError.invalidArgument("\(role) has no entry for '\(name)'", context: operation,
                                                      expected: "an entry for each of \(names.joined(separator: ", "))")
                }
                return samples[index]
            }
        }
    }
}

/// Element types of arrays that are `ModelData`: numbers and rows make one array of samples,
/// tensors and samples make a list (one per input or output).
public protocol ModelDataElement {
    /// The parts of an array of these.
    static func modelDataParts(of array: [Self]) -> ModelDataParts
}

extension Tensor: ModelData, ModelDataElement {
    public var modelDataParts: ModelDataParts { ModelDataParts(samples: [samples], layout: .single) }
    public static func modelDataParts(of array: [Tensor]) -> ModelDataParts {
        ModelDataParts(samples: array.map(\.samples), layout: .list)
    }
}

extension Samples: ModelData, ModelDataElement {
    public var modelDataParts: ModelDataParts { ModelDataParts(samples: [self], layout: .single) }
    public static func modelDataParts(of array: [Samples]) -> ModelDataParts { ModelDataParts(samples: array, layout: .list) }
}

extension Float: ModelDataElement {
    public static func modelDataParts(of array: [Float]) -> ModelDataParts { array.samples.modelDataParts }
}

extension Int: ModelDataElement {
    public static func modelDataParts(of array: [Int]) -> ModelDataParts { array.samples.modelDataParts }
}

extension Array: ModelDataElement where Element == Float {
    public static func modelDataParts(of array: [[Float]]) -> ModelDataParts { array.samples.modelDataParts }
}

extension Array: ModelData where Element: ModelDataElement {
    public var modelDataParts: ModelDataParts { Element.modelDataParts(of: self) }
}

extension Dictionary: ModelData where Key == String, Value: SampleConvertible {
    public var modelDataParts: ModelDataParts {
        let keys = keys.sorted()
        return ModelDataParts(samples: keys.map { self[$0]!.samples }, layout: .named(keys))
    }
}
