import Foundation

/// Writes files so that a crash never leaves a half-written one: the data goes to a temporary
/// file in the same folder, is flushed to disk, and is renamed over the destination.
package enum AtomicFile {
    package static func write(_ data: Data, to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw StrataError(kind: .io, message: "cannot create folder: \(error.localizedDescription)", context: folder.path)
        }
        removeStaleTemporaries(of: url)
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid())-\(UUID().uuidString).tmp")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else {
            throw StrataError(kind: .io, message: "cannot create a temporary file: \(String(cString: strerror(errno)))",
                              context: temporary.path)
        }
        var failure: String?
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += written
            }
        }
        if failure == nil && fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        close(descriptor)
        if let failure {
            unlink(temporary.path)
            throw StrataError(kind: .io, message: "writing failed: \(failure)", context: url.path)
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw StrataError(kind: .io, message: "cannot move the new file into place: \(reason)", context: url.path)
        }
        let folderDescriptor = open(folder.path, O_RDONLY)
        if folderDescriptor >= 0 {
            fsync(folderDescriptor)
            close(folderDescriptor)
        }
    }

    /// Deletes the temporary files of earlier writes to `url` that a killed process left behind:
    /// ours are named `.<file>.<pid>-<UUID>.tmp`, and one is stale when that process no longer
    /// exists (a live writer's, such as another process writing the same path now, is kept).
    /// Names of 0.1 (`.<file>.<UUID>.tmp`, no pid) are stale after an hour.
    static func removeStaleTemporaries(of url: URL) {
        let folder = url.deletingLastPathComponent(), prefix = ".\(url.lastPathComponent)."
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
            let middle = name.dropFirst(prefix.count).dropLast(4)
            let path = folder.appendingPathComponent(name).path
            let stale: Bool
            if let dash = middle.firstIndex(of: "-"), let pid = pid_t(middle[..<dash]), UUID(uuidString: String(middle[middle.index(after: dash)...])) != nil {
                stale = pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH
            } else if UUID(uuidString: String(middle)) != nil {
                let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate]) as? Date
                stale = modified.map { Date().timeIntervalSince($0) > 3600 } ?? false
            } else {
                stale = false
            }
            if stale { unlink(path) }
        }
    }
}
