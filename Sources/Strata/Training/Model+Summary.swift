import Foundation

extension Model {
    /// Keras' summary table: each layer's name and type, output shape and parameter count, then
    /// total, trainable and non-trainable parameters (with their size as float32).
    ///
    /// Throws when the model cannot be built for its declared input shape.
    public func summaryText() throws -> String {
        var rows: [(String, String, String)] = []
        if let declared = layers.first?.declaredInputShape, inputShape == nil { try build(inputShape: declared) }
        var shape = inputShape      // nil until built: shapes then print as '?'
        for layer in layers {
            if let current = shape { shape = layer.outputShape(for: current) }
            let output = shape.map { "(" + (["None"] + $0.map(String.init)).joined(separator: ", ") + ")" } ?? "?"
            rows.append(("\(layer.name) (\(type(of: layer).typeName))", output, Model.grouped(layer.parameterCount)))
        }
        let widths = [Swift.max(31, rows.map(\.0.count).max() ?? 0), Swift.max(22, rows.map(\.1.count).max() ?? 0), 13]
        func line(_ left: String, _ fill: String, _ join: String, _ right: String) -> String {
            left + widths.map { String(repeating: fill, count: $0 + 2) }.joined(separator: join) + right
        }
        func row(_ a: String, _ b: String, _ c: String, _ bar: String) -> String {
            bar + " " + a.padding(toLength: widths[0], withPad: " ", startingAt: 0) + " " + bar + " "
                + b.padding(toLength: widths[1], withPad: " ", startingAt: 0) + " " + bar + " "
                + String(repeating: " ", count: Swift.max(0, widths[2] - c.count)) + c + " " + bar
        }
        var out = ["Model: \"\(name)\"", line("┏", "━", "┳", "┓"), row("Layer (type)", "Output Shape", "Param #", "┃"),
                   line("┡", "━", "╇", "┩")]
        for (index, entry) in rows.enumerated() {
            out.append(row(entry.0, entry.1, entry.2, "│"))
            if index < rows.count - 1 { out.append(line("├", "─", "┼", "┤")) }
        }
        out.append(line("└", "─", "┴", "┘"))
        let trainable = trainableVariables.reduce(0) { $0 + $1.value.count }
        let nonTrainable = nonTrainableVariables.reduce(0) { $0 + $1.value.count }
        out.append(" Total params: \(Model.grouped(trainable + nonTrainable)) (\(Model.bytes(trainable + nonTrainable)))")
        out.append(" Trainable params: \(Model.grouped(trainable)) (\(Model.bytes(trainable)))")
        out.append(" Non-trainable params: \(Model.grouped(nonTrainable)) (\(Model.bytes(nonTrainable)))")
        return out.joined(separator: "\n")
    }

    /// Prints `summaryText()` (or the reason it cannot be built).
    public func summary() {
        do { print(try summaryText()) } catch { print("Model \"\(name)\" cannot be summarized: \(error)") }
    }

    /// 266610 → "266,610".
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        return digits.enumerated().map { index, digit in
            (index > 0 && (digits.count - index) % 3 == 0 ? "," : "") + String(digit)
        }.joined()
    }

    /// Parameter memory as float32, Keras-style ("1.02 MB").
    static func bytes(_ parameters: Int) -> String {
        let size = Double(parameters * 4)
        if size < 1024 { return String(format: "%.2f B", size) }
        if size < 1024 * 1024 { return String(format: "%.2f KB", size / 1024) }
        return String(format: "%.2f MB", size / 1024 / 1024)
    }
}
