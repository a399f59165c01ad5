import Foundation
import Logging
import Testing
@testable import Strata

/// Records every log message of the test process (swift-log is bootstrapped once per process;
/// other tests' messages land here too, so each test looks for its own).
final class CapturedLogs: @unchecked Sendable {
    // @unchecked: `entries` is guarded by `lock`.
    private let lock = NSLock()
    private var entries: [(label: String, level: Logger.Level, message: String)] = []

    static let shared: CapturedLogs = {
        let logs = CapturedLogs()
        LoggingSystem.bootstrap { label in Handler(label: label, logs: logs) }
        return logs
    }()

    func append(_ label: String, _ level: Logger.Level, _ message: String) {
        lock.withLock { entries.append((label, level, message)) }
    }

    func matching(_ text: String) -> [(label: String, level: Logger.Level, message: String)] {
        lock.withLock { entries.filter { $0.message.contains(text) } }
    }

    struct Handler: LogHandler {
        let label: String
        let logs: CapturedLogs
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { logs.append(label, event.level, "\(event.message)") }
    }
}

@Suite("Library messages go through swift-log")
struct LoggingTests {
    /// Callback announcements are `info` and warnings `warning` on `strata.callbacks`, so an app's
    /// own handler receives them; `verbose: .silent` still silences the warnings.
    @Test func callbackMessagesReachTheAppsHandler() throws {
        let logs = CapturedLogs.shared
        let tag = "logging-test-\(UUID().uuidString.prefix(8))"
        let model = Sequential { Dense(1, inputShape: [2], name: "\(tag)-dense") }
        model.compile(optimizer: SGD(learningRate: 0.1), loss: .meanSquaredError)
        let x = Tensor.randomNormal([16, 2], seed: 1), y = x.sum(axes: [1], keepDims: true)
        let checkpoint = ModelCheckpoint(FileManager.default.temporaryDirectory.appendingPathComponent("\(tag).safetensors").path,
                                         monitor: "\(tag)_missing", saveBestOnly: true, mode: .min, verbose: true)
        defer { try? FileManager.default.removeItem(atPath: checkpoint.filepath) }
        let stopping = EarlyStopping(monitor: "loss", patience: 0, mode: .max, verbose: true)   // "max": stops at epoch 2
        try model.fit(x, y, batchSize: 8, epochs: 5, verbose: .oneLinePerEpoch, callbacks: [checkpoint, stopping])

        let warnings = logs.matching("\(tag)_missing")
        #expect(!warnings.isEmpty && warnings.allSatisfy { $0.label == "strata.callbacks" && $0.level == .warning }, "\(warnings)")
        let stops = logs.matching(": early stopping").filter { _ in stopping.stoppedEpoch > 0 }
        #expect(stops.contains { $0.label == "strata.callbacks" && $0.level == .info && $0.message == "Epoch \(stopping.stoppedEpoch + 1): early stopping" })

        let quiet = ModelCheckpoint(checkpoint.filepath, monitor: "\(tag)_silent", saveBestOnly: true, mode: .min)
        try model.fit(x, y, batchSize: 8, epochs: 1, verbose: .silent, callbacks: [quiet])
        #expect(quiet.warnings.count == 1 && logs.matching("\(tag)_silent").isEmpty, "recorded, not logged, when silent")
    }
}
