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
        guard !body.isEmpty else {
            throw StrataError(kind: .invalidFile, message: "a header and no data rows", context: source,
                              expected: "CSV with at least one row of numbers")
        }
        let rows = try body.map { record -> [Float] in
            guard record.fields.count == width else {
                throw StrataError(kind: .invalidFile, message: "row has \(record.fields.count) cells",
                                  context: "\(source), line \(record.line)", expected: "\(width) cells like the first row")
            }
            return try record.fields.enumerated().map { column, cell in
                let trimmed = cell.trimmingCharacters(in: .whitespaces)
                let location = "\(source), line \(record.line), column \(column + 1)" + (header.map { " ('\($0[column])')" } ?? "")
                guard !trimmed.isEmpty else {
                    throw StrataError(kind: .invalidFile, message: "missing value", context: location, expected: "a number")
                }
                guard let value = Float(trimmed) else {
                    throw StrataError(kind: .invalidFile, message: "\(excerpt(trimmed)) is not a number", context: location, expected: "a number")
                }
                // NaN, infinities and numbers beyond Float's range would poison training; refuse them where they are.
                guard value.isFinite else {
                    throw StrataError(kind: .invalidFile, message: "\(excerpt(trimmed)) is not a finite number", context: location,
                                      expected: "a finite number within ±3.4e38")
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

    /// Records with their 1-based starting line, honoring quotes (which may span lines). Works on
    /// the UTF-8 bytes (the delimiter must be ASCII), so a large file costs its text and its fields,
    /// not a `Character` per byte.
    private static func split(_ text: String, delimiter: Character, source: String) throws -> [(line: Int, fields: [String])] {
        guard let separator = delimiter.asciiValue else {
            throw StrataError.invalidArgument("delimiter '\(delimiter)' is not an ASCII character", context: source,
                                              expected: "a delimiter such as ',', ';', tab or '|'")
        }
        let quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = [], field: [UInt8] = []
        var quoted = false, line = 1, recordLine = 1
        func endField() { fields.append(String(decoding: field, as: UTF8.self)); field.removeAll(keepingCapacity: true) }
        func endRecord() { endField(); records.append((recordLine, fields)); fields = [] }
        var text = text   // withUTF8 reads the string's own contiguous storage: no copy of the file
        text.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                if quoted {
                    if byte == quote {
                        if index < bytes.count && bytes[index] == quote { field.append(quote); index += 1 } else { quoted = false }
                    } else {
                        if byte == newline { line += 1 }
                        field.append(byte)
                    }
                    continue
                }
                switch byte {
                case quote: quoted = true
                case separator: endField()
                case carriageReturn, newline:
                    if byte == carriageReturn && index < bytes.count && bytes[index] == newline { index += 1 }
                    endRecord()
                    line += 1
                    recordLine = line
                default: field.append(byte)
                }
            }
        }
        if quoted {
            throw StrataError(kind: .invalidFile, message: "a quoted field is not closed", context: "\(source), line \(recordLine)")
        }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }

    /// A cell as an error message quotes it: at most 60 characters, so a huge bad cell is not echoed whole.
    static func excerpt(_ cell: String) -> String {
        cell.count <= 60 ? "'\(cell)'" : "'\(cell.prefix(57))…' (\(cell.utf8.count) bytes)"
    }
}

/// Writing text files for the command-line tool, atomically.
public enum CSVText {
    /// Writes `text` to `path` through a temporary file and a rename.
    public static func write(_ text: String, to path: String) throws {
        try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: path))
    }
}
