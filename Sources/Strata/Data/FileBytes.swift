import Foundation

/// Reads a user's file whole, with one clear error for every way that can fail: a missing path, a
/// directory, no permission, or another I/O failure — each naming the path and what was
/// expected there (never Foundation's bare `NSCocoaErrorDomain error 256`).
enum FileBytes {
    /// The bytes at `path`; `expected` says what the file should be (`"a CSV file"`).
    static func read(_ path: String, expected: String) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw StrataError(kind: .io, message: "no such file", context: path, expected: expected)
        }
        guard !isDirectory.boolValue else {
            throw StrataError(kind: .io, message: "is a directory", context: path, expected: expected)
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw StrataError(kind: .io, message: "permission denied", context: path, expected: expected)
        }
        do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw StrataError(kind: .io, message: "cannot read: \(error.localizedDescription)", context: path, expected: expected)
        }
    }

    /// Calls `body` with the bytes of the UTF-8 text at `path`, read once and not copied into a
    /// `String` (a large CSV file is held once).
    static func withUTF8Text<Result>(_ path: String, expected: String,
                                     _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) throws -> Result {
        let data = try read(path, expected: expected)
        return try data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard isUTF8(bytes) else {
                throw StrataError(kind: .invalidFile, message: "not UTF-8 text", context: path, expected: expected)
            }
            return try body(bytes)
        }
    }

    /// Whether `bytes` are valid UTF-8 (an ASCII file is checked in one quick pass).
    static func isUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if !bytes.contains(where: { $0 >= 0x80 }) { return true }
        var decoder = UTF8(), iterator = bytes.makeIterator()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
