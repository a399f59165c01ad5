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
        try FileBytes.withUTF8Text(path, expected: "a CSV file") { bytes in
            try parse(bytes: bytes, source: path, delimiter: delimiter, hasHeader: hasHeader)
        }
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
        // Straight into the tensors' scalars: no intermediate table of feature rows.
        var features: [Float] = [], targets: [Float] = []
        features.reserveCapacity(table.rows.count * (columns - 1))
        targets.reserveCapacity(table.rows.count)
        for row in table.rows {
            features += row[..<index]
            features += row[(index + 1)...]
            targets.append(row[index])
        }
        let x = Tensor(shape: [table.rows.count, columns - 1], scalars: features)
        let y = Tensor(shape: [table.rows.count, 1], scalars: targets)
        return (x, y, names.enumerated().filter { $0.offset != index }.map(\.element))
    }

    /// Parses CSV text; `source` names it in errors. Each data row is converted to numbers as the
    /// splitter reaches it, so a large file costs its text and its values, not a string per cell.
    public static func parse(_ text: String, source: String = "<csv>", delimiter: Character? = nil,
                             hasHeader: Bool? = nil) throws -> CSVTable {
        var text = text   // withUTF8 reads the string's own contiguous storage: no copy
        return try text.withUTF8 { try parse(bytes: $0, source: source, delimiter: delimiter, hasHeader: hasHeader) }
    }

    /// Parses the UTF-8 bytes of CSV text.
    static func parse(bytes: UnsafeBufferPointer<UInt8>, source: String, delimiter: Character?, hasHeader: Bool?) throws -> CSVTable {
        let separator = delimiter ?? detectDelimiter(bytes)
        var header: [String]?, width: Int?, rows: [[Float]] = []
        try forEachRecord(in: bytes, delimiter: separator, source: source) { line, record in
            // A line holding nothing (or only spaces) is skipped.
            if record.count == 1 && record.isBlank(0) { return }
            guard let expected = width else {
                width = record.count
                let present = hasHeader ?? (0..<record.count).contains { Float(record.text(of: $0, maximumBytes: 256)) == nil }
                if present { header = (0..<record.count).map { record.text(of: $0) } } else { rows.append(try values(of: record)) }
                return
            }
            guard record.count == expected else {
                throw StrataError(kind: .invalidFile, message: "row has \(record.count) cells",
                                  context: "\(source), line \(line)", expected: "\(expected) cells like the first row")
            }
            rows.append(try values(of: record))

            func values(of record: Record) throws -> [Float] {
                try (0..<record.count).map { column in
                    try number(record, column, location: { "\(source), line \(line), column \(column + 1)" + (header.map { " ('\($0[column])')" } ?? "") })
                }
            }
        }
        guard width != nil else {
            throw StrataError(kind: .invalidFile, message: "no rows", context: source, expected: "CSV with at least one row")
        }
        guard !rows.isEmpty else {
            throw StrataError(kind: .invalidFile, message: "a header and no data rows", context: source,
                              expected: "CSV with at least one row of numbers")
        }
        return CSVTable(header: header, rows: rows)
    }

    /// The longest cell read as a number; a longer one is refused with an excerpt, never copied whole.
    static let longestNumber = 4096

    /// Cell `column` of `record` as a finite Float, or an error at `location()`.
    private static func number(_ record: Record, _ column: Int, location: () -> String) throws -> Float {
        guard !record.isBlank(column) else {
            throw StrataError(kind: .invalidFile, message: "missing value", context: location(), expected: "a number")
        }
        guard record.byteCount(of: column) <= longestNumber else {
            throw StrataError(kind: .invalidFile, message: "\(excerpt(record.text(of: column, maximumBytes: 240), bytes: record.byteCount(of: column))) is not a number",
                              context: location(), expected: "a number")
        }
        let cell = record.text(of: column)
        guard let value = Float(cell) else {
            throw StrataError(kind: .invalidFile, message: "\(excerpt(cell)) is not a number", context: location(), expected: "a number")
        }
        // NaN, infinities and numbers beyond Float's range would poison training; refuse them where they are.
        guard value.isFinite else {
            throw StrataError(kind: .invalidFile, message: "\(excerpt(cell)) is not a finite number", context: location(),
                              expected: "a finite number within ±3.4e38")
        }
        return value
    }

    /// The candidate that appears the same, non-zero number of times on each of the first lines
    /// (read from the first 64 KB only).
    static func detectDelimiter(_ bytes: UnsafeBufferPointer<UInt8>) -> Character {
        let head = String(decoding: bytes.prefix(1 << 16), as: UTF8.self)
        let lines = head.split(whereSeparator: \.isNewline).prefix(5)
        for candidate in [",", ";", "\t", "|"] as [Character] {
            let counts = lines.map { line in line.filter { $0 == candidate }.count }
            if let first = counts.first, first > 0, counts.allSatisfy({ $0 == first }) { return candidate }
        }
        return ","
    }

    /// One record's cells as the splitter holds them: the unquoted bytes of every cell, end to end.
    struct Record {
        var bytes: [UInt8] = []
        var ends: [Int] = []

        var count: Int { ends.count }

        private func range(_ index: Int) -> Range<Int> { (index == 0 ? 0 : ends[index - 1])..<ends[index] }

        func byteCount(of index: Int) -> Int { range(index).count }

        /// The cell as text with surrounding spaces trimmed; at most `maximumBytes` of it.
        func text(of index: Int, maximumBytes: Int = .max) -> String {
            let cell = range(index)
            return String(decoding: bytes[cell.lowerBound..<(cell.lowerBound + min(cell.count, maximumBytes))], as: UTF8.self)
                .trimmingCharacters(in: .whitespaces)
        }

        func isBlank(_ index: Int) -> Bool {
            bytes[range(index)].allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        }
    }

    /// Calls `body` with each record and its 1-based starting line, honoring quotes (which may span
    /// lines). Works on UTF-8 bytes (the delimiter must be ASCII) and one reused record buffer.
    private static func forEachRecord(in bytes: UnsafeBufferPointer<UInt8>, delimiter: Character, source: String,
                                      _ body: (_ line: Int, _ record: Record) throws -> Void) throws {
        guard let separator = delimiter.asciiValue else {
            throw StrataError.invalidArgument("delimiter '\(delimiter)' is not an ASCII character", context: source,
                                              expected: "a delimiter such as ',', ';', tab or '|'")
        }
        let quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")
        var record = Record()
        var quoted = false, line = 1, recordLine = 1, fieldStarted = false
        func endField() { record.ends.append(record.bytes.count) }
        func endRecord() throws {
            endField()
            try body(recordLine, record)
            record.bytes.removeAll(keepingCapacity: true)
            record.ends.removeAll(keepingCapacity: true)
            fieldStarted = false
        }
        do {
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                if quoted {
                    if byte == quote {
                        if index < bytes.count && bytes[index] == quote { record.bytes.append(quote); index += 1 } else { quoted = false }
                    } else {
                        if byte == newline { line += 1 }
                        record.bytes.append(byte)
                    }
                    continue
                }
                switch byte {
                case quote: quoted = true; fieldStarted = true
                case separator: endField(); fieldStarted = true
                case carriageReturn, newline:
                    if byte == carriageReturn && index < bytes.count && bytes[index] == newline { index += 1 }
                    try endRecord()
                    line += 1
                    recordLine = line
                default: record.bytes.append(byte); fieldStarted = true
                }
            }
        }
        if quoted {
            throw StrataError(kind: .invalidFile, message: "a quoted field is not closed", context: "\(source), line \(recordLine)")
        }
        if fieldStarted || !record.ends.isEmpty { try endRecord() }
    }

    /// A cell as an error message quotes it: at most 60 characters, so a huge bad cell is not
    /// echoed whole; `bytes` is the whole cell's size when `cell` is already a part of it.
    static func excerpt(_ cell: String, bytes: Int? = nil) -> String {
        let size = bytes ?? cell.utf8.count
        return cell.count <= 60 && size == cell.utf8.count ? "'\(cell)'" : "'\(cell.prefix(57))…' (\(size) bytes)"
    }
}

/// Writing text files for the command-line tool, atomically.
public enum CSVText {
    /// Writes `text` to `path` through a temporary file and a rename.
    public static func write(_ text: String, to path: String) throws {
        try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: path))
    }
}
