/// A kernel that updates a variable in place from its gradient and up to three state buffers
/// (an optimizer's slots), over `count` elements: `(w, g, s0, s1, s2, count)`.
package typealias InPlaceUpdateKernel = (UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>?,
                                         UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void

extension Tensor {
    /// Runs `kernel` over this value in place, in chunks split across threads, given its
    /// `gradient` and the state buffers `slots[i]` for each non-nil index of `reading` (updated
    /// in place too; at most three). No allocation when the buffers are not shared. What the
    /// update computes is the caller's: the optimizers' rules live with the optimizers.
    package mutating func updateInPlace(gradient: Tensor, slots: inout [Tensor], reading slotIndices: [Int?],
                                        _ kernel: InPlaceUpdateKernel) {
        precondition(gradient.count == count, "updateInPlace: gradient of \(gradient.count) elements for \(count)")
        precondition(slotIndices.count <= 3, "updateInPlace: at most three state buffers")
        for index in slotIndices.compactMap({ $0 }) {
            precondition(slots[index].count == count, "updateInPlace: slot \(index) has \(slots[index].count) elements for \(count)")
            slots[index].makeUnique()
            slots[index].node = nil
        }
        makeUnique()
        node = nil
        let w = storage.pointer, g = gradient.storage.pointer
        let padded = slotIndices + Array(repeating: nil, count: 3 - slotIndices.count)
        let s = padded.map { $0.map { slots[$0].storage.pointer } }
        withExtendedLifetime((self, gradient, slots)) {
            parallelChunks(count: count, grain: 1 << 14) { range in
                let offset = range.lowerBound
                kernel(w + offset, g + offset, s[0].map { $0 + offset }, s[1].map { $0 + offset }, s[2].map { $0 + offset }, range.count)
            }
        }
    }
}
