import Foundation

extension Model {
    /// Keras' summary table: each layer's name and type, output shape and parameter count, then
    /// total, trainable and non-trainable parameters (with their size as float32).
    ///
    /// Throws when the model cannot be built for its declared input shape.
    ///
    /// A functional model's table has Keras' "Connected to" column (`dense[0][0]`: the layer,
    /// which of its calls, which output) and a row per input; a nested model is one row.
    public func summaryText() throws -> String {
        func shapeText(_ shape: [Int]?) -> String {
            shape.map { "(" + (["None"] + $0.map(String.init)).joined(separator: ", ") + ")" } ?? "?"
        }
        var header = ["Layer (type)", "Output Shape", "Param #"]
        var rows: [[String]] = []
        if let graph {
            header.append("Connected to")
            for input in graph.inputs { rows.append(["\(input.name) (InputLayer)", shapeText(input.shape), "0", "-"]) }
            for operation in graph.operations {
                let nodes = graph.nodes.filter { $0.operation === operation }
                let sources = nodes.flatMap(\.inputs).map { graph.reference($0) }.map { "\($0.layer)[\($0.call)][\($0.output)]" }
                let parameters = operation.operationLayers.reduce(0) { $0 + $1.parameterCount }
                rows.append(["\(operation.name) (\(operation.operationTypeName))", shapeText(nodes[0].outputShapes[0]),
                             Model.grouped(parameters), sources.joined(separator: ", ")])
            }
        } else {
            if let declared = layers.first?.declaredInputShape, inputShape == nil { try build(inputShape: declared) }
            var shape = inputShape      // nil until built: shapes then print as '?'
            for layer in layers {
                if let current = shape { shape = layer.outputShape(for: current) }
                rows.append(["\(layer.name) (\(type(of: layer).typeName))", shapeText(shape), Model.grouped(layer.parameterCount)])
            }
        }
        let minimum = [31, 22, 13, 20]
        let widths = header.indices.map { column in Swift.max(minimum[column], rows.map { $0[column].count }.max() ?? 0) }
        func line(_ left: String, _ fill: String, _ join: String, _ right: String) -> String {
            left + widths.map { String(repeating: fill, count: $0 + 2) }.joined(separator: join) + right
        }
        func row(_ cells: [String], _ bar: String) -> String {
            bar + zip(cells, widths).enumerated().map { column, cell in
                let (text, width) = cell
                let padding = String(repeating: " ", count: Swift.max(0, width - text.count))
                return " " + (column == 2 ? padding + text : text + padding) + " "   // parameter counts align right
            }.joined(separator: bar) + bar
        }
        var out = ["Model: \"\(name)\"", line("┏", "━", "┳", "┓"), row(header, "┃"), line("┡", "━", "╇", "┩")]
        for (index, entry) in rows.enumerated() {
            out.append(row(entry, "│"))
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
