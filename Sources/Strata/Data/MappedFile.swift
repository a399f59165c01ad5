import Foundation

/// A file mapped read-only into memory: the operating system reads pages as they are touched
/// (and may drop them again), so a data set larger than memory is streamed, never read whole.
final class MappedFile: @unchecked Sendable {
    let path: String
    /// The file's bytes.
    let bytes: UnsafeRawBufferPointer

    /// Maps `path`; `expected` says what the file should be, for the errors.
    init(_ path: String, expected: String) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw StrataError(kind: .io, message: "no such file", context: path, expected: expected)
        }
        guard !isDirectory.boolValue else { throw StrataError(kind: .io, message: "is a directory", context: path, expected: expected) }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw StrataError(kind: .io, message: "cannot open: \(String(cString: strerror(errno)))", context: path, expected: expected)
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw StrataError(kind: .io, message: "cannot read its size: \(String(cString: strerror(errno)))", context: path, expected: expected)
        }
        let size = Int(status.st_size)
        guard size > 0 else { throw StrataError(kind: .invalidFile, message: "the file is empty", context: path, expected: expected) }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), base != MAP_FAILED else {
            throw StrataError(kind: .io, message: "cannot map: \(String(cString: strerror(errno)))", context: path, expected: expected)
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) }
}
