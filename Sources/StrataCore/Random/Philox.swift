/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011): a
/// counter-based generator. Block `i` of a stream depends only on the key and `i`, so any slice
/// of the stream can be generated independently — by any thread, on any platform, bit for bit.
public struct Philox4x32: Sendable, Hashable {
    /// The 64-bit key (the seed).
    public let key: UInt64

    /// A generator whose stream is determined by `key`.
    public init(key: UInt64) {
        self.key = key
    }

    /// The four 32-bit words of block `counter` (the lower 64 bits) in sub-stream `stream`.
    public func block(_ counter: UInt64, stream: UInt64 = 0) -> (UInt32, UInt32, UInt32, UInt32) {
        var c0 = UInt32(truncatingIfNeeded: counter), c1 = UInt32(truncatingIfNeeded: counter >> 32)
        var c2 = UInt32(truncatingIfNeeded: stream), c3 = UInt32(truncatingIfNeeded: stream >> 32)
        var k0 = UInt32(truncatingIfNeeded: key), k1 = UInt32(truncatingIfNeeded: key >> 32)
        for round in 0..<10 {
            if round > 0 {
                k0 &+= 0x9E37_79B9
                k1 &+= 0xBB67_AE85
            }
            let p0 = UInt64(0xD251_1F53) &* UInt64(c0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c2)
            let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
            let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
        }
        return (c0, c1, c2, c3)
    }

    /// A float uniform in [0, 1) from the top 24 bits of a word (every value exactly representable).
    @inline(__always)
    package static func unitFloat(_ word: UInt32) -> Float {
        Float(word >> 8) * 0x1p-24
    }
}
