/// Splits `0..<count` into contiguous chunks of at least `grain` elements and runs them on the
/// thread pool (serially when there is only one chunk).
func parallelChunks(count: Int, grain: Int = 1 << 15, _ body: (Range<Int>) -> Void) {
    let pool = ThreadPool.shared
    let parts = min(pool.threadCount, max(1, count / max(grain, 1)))
    guard parts > 1 else {
        if count > 0 { body(0..<count) }
        return
    }
    let chunk = (count + parts - 1) / parts
    pool.run(parts: parts) { part in
        let start = part * chunk
        let end = min(count, start + chunk)
        if start < end { body(start..<end) }
    }
}

/// Runs `body` on ranges `[n0, n1)` of `images`, each range at least ~32k elements of
/// `workPerImage` (each image's outputs and input gradient belong to one thread).
func parallelImages(_ images: Int, workPerImage: Int, _ body: (_ n0: Int, _ n1: Int) -> Void) {
    parallelChunks(count: images, grain: max(1, (1 << 15) / max(workPerImage, 1))) { range in
        body(range.lowerBound, range.upperBound)
    }
}

/// A fixed split of `rows` into chunks — at most `maxChunks`, of at least `minRows` rows each, set
/// by the row count and not by the threads — whose partial sums, added in chunk order, give the
/// same bits for any thread count.
struct RowChunks {
    let rows: Int, count: Int, rowsPerChunk: Int

    init(rows: Int, minRows: Int, maxChunks: Int = 8) {
        self.rows = rows
        count = max(1, min(maxChunks, rows / minRows))
        rowsPerChunk = (rows + count - 1) / count
    }

    /// The rows of chunk `index` (empty for a chunk past the end).
    func range(_ index: Int) -> Range<Int> {
        min(rows, index * rowsPerChunk) ..< min(rows, (index + 1) * rowsPerChunk)
    }

    /// Σ of `partial(chunk)` over the non-empty chunks, in order, in double.
    func sum(_ partial: (Int) -> Double) -> Float {
        var total = partial(0)
        for chunk in 1..<count where !range(chunk).isEmpty { total += partial(chunk) }
        return Float(total)
    }
}
