import Foundation

/// How model files and backups store training state in safetensors `__metadata__` strings —
/// written once so both read each other's conventions: optimizer scalars as a JSON object,
/// the history as `History.json()`.
enum TrainingStateMetadata {
    static func encode(scalars: [String: Float]) -> String {
        ConfigValue.object(scalars.mapValues { .float($0) }).description
    }

    static func decodeScalars(_ text: String?) -> [String: Float] {
        guard let text, case .object(let values)? = try? JSONDecoder().decode(ConfigValue.self, from: Data(text.utf8)) else {
            return [:]
        }
        return values.compactMapValues { value in
            if case .number(let number) = value { return Float(number) }
            return nil
        }
    }

    /// The values and 0-based epochs of a `History.json()` string.
    static func decodeHistory(_ text: String?) -> (values: [String: [Double]], epochs: [Int])? {
        guard let text, var object = try? JSONDecoder().decode([String: [Double]].self, from: Data(text.utf8)),
              let epochs = object.removeValue(forKey: "epochs") else { return nil }
        return (object, epochs.map { Int($0) - 1 })
    }
}
