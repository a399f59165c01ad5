/// The regular files of a POSIX (ustar) tar archive — enough to unpack a data set's archive:
/// 512-byte headers (name, octal size, type flag), each file's bytes padded to 512.
enum TarArchive {
    /// Each regular file's path and bytes; throws naming `path` on a malformed archive.
    static func files(_ bytes: [UInt8], path: String) throws -> [(name: String, bytes: ArraySlice<UInt8>)] {
        var files: [(name: String, bytes: ArraySlice<UInt8>)] = []
        var offset = 0
        while offset + 512 <= bytes.count {
            let header = bytes[offset..<(offset + 512)]
            if header.allSatisfy({ $0 == 0 }) { return files }   // the end-of-archive blocks
            func field(_ start: Int, _ length: Int) -> String {
                let raw = header[(offset + start)..<(offset + start + length)].prefix { $0 != 0 }
                return String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            }
            guard let size = Int(field(124, 12), radix: 8), size >= 0 else {
                throw StrataError(kind: .invalidFile, message: "a header's size field is not an octal number", context: "\(path), tar byte \(offset)",
                                  expected: "a tar archive")
            }
            let prefix = field(345, 155), name = field(0, 100)
            let type = header[offset + 156]
            let start = offset + 512
            guard start + size <= bytes.count else {
                throw StrataError(kind: .invalidFile, message: "'\(name)' needs \(size) bytes but the archive ends first (truncated)",
                                  context: "\(path), tar byte \(offset)", expected: "a whole tar archive")
            }
            if type == UInt8(ascii: "0") || type == 0 {
                files.append((prefix.isEmpty ? name : prefix + "/" + name, bytes[start..<(start + size)]))
            }
            offset = start + (size + 511) / 512 * 512
        }
        throw StrataError(kind: .invalidFile, message: "the archive ends without its end-of-archive blocks (truncated)", context: path,
                          expected: "a whole tar archive")
    }
}
