import Foundation

/// A numeric table read from CSV text.
public struct CSVTable: Equatable {
    /// Column names, when the file has a header.
    public let header: [String]?
    /// The values, row by row.
    public let rows: [[Float]]
    /// Number of columns.
    public var columnCount: Int { header?.count ?? rows.first?.count ?? 0 }

    /// The values as a `[rows, columns]` tensor.
    public var tensor: Tensor { Tensor(rows: rows) }
}

/// Numeric CSV: RFC 4180 quoting (`"a,b"`, `""` for a quote), LF or CRLF line ends, the
/// delimiter detected among `,` `;` tab `|`, a header detected when the first row is not all
/// numbers. Every bad cell throws a `StrataError` naming the file, line and column.
///
///     let (x, y, names) = try CSV.load("wine.csv", target: .name("class"))
public enum CSV {
    /// The target column: by header name or by 0-based index (negative counts from the end).
    public enum Column: Sendable, Equatable {
        case name(String)
        case index(Int)
    }

    /// Reads and parses a file.
    public static func read(_ path: String, delimiter: Character? = nil, hasHeader: Bool? = nil) throws -> CSVTable {
        let text = try FileBytes.text(path, expected: "a CSV file")
        return try parse(text, source: path, delimiter: delimiter, hasHeader: hasHeader)
    }

    /// Features and target of a file: `x` is every column but the target, `y` the target as
    /// `[rows, 1]`.
    public static func load(_ path: String, target: Column, delimiter: Character? = nil,
                            hasHeader: Bool? = nil) throws -> (x: Tensor, y: Tensor, featureNames: [String]) {
        let table = try read(path, delimiter: delimiter, hasHeader: hasHeader)
        let columns = table.columnCount
        let index: Int
        switch target {
        case .name(let name):
            guard let header = table.header, let found = header.firstIndex(of: name) else {
                throw StrataError.invalidArgument("no column named '\(name)'", context: path,
                                                  expected: table.header.map { "one of \($0)" } ?? "a header row, or a column index")
            }
            index = found
        case .index(let i):
            index = i < 0 ? columns + i : i
            guard index >= 0, index < columns else {
                throw StrataError.invalidArgument("column \(i) does not exist", context: path, expected: "an index in 0..<\(columns)")
            }
        }
        guard columns >= 2 else {
            throw StrataError.invalidArgument("the table has \(columns) column(s)", context: path, expected: "features and a target")
        }
        let names = table.header ?? (0..<columns).map { "column_\($0)" }
        let features = table.rows.map { row in row.enumerated().filter { $0.offset != index }.map(\.element) }
        let x = Tensor(rows: features)
        let y = Tensor(shape: [table.rows.count, 1], scalars: table.rows.map { $0[index] })
        return (x, y, names.enumerated().filter { $0.offset != index }.map(\.element))
    }

    /// Parses CSV text; `source` names it in errors.
    public static func parse(_ text: String, source: String = "<csv>", delimiter: Character? = nil,
                             hasHeader: Bool? = nil) throws -> CSVTable {
        let separator = delimiter ?? detectDelimiter(text)
        var records = try split(text, delimiter: separator, source: source)
        records.removeAll { $0.fields.count == 1 && $0.fields[0].trimmingCharacters(in: .whitespaces).isEmpty }
        guard let first = records.first else {
            throw StrataError(kind: .invalidFile, message: "no rows", context: source, expected: "CSV with at least one row")
        }
        let headerPresent = hasHeader ?? first.fields.contains { Float($0.trimmingCharacters(in: .whitespaces)) == nil }
        let header = headerPresent ? first.fields.map { $0.trimmingCharacters(in: .whitespaces) } : nil
        let width = first.fields.count
        let body = headerPresent ? Array(records.dropFirst()) : records
        let rows = try body.map { record -> [Float] in
            guard record.fields.count == width else {
                throw StrataError(kind: .invalidFile, message: "row has \(record.fields.count) cells",
                                  context: "\(source), line \(record.line)", expected: "\(width) cells like the first row")
            }
            return try record.fields.enumerated().map { column, cell in
                let trimmed = cell.trimmingCharacters(in: .whitespaces)
                let name = header.map { " ('\($0[column])')" } ?? ""
                guard !trimmed.isEmpty else {
                    throw StrataError(kind: .invalidFile, message: "missing value",
                                      context: "\(source), line \(record.line), column \(column + 1)\(name)", expected: "a number")
                }
                guard let value = Float(trimmed) else {
                    throw StrataError(kind: .invalidFile, message: "'\(trimmed)' is not a number",
                                      context: "\(source), line \(record.line), column \(column + 1)\(name)", expected: "a number")
                }
                return value
            }
        }
        return CSVTable(header: header, rows: rows)
    }

    /// The candidate that appears the same, non-zero number of times on each of the first lines.
    static func detectDelimiter(_ text: String) -> Character {
        let lines = text.split(whereSeparator: \.isNewline).prefix(5)
        for candidate in [",", ";", "\t", "|"] as [Character] {
            let counts = lines.map { line in line.filter { $0 == candidate }.count }
            if let first = counts.first, first > 0, counts.allSatisfy({ $0 == first }) { return candidate }
        }
        return ","
    }

    /// Records with their 1-based starting line, honoring quotes (which may span lines).
    private static func split(_ text: String, delimiter: Character, source: String) throws -> [(line: Int, fields: [String])] {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = [], field = ""
        var quoted = false, line = 1, recordLine = 1
        var iterator = Array(text.unicodeScalars.map(Character.init)).makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let p = pending { pending = nil; return p }
            return iterator.next()
        }
        while let c = next() {
            if quoted {
                if c == "\"" {
                    if let following = next() {
                        if following == "\"" { field.append("\"") } else { quoted = false; pending = following }
                    } else {
                        quoted = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"": quoted = true
            case delimiter: fields.append(field); field = ""
            case "\r":
                if let following = next(), following != "\n" { pending = following }
                fallthrough
            case "\n":
                fields.append(field)
                records.append((recordLine, fields))
                fields = []
                field = ""
                line += 1
                recordLine = line
            default: field.append(c)
            }
        }
        if quoted {
            throw StrataError(kind: .invalidFile, message: "a quoted field is not closed", context: "\(source), line \(recordLine)")
        }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            records.append((recordLine, fields))
        }
        return records
    }
}

/// Writing text files for the command-line tool, atomically.
public enum CSVText {
    /// Writes `text` to `path` through a temporary file and a rename.
    public static func write(_ text: String, to path: String) throws {
        try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: path))
    }
}
