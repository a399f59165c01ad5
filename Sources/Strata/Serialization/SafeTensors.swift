import Foundation

/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
/// mapping each name to `{"dtype": "F32", "shape": […], "data_offsets": [begin, end]}` (plus an
/// optional `__metadata__` object of strings), padded with spaces to a multiple of 8 bytes, then
/// the raw little-endian data. Any safetensors reader reads what this writes.
enum SafeTensors {
    /// Writes `tensors` (in the given order) and `metadata` atomically to `url`.
    static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to url: URL) throws {
        var header: [String: Any] = [:]
        var offset = 0
        for (name, tensor) in tensors {
            let bytes = tensor.count * MemoryLayout<Float>.size
            header[name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var data = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for (_, tensor) in tensors {
            tensor.withUnsafeBufferPointer { buffer in
                for value in buffer { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            }
        }
        try AtomicFile.write(data, to: url)
    }

    /// Reads every tensor and the metadata of a safetensors file, validating the header.
    static func read(from url: URL) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let data = try FileBytes.read(url.path, expected: "a safetensors file")
        func invalid(_ message: String, at offset: Int) -> StrataError {
            StrataError(kind: .invalidFile, message: message, context: "\(url.path), byte \(offset)",
                        expected: "a safetensors file")
        }
        guard data.count >= 8 else { throw invalid("file is \(data.count) bytes, shorter than the 8-byte header length", at: 0) }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw invalid("header length \(headerLength) exceeds the file size \(data.count)", at: 0)
        }
        guard headerLength <= 100_000_000 else {   // the limit of the reference implementation
            throw invalid("header length \(headerLength) is over 100 MB", at: 0)
        }
        let headerEnd = 8 + Int(headerLength)
        guard let header = try? JSONSerialization.jsonObject(with: data[8..<headerEnd]) as? [String: Any] else {
            throw invalid("header is not a JSON object", at: 8)
        }
        if let duplicate = firstDuplicateKey(in: data[8..<headerEnd]) {
            throw invalid("tensor name '\(duplicate)' appears twice in the header", at: 8)
        }
        let body = data[headerEnd...]
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        var ranges: [(range: Range<Int>, name: String)] = []
        for (name, entry) in header {
            if name == "__metadata__" {
                metadata = entry as? [String: String] ?? [:]
                continue
            }
            guard let info = entry as? [String: Any], info["dtype"] as? String == "F32",
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2,
                  shape.allSatisfy({ $0 >= 0 }) else {
                throw invalid("entry '\(name)' is not an F32 tensor with shape and data_offsets", at: 8)
            }
            // Every size from the file is checked for overflow: a shape like [2^62, 4] must throw, not trap.
            let count = shape.reduce(Optional(1)) { product, dimension in
                product.flatMap { let (value, overflow) = $0.multipliedReportingOverflow(by: dimension); return overflow ? nil : value }
            }
            guard let count, count <= body.count / 4 else {
                throw invalid("tensor '\(name)' of shape \(shape) has more elements than the \(body.count)-byte data holds",
                              at: 8)
            }
            guard offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= body.count, offsets[1] - offsets[0] == count * 4 else {
                throw invalid("tensor '\(name)' of shape \(shape) has data_offsets \(offsets) outside the \(body.count)-byte data",
                              at: headerEnd + Swift.min(Swift.max(0, offsets[0]), body.count))
            }
            ranges.append((offsets[0]..<offsets[1], name))
            let start = body.startIndex + offsets[0]
            let scalars = (0..<count).map { i -> Float in
                let base = start + 4 * i
                let bits = UInt32(body[base]) | UInt32(body[base + 1]) << 8 | UInt32(body[base + 2]) << 16 | UInt32(body[base + 3]) << 24
                return Float(bitPattern: bits)
            }
            tensors[name] = Tensor(shape: shape, scalars: scalars)
        }
        // Tensors must not overlap (the format also asks that they cover the data without gaps).
        let sorted = ranges.sorted { $0.range.lowerBound < $1.range.lowerBound }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where next.range.lowerBound < previous.range.upperBound {
            throw invalid("tensors '\(previous.name)' and '\(next.name)' overlap", at: headerEnd + next.range.lowerBound)
        }
        return (tensors, metadata)
    }
}

/// The first top-level key that occurs twice in a JSON object (JSONSerialization keeps one of
/// them silently; a safetensors header must not have duplicates).
private func firstDuplicateKey(in json: Data) -> String? {
    var seen = Set<String>()
    var depth = 0
    var index = json.startIndex
    while index < json.endIndex {
        let byte = json[index]
        if byte == UInt8(ascii: "\"") {
            var end = json.index(after: index)
            var escaped = false
            while end < json.endIndex, escaped || json[end] != UInt8(ascii: "\"") {
                escaped = !escaped && json[end] == UInt8(ascii: "\\")
                end = json.index(after: end)
            }
            guard end < json.endIndex else { return nil }
            if depth == 1 {
                var after = json.index(after: end)
                while after < json.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(json[after]) { after = json.index(after: after) }
                if after < json.endIndex, json[after] == UInt8(ascii: ":") {
                    let key = String(decoding: json[json.index(after: index)..<end], as: UTF8.self)
                    if !seen.insert(key).inserted { return key }
                }
            }
            index = json.index(after: end)
            continue
        }
        if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") { depth += 1 }
        if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") { depth -= 1 }
        index = json.index(after: index)
    }
    return nil
}

extension Model {
    /// Writes every variable to a safetensors file, named by layer path (`dense_1/kernel`),
    /// atomically.
    public func saveWeights(to path: String) throws {
        try SafeTensors.write(variables.map { ($0.name, $0.value) }, metadata: ["format": "strata-weights", "version": "1"],
                              to: URL(fileURLWithPath: path))
    }

    /// Loads variables by name from a safetensors file; throws listing missing, unexpected and
    /// mis-shaped tensors, and changes nothing in that case.
    public func loadWeights(from path: String) throws {
        let (tensors, _) = try SafeTensors.read(from: URL(fileURLWithPath: path))
        try loadWeights(tensors.filter { !$0.key.hasPrefix("optimizer/") }, source: path)
    }

    /// Assigns `tensors` to the variables of the same names, all or nothing.
    func loadWeights(_ tensors: [String: Tensor], source path: String) throws {
        let variables = self.variables
        let missing = variables.filter { tensors[$0.name] == nil }.map(\.name)
        let unexpected = Set(tensors.keys).subtracting(variables.map(\.name)).sorted()
        let misshaped = variables.compactMap { v in tensors[v.name].flatMap { $0.shape == v.shape ? nil : "\(v.name) \($0.shape) ≠ \(v.shape)" } }
        guard missing.isEmpty, unexpected.isEmpty, misshaped.isEmpty else {
            throw StrataError(kind: .invalidFile,
                              message: "weights do not match the model: missing \(missing), unexpected \(unexpected), mis-shaped \(misshaped)",
                              context: path, expected: "the variables of model '\(name)'")
        }
        for variable in variables { variable.value = tensors[variable.name]! }
    }
}
