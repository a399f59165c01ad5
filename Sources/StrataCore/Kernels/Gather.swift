import CStrataKernels

extension Tensor {
    /// The samples at `rows` of `bytes` (samples of `sampleShape`, stored one after another) as
    /// floats times `scale`, in one vectorized pass split across threads. The rows must be valid.
    package init(gatheringBytes bytes: UnsafeBufferPointer<UInt8>, rows: [Int], sampleShape: [Int], scale: Float) {
        let size = sampleShape.reduce(1, *)
        self.init(uninitializedShape: [rows.count] + sampleShape)
        let out = storage.pointer, source = bytes.baseAddress!
        rows.withUnsafeBufferPointer { rows in
            let indices = rows.baseAddress!
            parallelChunks(count: rows.count, grain: Swift.max(1, (1 << 15) / Swift.max(size, 1))) { range in
                strata_gather_bytes(source, size, indices + range.lowerBound, range.count, scale,
                                    out + range.lowerBound * size)
            }
        }
    }
}
