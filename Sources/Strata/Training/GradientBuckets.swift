/// Sums gradients across replicas in buckets whose all-reduce starts as soon as their gradients
/// are ready, so that communication runs while backpropagation continues (as PyTorch DDP and
/// Horovod do).
///
/// The variables are cut into buckets in reverse order — the order backpropagation completes
/// them, last layer first: the first bucket takes at most `firstBucketSize` floats (or
/// `bucketSize` where smaller), the others `bucketSize` (a variable is never split; one larger
/// than a bucket gets a bucket of its own). A bucket's all-reduce starts when its last gradient
/// arrives (the last bucket's is a blocking one: nothing is left to overlap); `finish()` waits
/// for them all. Every replica adds the same gradients in the same order, so the all-reduces
/// start in the same order on every replica, as MPI requires.
final class GradientBuckets {
    private struct Bucket {
        let buffer: UnsafeMutableBufferPointer<Float>
        var missing: Int                        // gradients not added yet
    }

    private let group: any ReplicaGroup
    private let precision: DataParallel.WirePrecision
    private let shapes: [[Int]]
    private var buckets: [Bucket] = []
    private var place: [(bucket: Int, offset: Int)]
    private var waits: [() -> Void] = []        // of the started buckets, in start order
    private var started: [Int] = []

    init(shapes: [[Int]], group: any ReplicaGroup, precision: DataParallel.WirePrecision, firstBucketSize: Int, bucketSize: Int) {
        self.group = group
        self.precision = precision
        self.shapes = shapes
        place = Array(repeating: (0, 0), count: shapes.count)
        var members = 0, floats = 0
        func close() {
            guard members > 0 else { return }
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: floats)
            buckets.append(Bucket(buffer: buffer, missing: members))
            members = 0
            floats = 0
        }
        for index in shapes.indices.reversed() {
            let count = Tensor.elementCount(shapes[index])
            let limit = buckets.isEmpty ? min(firstBucketSize, bucketSize) : bucketSize
            if members > 0 && floats + count > limit { close() }
            place[index] = (buckets.count, floats)
            members += 1
            floats += count
        }
        close()
    }

    deinit { for bucket in buckets { bucket.buffer.deallocate() } }

    /// Takes the gradient of variable `index`; starts its bucket's all-reduce when it was the last.
    func add(_ index: Int, _ gradient: Tensor) {
        let (bucket, offset) = place[index]
        precondition(gradient.shape == shapes[index], "GradientBuckets: gradient \(index) has shape \(gradient.shape), expected \(shapes[index])")
        gradient.withUnsafeBufferPointer { source in
            _ = UnsafeMutableBufferPointer(rebasing: buckets[bucket].buffer[offset...]).initialize(fromContentsOf: source)
        }
        buckets[bucket].missing -= 1
        guard buckets[bucket].missing == 0 else { return }
        // The last bucket has nothing left to overlap with: the blocking all-reduce, which MPI
        // implementations run with faster algorithms than the non-blocking one.
        let last = started.count == buckets.count - 1
        switch (precision, last) {
        case (.float32, true): group.allReduceSum(buckets[bucket].buffer)
        case (.float32, false): waits.append(group.startAllReduceSum(buckets[bucket].buffer))
        case (.bfloat16, true): group.allReduceSumBFloat16(buckets[bucket].buffer)
        case (.bfloat16, false): waits.append(group.startAllReduceSumBFloat16(buckets[bucket].buffer))
        }
        started.append(bucket)
    }

    /// Waits for every bucket's sum and returns the summed gradients, one per variable.
    func finish() -> [Tensor] {
        precondition(started.count == buckets.count, "GradientBuckets: \(buckets.count - started.count) buckets lack gradients")
        for wait in waits { wait() }
        waits = []
        return shapes.indices.map { index in
            let (bucket, offset) = place[index]
            var sum = Tensor(uninitializedShape: shapes[index])
            sum.withUnsafeMutableBufferPointer { target in
                _ = target.initialize(fromContentsOf: buckets[bucket].buffer[offset..<(offset + target.count)])
            }
            return sum
        }
    }
}
