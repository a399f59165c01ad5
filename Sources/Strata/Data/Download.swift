import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Fetches a data set's files from its official source, verifies each one, and stores it
/// atomically — so an interrupted or corrupted download never leaves a file that looks valid.
///
/// A file is checked by the SHA-256 of its *decompressed* content where that is what is on
/// record (mirrors and packagers re-compress the same IDX data with different gzip headers —
/// Debian's Fashion-MNIST files differ from the original `.gz` by 24 bytes — while the content
/// is what training reads), or else by the SHA-256 of the archive as published.
struct DatasetDownload {
    /// One file: its name and its SHA-256 (hex).
    struct File {
        /// What the SHA-256 is taken of.
        enum Digest { case content, archive }

        let name: String
        let sha256: String
        let digest: Digest

        /// A file checked by the SHA-256 of its decompressed bytes.
        init(name: String, contentSHA256: String) { (self.name, self.sha256, self.digest) = (name, contentSHA256, .content) }
        /// A file checked by the SHA-256 of the bytes as downloaded.
        init(name: String, archiveSHA256: String) { (self.name, self.sha256, self.digest) = (name, archiveSHA256, .archive) }
    }

    let baseURL: URL
    let files: [File]

    /// Downloads every file into `folder` (created if needed), verified, atomically.
    func fetch(into folder: String, showProgress: Bool) throws {
        for file in files {
            let url = baseURL.appendingPathComponent(file.name)
            let data = try Self.get(url, showProgress: showProgress)
            let digest = file.digest == .content ? try Self.contentSHA256(of: data, source: url.absoluteString)
                                                 : SHA256.hex(data)
            guard digest == file.sha256 else {
                let of = file.digest == .content ? "the content" : "the file"
                throw StrataError(kind: .invalidFile, message: "checksum mismatch: SHA-256 of \(of) is \(digest)",
                                  context: url.absoluteString, expected: file.sha256)
            }
            if file.digest == .archive { _ = try Gzip.decompress(data, path: url.absoluteString) }   // a whole gzip stream
            try AtomicFile.write(data, to: URL(fileURLWithPath: folder).appendingPathComponent(file.name))
        }
    }

    /// The SHA-256 (hex) of the decompressed content of `data` (of `data` itself if not gzip'd).
    static func contentSHA256(of data: Data, source: String) throws -> String {
        let content = Gzip.isCompressed(data) ? Data(try Gzip.decompress(data, path: source)) : data
        return SHA256.hex(content)
    }

    /// The bytes at `url` (`file:` URLs are read directly).
    static func get(_ url: URL, showProgress: Bool) throws -> Data {
        if url.isFileURL {
            return try FileBytes.read(url.path, expected: "the file to download")
        }
        let delegate = ProgressDelegate(name: url.lastPathComponent, showProgress: showProgress)
        let session = URLSession(configuration: .ephemeral, delegate: delegate, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        session.dataTask(with: url).resume()
        delegate.done.wait()
        if let failure = delegate.failure {
            throw StrataError(kind: .io, message: "download failed: \(failure)", context: url.absoluteString)
        }
        return delegate.received
    }

    /// Collects the body and draws `name  12.3 / 26.4 MB ━━━━━━━━━━` at most ten times a second.
    private final class ProgressDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
        let name: String
        let showProgress: Bool
        let done = DispatchSemaphore(value: 0)
        var received = Data()
        var expected: Int64 = -1
        var failure: String?
        private var lastDraw: UInt64 = 0

        init(name: String, showProgress: Bool) {
            self.name = name
            self.showProgress = showProgress
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
            if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                failure = "HTTP status \(http.statusCode)"
                completionHandler(.cancel)
                return
            }
            expected = response.expectedContentLength
            completionHandler(.allow)
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            received.append(data)
            let now = DispatchTime.now().uptimeNanoseconds
            if showProgress, now - lastDraw > 100_000_000 {
                lastDraw = now
                draw(final: false)
            }
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
            if let error, failure == nil { failure = error.localizedDescription }
            if showProgress, failure == nil { draw(final: true) }
            done.signal()
        }

        private func draw(final: Bool) {
            let megabytes = Double(received.count) / 1_048_576
            let total = expected > 0 ? Double(expected) / 1_048_576 : megabytes
            let filled = total > 0 ? Int(20 * megabytes / total) : 20
            let line = String(format: "\r%@  %.1f / %.1f MB ", name, megabytes, total)
                + String(repeating: "━", count: min(filled, 20)) + String(repeating: " ", count: max(0, 20 - filled))
            FileHandle.standardError.write(Data((line + (final ? "\n" : "")).utf8))
        }
    }
}
