/// NumPy broadcasting: shapes are aligned at their last axes; each pair of sizes must be equal or
/// one of them 1.
enum Broadcast {
    /// The broadcast shape of `a` and `b`; stops with a message naming `op` and both shapes.
    static func shape(_ a: [Int], _ b: [Int], op: String) -> [Int] {
        if a == b { return a }
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            precondition(da == db || da == 1 || db == 1,
                         "\(op): shapes \(a) and \(b) cannot be broadcast together")
            result[i] = da == 1 ? db : da
        }
        return result
    }

    /// Strides of `shape` seen through the broadcast `output` shape (0 along broadcast axes).
    static func strides(of shape: [Int], in output: [Int]) -> [Int] {
        let offset = output.count - shape.count
        let own = Tensor.strides(shape)
        return output.indices.map { axis in
            axis < offset || shape[axis - offset] == 1 ? 0 : own[axis - offset]
        }
    }

    /// The axes along which `shape` was broadcast to reach `output` (what a gradient must be
    /// summed over to return to `shape`).
    static func reducedAxes(from output: [Int], to shape: [Int]) -> [Int] {
        let offset = output.count - shape.count
        return output.indices.filter { axis in
            axis < offset || (shape[axis - offset] == 1 && output[axis] != 1)
        }
    }

    /// A broadcast binary operation as rows of one contiguous inner run: axes whose strides
    /// line up are merged, so `[500, 300] + [300]` is 500 rows of 300 with b's offset fixed.
    struct Plan {
        let inner: Int
        let innerStrideA: Int
        let innerStrideB: Int
        let outerShape: [Int]
        let outerStridesA: [Int]
        let outerStridesB: [Int]

        var outerCount: Int { outerShape.reduce(1, *) }

        init(output: [Int], a: [Int], b: [Int]) {
            var dims: [(size: Int, sa: Int, sb: Int)] = []
            let stridesA = Broadcast.strides(of: a, in: output)
            let stridesB = Broadcast.strides(of: b, in: output)
            for axis in output.indices where output[axis] != 1 {
                let next = (output[axis], stridesA[axis], stridesB[axis])
                if let last = dims.last,
                   last.sa == next.1 * next.0, last.sb == next.2 * next.0 {
                    dims[dims.count - 1] = (last.size * next.0, next.1, next.2)
                } else {
                    dims.append(next)
                }
            }
            let innermost = dims.popLast() ?? (1, 0, 0)
            inner = innermost.size
            innerStrideA = innermost.sa
            innerStrideB = innermost.sb
            outerShape = dims.map(\.size)
            outerStridesA = dims.map(\.sa)
            outerStridesB = dims.map(\.sb)
        }

        /// Offsets into a and b of the start of outer row `row` (row-major over `outerShape`).
        func offsets(ofRow row: Int) -> (Int, Int) {
            var remainder = row, oa = 0, ob = 0
            for axis in outerShape.indices.reversed() {
                let index = remainder % outerShape[axis]
                remainder /= outerShape[axis]
                oa += index * outerStridesA[axis]
                ob += index * outerStridesB[axis]
            }
            return (oa, ob)
        }
    }
}
