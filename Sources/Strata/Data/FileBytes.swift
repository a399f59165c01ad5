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

    /// The UTF-8 text at `path`.
    static func text(_ path: String, expected: String) throws -> String {
        guard let text = String(data: try read(path, expected: expected), encoding: .utf8) else {
            throw StrataError(kind: .invalidFile, message: "not UTF-8 text", context: path, expected: expected)
        }
        return text
    }
}
