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
