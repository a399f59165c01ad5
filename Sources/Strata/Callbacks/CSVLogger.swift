import Foundation

/// Writes one CSV row per epoch (`epoch,loss,…`) to a file (Keras' `CSVLogger`); the file is
/// rewritten atomically after every epoch, so it is always complete.
public final class CSVLogger: Callback {
    /// The file written.
    public let path: String
    /// Whether to keep rows already in the file.
    public let append: Bool
    private var columns: [String] = []
    private var rows: [String] = []

    /// Creates the logger.
    public init(_ path: String, append: Bool = false) {
        self.path = path
        self.append = append
    }

    public override func onTrainBegin(logs: Logs) throws {
        rows = []
        columns = []
        if append, let text = try? String(contentsOfFile: path, encoding: .utf8) {
            let lines = text.split(separator: "\n").map(String.init)
            if let header = lines.first {
                columns = Array(header.split(separator: ",").map(String.init).dropFirst())
                rows = Array(lines.dropFirst())
            }
        }
    }

    public override func onEpochEnd(_ epoch: Int, logs: Logs) throws {
        if columns.isEmpty { columns = logs.keys.sorted() }
        rows.append(([String(epoch)] + columns.map { logs[$0].map { "\($0)" } ?? "" }).joined(separator: ","))
        let text = ((["epoch"] + columns).joined(separator: ",") + "\n") + rows.map { $0 + "\n" }.joined()
        try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: path))
    }
}
