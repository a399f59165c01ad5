import Foundation

/// The IDX format of the MNIST family (LeCun et al.): a big-endian magic number `00 00 08 rank`
/// (type 08 = unsigned byte), `rank` big-endian 32-bit dimensions, then the bytes. Plain or
/// gzip-compressed.
public enum IDX {
    /// The dimensions and bytes of an IDX file; throws a `StrataError` naming the file and what
    /// is wrong (magic number, type, dimensions, length).
    public static func read(_ path: String) throws -> (dimensions: [Int], bytes: [UInt8]) {
        let raw = try FileBytes.read(path, expected: "an IDX file")
        let bytes = Gzip.isCompressed(raw) ? try Gzip.decompress(raw, path: path) : [UInt8](raw)
        return try parse(bytes, path: path)
    }

    /// Parses IDX bytes (already decompressed).
    static func parse(_ bytes: [UInt8], path: String) throws -> (dimensions: [Int], bytes: [UInt8]) {
        let (dimensions, headerLength) = try header(Array(bytes.prefix(20)), fileLength: bytes.count, path: path)
        return (dimensions, Array(bytes[headerLength...]))
    }

    /// The dimensions and header length of an IDX file of `fileLength` bytes that starts with
    /// `start` (its first 20 bytes or all of it), the length checked against the dimensions.
    static func header(_ start: [UInt8], fileLength: Int, path: String) throws -> (dimensions: [Int], headerLength: Int) {
        func fail(_ message: String, at offset: Int) -> StrataError {
            StrataError(kind: .invalidFile, message: message, context: "\(path), byte \(offset)", expected: "an IDX file")
        }
        let bytes = start
        guard bytes.count >= 4 else { throw fail("file has \(bytes.count) bytes, too short for the magic number", at: 0) }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw fail(String(format: "magic number starts %02x %02x, not 00 00", bytes[0], bytes[1]), at: 0)
        }
        guard bytes[2] == 0x08 else {
            throw fail(String(format: "element type 0x%02x is not unsigned byte (0x08)", bytes[2]), at: 2)
        }
        let rank = Int(bytes[3])
        guard rank >= 1, rank <= 4 else { throw fail("rank \(rank) is not between 1 and 4", at: 3) }
        let headerLength = 4 + 4 * rank
        guard bytes.count >= headerLength else {
            throw fail("file ends inside the \(rank) dimensions (\(fileLength) bytes)", at: fileLength)
        }
        let dimensions = (0..<rank).map { d in (0..<4).reduce(0) { $0 << 8 | Int(bytes[4 + 4 * d + $1]) } }
        let count = dimensions.reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue }
        guard dimensions.allSatisfy({ $0 > 0 }), fileLength - headerLength == count else {
            throw fail("dimensions \(dimensions) need \(count) data bytes but the file has \(fileLength - headerLength)",
                       at: headerLength)
        }
        return (dimensions, headerLength)
    }
}
