import CZlib
import Foundation

/// Decompression of gzip files through the system zlib.
enum Gzip {
    /// Whether `data` starts with the gzip magic bytes 1f 8b.
    static func isCompressed(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B
    }

    /// The decompressed bytes of a gzip stream; throws naming `path` on corrupt or truncated data.
    static func decompress(_ data: Data, path: String) throws -> [UInt8] {
        var stream = z_stream()
        // 15 + 32: a zlib window of 2¹⁵ with automatic gzip/zlib header detection.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw StrataError(kind: .io, message: "zlib could not start", context: path)
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        output.reserveCapacity(data.count * 4)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var status: Int32 = Z_OK
        try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            repeat {
                try chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    guard status == Z_OK || status == Z_STREAM_END else {
                        let detail = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                        throw StrataError(kind: .invalidFile, message: "corrupt gzip data (\(detail))",
                                          context: "\(path), compressed byte \(stream.total_in)")
                    }
                    output.append(contentsOf: buffer[0..<(buffer.count - Int(stream.avail_out))])
                }
                if status != Z_STREAM_END && stream.avail_in == 0 {
                    throw StrataError(kind: .invalidFile, message: "gzip data ends early (truncated file)",
                                      context: "\(path), compressed byte \(stream.total_in)")
                }
            } while status != Z_STREAM_END
        }
        return output
    }
}
